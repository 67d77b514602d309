"""Highlights of an order search: which fields to mark, with what query (docs/ARCHITECTURE.md §4).

The engine highlights only the fields the text can match: words go to names, products,
cities, streets and email parts; identifier fields are highlighted only for text shaped
like an identifier (queries.text_input). The highlight query is not the ranking query
(constant-score tiers, one clause per word and tier) but one match per kind of field
with the same words, typos and synonyms: the same terms marked, far less to rewrite.
"""

from __future__ import annotations

from typing import Any

from queries import text_query as tq
from queries.synonyms import units
from queries.text_input import SearchText, parse

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
    "shippingAddress.line1",
    "shippingAddress.line1.prefix",
    "shippingAddress.postalCode.prefix",
    "shippingAddress.postalCode",
    "shippingAddress.country",
    "shipment.trackingNumber.prefix",
    "shipment.trackingNumber",
    "id.prefix",
    "id",
)
# What words can match, whatever the text.
WORD_HIGHLIGHTS = frozenset(
    {
        *tq.WORD_FIELDS,
        *tq.SECONDARY_FIELDS,
        "lines.sku.parts",
        "customer.name.prefix",
        "customer.email.prefix",
        "lines.productName.prefix",
        "shippingAddress.city.prefix",
        "shippingAddress.line1.prefix",
    }
)
_HEX = frozenset("0123456789abcdef")
SUBFIELD_SUFFIXES = (".prefix", ".parts", ".local", ".domain", ".text")
FRAGMENTS = {"number_of_fragments": 3, "fragment_size": 150}


def highlight(text: str) -> dict[str, Any]:
    """Highlight the text matches only (not the filters), as HTML-escaped `<em>` fragments."""
    parsed = parse(text)
    fields = [f for f in HIGHLIGHT_FIELDS if f in WORD_HIGHLIGHTS or _can_match(f, parsed)]
    return {
        "highlight_query": highlight_query(text),
        "pre_tags": ["<em>"],
        "post_tags": ["</em>"],
        "encoder": "html",
        "require_field_match": True,
        "fields": {field: dict(FRAGMENTS) for field in fields},
    }


def _can_match(field: str, parsed: SearchText) -> bool:
    """Whether an identifier field can hold what was typed: order ids are hex, postal
    codes and tracking numbers have digits, emails parts have `@`, `.` or `_`, and
    countries are two letters. Each field highlighted costs the engine on every hit."""
    if not parsed.identifier_like:
        return False
    text = parsed.text.lower()
    compact = [ch for ch in text if ch.isalnum()]
    path = document_path(field)
    if path == "id":
        return bool(compact) and set(compact) <= _HEX
    if path in ("shipment.trackingNumber", "shippingAddress.postalCode"):
        return any(ch.isdigit() for ch in compact)
    if field in ("customer.email", "customer.email.local", "customer.email.domain"):
        return " " not in text and any(ch in "@._" for ch in text)
    if path == "shippingAddress.country":
        return len(compact) == 2
    return True


def highlight_query(text: str) -> dict[str, Any]:
    """Any word, whole, with a typo or as a prefix; the cities of synonyms; the whole text
    as an identifier when it is shaped like one."""
    parsed = parse(text)
    should = tq.identifier_clauses(parsed)
    if parsed.words:
        words = " ".join(parsed.words)
        fields = tq.WORD_FIELDS + tq.SECONDARY_FIELDS + tq.KEYWORD_FIELDS
        should += [
            tq.multi_match(words, fields, operator="or"),
            tq.multi_match(words, tq.PREFIX_FIELDS, operator="or"),
            *(tq.phrase(tq.CITY_FIELD, c) for unit in units(parsed.words) for c in unit.cities),
        ]
        if tolerant := [word for word in parsed.words if tq.typo_tolerant(word)]:
            typos = tq.fuzzy_match(" ".join(tolerant), tq.FUZZY_FIELDS)
            typos["multi_match"]["operator"] = "or"
            should.append(typos)
    return {"bool": {"should": should, "minimum_should_match": 1}}


def document_path(field: str) -> str:
    """Index field → document path: "customer.name.prefix" → "customer.name"."""
    for suffix in SUBFIELD_SUFFIXES:
        if field.endswith(suffix):
            return field[: -len(suffix)]
    return field
