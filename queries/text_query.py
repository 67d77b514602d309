"""The full-text part of an order search (DESIGN §5 search-text rules).

User text only ever becomes the `query`/`value` of term and match queries, so
characters such as `"`, `(`, `:`, `/`, `\\`, `*` are searched, never parsed as
syntax (no `query_string`, no `simple_query_string`, no wildcards).
"""

from __future__ import annotations

from typing import Any

from queries.errors import InvalidQuery

MAX_TEXT_LENGTH = 200
MAX_WORDS = 10
# Exact identifiers outrank every fuzzy/prefix match: a constant score far above BM25's range.
EXACT_BOOST = 100.0

# Keyword fields matched as the whole (trimmed) text: an exact id, email, SKU, ...
EXACT_FIELDS = (
    "id",
    "customer.email",
    "lines.sku",
    "shipment.trackingNumber",
    "shippingAddress.postalCode",
)
# Typo-tolerant full text (fuzziness AUTO), with per-field weights.
FUZZY_FIELDS = (
    "customer.name^3",
    "customer.email^2",
    "customer.email.parts^2",
    "lines.productName^2",
    "lines.sku^2",
    "lines.sku.parts",
    "shippingAddress.city^2",
    "shippingAddress.postalCode",
    "shippingAddress.country",
    "shipment.trackingNumber",
    "id",
)
# As-you-type: edge n-gram subfields, searched without fuzziness (n-grams + typos over-match).
PREFIX_FIELDS = (
    "customer.name.prefix",
    "customer.email.prefix",
    "lines.productName.prefix",
    "lines.sku.prefix",
    "shippingAddress.city.prefix",
    "shippingAddress.postalCode.prefix",
    "shipment.trackingNumber.prefix",
    "id.prefix",
)
SUBFIELD_SUFFIXES = (".prefix", ".parts")
# Highlighted fields, grouped by document path in order of preference: the results keep
# the first one with fragments per path. Text subfields come before normalised keywords,
# whose highlight shows the normalised (lowercased) value.
HIGHLIGHT_FIELDS = (
    "customer.name",
    "customer.name.prefix",
    "customer.email.prefix",
    "customer.email.parts",
    "customer.email",
    "lines.productName",
    "lines.productName.prefix",
    "lines.sku.prefix",
    "lines.sku.parts",
    "lines.sku",
    "shippingAddress.city",
    "shippingAddress.city.prefix",
    "shippingAddress.postalCode.prefix",
    "shippingAddress.postalCode",
    "shippingAddress.country",
    "shipment.trackingNumber.prefix",
    "shipment.trackingNumber",
    "id.prefix",
    "id",
)


def normalise_text(text: str | None) -> str | None:
    """Trimmed search text, None when blank; ValueError when absurdly long."""
    if text is None or not text.strip():
        return None
    text = " ".join(text.split())
    if len(text) > MAX_TEXT_LENGTH:
        raise InvalidQuery(f"search text is longer than {MAX_TEXT_LENGTH} characters")
    return text


def text_query(text: str) -> dict[str, Any]:
    """Score-ranked alternatives: exact identifier, all words in one field, prefixes, words
    spread over fields. Any one of them makes a hit."""
    should: list[dict[str, Any]] = [
        _exact(text),
        _multi_match(text, FUZZY_FIELDS, fuzzy=True, boost=2.0),
        _multi_match(text, PREFIX_FIELDS, fuzzy=False, boost=1.0),
    ]
    words = text.split()
    if len(words) > 1:
        # "alice berlin": every word must match somewhere, not necessarily in one field.
        should.append({"bool": {"must": [_word(word) for word in words[:MAX_WORDS]]}})
    return {"bool": {"should": should, "minimum_should_match": 1}}


def _exact(text: str) -> dict[str, Any]:
    terms = [{"term": {field: {"value": text}}} for field in EXACT_FIELDS]
    return {
        "constant_score": {
            "filter": {"bool": {"should": terms, "minimum_should_match": 1}},
            "boost": EXACT_BOOST,
        }
    }


def _multi_match(
    text: str, fields: tuple[str, ...], *, fuzzy: bool, boost: float
) -> dict[str, Any]:
    query: dict[str, Any] = {
        "query": text,
        "type": "best_fields",  # cross_fields would forbid fuzziness
        "fields": list(fields),
        "operator": "and",
        "boost": boost,
    }
    if fuzzy:
        query["fuzziness"] = "AUTO"
    return {"multi_match": query}


def _word(word: str) -> dict[str, Any]:
    return {
        "dis_max": {
            "queries": [
                _multi_match(word, FUZZY_FIELDS, fuzzy=True, boost=1.0),
                _multi_match(word, PREFIX_FIELDS, fuzzy=False, boost=0.5),
            ]
        }
    }


def highlight(query: dict[str, Any]) -> dict[str, Any]:
    """Highlight the text matches only (not the filters), as HTML-escaped `<em>` fragments."""
    return {
        "highlight_query": query,
        "pre_tags": ["<em>"],
        "post_tags": ["</em>"],
        "encoder": "html",
        "require_field_match": True,
        "fields": {
            field: {"number_of_fragments": 3, "fragment_size": 150} for field in HIGHLIGHT_FIELDS
        },
    }


def document_path(field: str) -> str:
    """Index field → document path: "customer.name.prefix" → "customer.name"."""
    for suffix in SUBFIELD_SUFFIXES:
        if field.endswith(suffix):
            return field[: -len(suffix)]
    return field
