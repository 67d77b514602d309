"""The full-text part of an order search (docs/ARCHITECTURE.md §4).

Ranking, as tiers of constant scores far apart, with BM25 ordering inside each tier:

1. EXACT: the whole text is an order id, an email, a SKU or a tracking number.
2. KEY: the whole text is a postal code, or an email's local part or domain.
3. PHRASE: the words, in order, in a customer name, a product name or a city.
4. Words: every word matches some field, whole, by prefix or with typos (one edit in
   four-letter words, two from five letters on; names and emails only, never
   identifiers). Several words narrow the results, and
   a typo does not empty them.

Every tier implies that all words matched, so the tiers only order the results.
User text only ever becomes the `query`/`value` of term and match queries, so
characters such as `"`, `(`, `:`, `/`, `\\`, `*` are searched, never parsed as
syntax (no `query_string`, no `simple_query_string`, no wildcards, no regexps).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from queries.errors import InvalidQuery

MAX_TEXT_LENGTH = 200
# What no stored text holds (the write side refuses the same classes, see
# commands.model.validation; the read side may not import it): C0 controls, DEL, C1, line
# and paragraph separators, lone surrogates, bidirectional controls and direction marks.
REFUSED = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]"
)
MAX_WORDS = 10
EXACT_BOOST = 10_000.0
KEY_BOOST = 5_000.0
PHRASE_BOOST = 1_000.0
# No edits below four letters, one edit for four, two from five letters on.
FUZZINESS = "AUTO:4,5"

# Keyword fields matched by the whole (trimmed) text; their normaliser folds case.
EXACT_FIELDS = ("customer.email", "lines.sku", "shipment.trackingNumber")
# `id` has no normaliser (it is the sort tiebreaker); order ids are lowercase UUIDs.
ID_FIELD = "id"
KEY_TERM_FIELDS = ("shippingAddress.postalCode",)
# Analysed on the search side: "alice.smith@" and "@example.com" are accepted too.
KEY_MATCH_FIELDS = ("customer.email.local", "customer.email.domain")
PHRASE_FIELDS = ("customer.name", "lines.productName", "shippingAddress.city")
# Typo-tolerant full text per word, with per-field weights.
FUZZY_FIELDS = (
    "customer.name^3",
    "customer.email^2",
    "customer.email.parts^2",
    "lines.productName^2",
    "lines.category.text",
    "shippingAddress.city^2",
    "shippingAddress.name",
)
# Identifiers (and SKU parts) a word can equal, without typos: a near-miss SKU, tracking
# number or postal code is another product, parcel or place; prefixes still match.
KEYWORD_FIELDS = (
    "lines.sku^2",
    "lines.sku.parts",
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
# Identifier prefixes ignore punctuation and spaces, so the whole text is one prefix:
# "sw1a 1a", "1ztrk 00001".
IDENT_PREFIX_FIELDS = (
    "customer.email.prefix",
    "lines.sku.prefix",
    "shippingAddress.postalCode.prefix",
    "shipment.trackingNumber.prefix",
    "id.prefix",
)
SUBFIELD_SUFFIXES = (".prefix", ".parts", ".local", ".domain", ".text")
# Highlighted fields, grouped by document path in order of preference: the results keep
# the first one with fragments per path. Text subfields come before normalised keywords,
# whose highlight shows the normalised (lowercased) value.
HIGHLIGHT_FIELDS = (
    "customer.name",
    "customer.name.prefix",
    "customer.email.domain",
    "customer.email.parts",
    "customer.email.prefix",
    "customer.email.local",
    "customer.email",
    "lines.productName",
    "lines.productName.prefix",
    "lines.sku.prefix",
    "lines.sku.parts",
    "lines.sku",
    "lines.category.text",
    "shippingAddress.city",
    "shippingAddress.city.prefix",
    "shippingAddress.name",
    "shippingAddress.postalCode.prefix",
    "shippingAddress.postalCode",
    "shippingAddress.country",
    "shipment.trackingNumber.prefix",
    "shipment.trackingNumber",
    "id.prefix",
    "id",
)


def clean_input(value: str, what: str, max_length: int) -> str:
    """`value` trimmed and in NFC; InvalidQuery when longer than `max_length` (checked first,
    so a megabyte costs one copy) or holding a REFUSED character anywhere but at the edges."""
    text = value.strip()
    if len(text) > max_length:
        raise InvalidQuery(f"{what} is longer than {max_length} characters")
    if (found := REFUSED.search(text)) is not None:
        raise InvalidQuery(
            f"{what} must not contain control characters, lone surrogates or direction "
            f"controls; found U+{ord(found.group()):04X}"
        )
    return unicodedata.normalize("NFC", text)


def normalise_text(text: str | None) -> str | None:
    """Trimmed search text, None when blank; InvalidQuery when too long or holding
    refused characters (see `clean_input`)."""
    if text is None or not text.strip():
        return None
    text = " ".join(clean_input(text, "search text", MAX_TEXT_LENGTH).split())
    return text or None


def words_of(text: str) -> list[str]:
    """The words that can match a text field: punctuation-only "words" such as `-` or `(`
    are dropped (they analyse to nothing, and would otherwise empty the results)."""
    return [word for word in text.split() if any(ch.isalnum() for ch in word)][:MAX_WORDS]


def text_query(text: str) -> dict[str, Any]:
    """Score-tiered alternatives (see the module docstring); any one makes a hit."""
    words = words_of(text)
    should: list[dict[str, Any]] = [
        _constant(_exact_identifier(text), EXACT_BOOST),
        _constant(_exact_key(text), KEY_BOOST),
        _multi_match(text, IDENT_PREFIX_FIELDS, fuzzy=False, boost=2.0),
    ]
    if words:
        phrase = " ".join(words)
        should += [
            _constant([_phrase(field, phrase) for field in PHRASE_FIELDS], PHRASE_BOOST),
            # All words in one field scores above words spread over several.
            _multi_match(phrase, FUZZY_FIELDS, fuzzy=True, boost=1.0),
            {"bool": {"must": [_word(word) for word in words]}},
        ]
    return {"bool": {"should": should, "minimum_should_match": 1}}


def _exact_identifier(text: str) -> list[dict[str, Any]]:
    terms = [_term(field, text) for field in EXACT_FIELDS]
    return [_term(ID_FIELD, text.lower()), *terms]


def _exact_key(text: str) -> list[dict[str, Any]]:
    terms = [_term(field, text) for field in KEY_TERM_FIELDS]
    return terms + [{"match": {field: {"query": text}}} for field in KEY_MATCH_FIELDS]


def _term(field: str, value: str) -> dict[str, Any]:
    return {"term": {field: {"value": value}}}


def _phrase(field: str, text: str) -> dict[str, Any]:
    return {"match_phrase": {field: {"query": text}}}


def _any(queries: list[dict[str, Any]]) -> dict[str, Any]:
    return {"bool": {"should": queries, "minimum_should_match": 1}}


def _constant(queries: list[dict[str, Any]], boost: float) -> dict[str, Any]:
    return {"constant_score": {"filter": _any(queries), "boost": boost}}


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
        query["fuzziness"] = FUZZINESS
    return {"multi_match": query}


def _word(word: str) -> dict[str, Any]:
    """One word, in any field: whole or with typos, an identifier, or a prefix."""
    return {
        "dis_max": {
            "queries": [
                _multi_match(word, FUZZY_FIELDS, fuzzy=True, boost=1.0),
                _multi_match(word, KEYWORD_FIELDS, fuzzy=False, boost=1.0),
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
