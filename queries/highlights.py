"""Highlights of an order search: which fields to mark, with what query (docs/ARCHITECTURE.md §4).

The engine highlights only the fields the text can match: words go to names, products,
cities, streets and email parts; identifier fields are highlighted only for text shaped
like an identifier (queries.text_input). The highlight query is not the ranking query
(constant-score tiers, one clause per word and tier) but one match per kind of field
with the same words, typos and synonyms: the same terms marked, far less to rewrite.
"""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class HighlightFields:
    """A view's highlighted fields (in order of preference), those any words can match, and
    the kinds of identifier field that only some text can match (see `_can_match`)."""

    fields: tuple[str, ...]
    words: frozenset[str]
    text: tq.TextFields
    hex_ids: frozenset[str]  # document paths of hexadecimal ids
    with_digits: frozenset[str]  # paths of identifiers that always hold a digit
    emails: frozenset[str]  # whole-email fields: the whole email, its local part, its domain
    countries: frozenset[str]  # paths of two-letter country codes


ORDER_HIGHLIGHTS = HighlightFields(
    fields=HIGHLIGHT_FIELDS,
    words=WORD_HIGHLIGHTS,
    text=tq.ORDER_TEXT,
    hex_ids=frozenset({"id"}),
    with_digits=frozenset({"shipment.trackingNumber", "shippingAddress.postalCode"}),
    emails=frozenset({"customer.email", "customer.email.local", "customer.email.domain"}),
    countries=frozenset({"shippingAddress.country"}),
)


def highlight(text: str, spec: HighlightFields = ORDER_HIGHLIGHTS) -> dict[str, Any]:
    """Highlight the text matches only (not the filters), as HTML-escaped `<em>` fragments."""
    parsed = parse(text)
    fields = [f for f in spec.fields if f in spec.words or _can_match(f, parsed, spec)]
    return {
        "highlight_query": highlight_query(text, spec.text),
        "pre_tags": ["<em>"],
        "post_tags": ["</em>"],
        "encoder": "html",
        "require_field_match": True,
        "fields": {field: dict(FRAGMENTS) for field in fields},
    }


def _can_match(field: str, parsed: SearchText, spec: HighlightFields) -> bool:
    """Whether an identifier field can hold what was typed: order ids are hex, postal
    codes and tracking numbers have digits, emails parts have `@`, `.` or `_`, and
    countries are two letters. Each field highlighted costs the engine on every hit."""
    if not parsed.identifier_like:
        return False
    text = parsed.text.lower()
    compact = [ch for ch in text if ch.isalnum()]
    path = document_path(field)
    if path in spec.hex_ids:
        return bool(compact) and set(compact) <= _HEX
    if path in spec.with_digits:
        return any(ch.isdigit() for ch in compact)
    if field in spec.emails:
        return " " not in text and any(ch in "@._" for ch in text)
    if path in spec.countries:
        return len(compact) == 2
    return True


def highlight_query(text: str, fields: tq.TextFields = tq.ORDER_TEXT) -> dict[str, Any]:
    """Any word, whole, with a typo or as a prefix; the cities of synonyms; the whole text
    as an identifier when it is shaped like one."""
    parsed = parse(text)
    should = tq.identifier_clauses(parsed, fields)
    if parsed.words:
        words = " ".join(parsed.words)
        should += [
            tq.multi_match(words, fields.words + fields.secondary + fields.keywords, "or"),
            tq.multi_match(words, fields.prefixes, operator="or"),
        ]
        if fields.city is not None:
            cities = [c for unit in units(parsed.words) for c in unit.cities]
            should += [tq.phrase(fields.city, city) for city in cities]
        if tolerant := [word for word in parsed.words if tq.typo_tolerant(word)]:
            typos = tq.fuzzy_match(" ".join(tolerant), fields.fuzzy)
            typos["multi_match"]["operator"] = "or"
            should.append(typos)
    return {"bool": {"should": should, "minimum_should_match": 1}}


def document_path(field: str) -> str:
    """Index field → document path: "customer.name.prefix" → "customer.name"."""
    for suffix in SUBFIELD_SUFFIXES:
        if field.endswith(suffix):
            return field[: -len(suffix)]
    return field
