"""The full-text part of an order search (docs/ARCHITECTURE.md §4).

Ranking, as tiers of constant scores far apart:

1. EXACT: the whole text is an order id, an email, a SKU or a tracking number.
2. KEY: the whole text is a postal code, or an email's local part or domain.
3. IDENT_PREFIX: text with a digit and spaces is the start of an identifier ("sw1a 1a").
4. PHRASE: the words, in order, in a customer name, a product name, a city or a street.
5. Words: every word matches some field. Per word, the best of: spelled as typed, accents
   included (SPELLED); whole (EXACT_WORD); as a prefix (PREFIX); with a typo (TYPO). So a
   word typed exactly always outscores one that only starts a value, which outscores a
   typo, whatever the field. ALL_IN_ONE_FIELD adds a little when every word is in one
   field. Words of English city names also match the city's own name (queries.synonyms).

Identifier clauses (1-3) run only on text shaped like an identifier (one word, or a
digit somewhere; queries.text_input), after leading filler words ("order #", "no.",
"tracking number") are dropped. Typos: none below five letters, one edit up to eight,
two from nine; never on the first letter; on names and words only, never identifiers
or words with a digit (a whole email may have one typo after its first three letters).
Equal scores are ordered by the sort (newest first, then id: queries.search_request).

Every tier implies that all words matched, so the tiers only order the results.
User text only ever becomes the `query`/`value` of term and match queries, so
characters such as `"`, `(`, `:`, `/`, `\\`, `*` are searched, never parsed as
syntax (no `query_string`, no `simple_query_string`, no wildcards, no regexps).
"""

from __future__ import annotations

from typing import Any

from queries.synonyms import Unit, units
from queries.text_input import (  # re-exported: callers read the input rules here
    MAX_TEXT_LENGTH,
    SearchText,
    clean_input,
    normalise_text,
    parse,
    words_of,
)

__all__ = ["MAX_TEXT_LENGTH", "clean_input", "normalise_text", "text_query", "words_of"]

EXACT_BOOST = 10_000.0
KEY_BOOST = 5_000.0
IDENT_PREFIX_BOOST = 2_000.0
PHRASE_BOOST = 1_000.0
ALL_IN_ONE_FIELD_BOOST = 5.0
# Per word. Every tier's lowest weight is above the next tier's highest (weights 0.8-1).
SPELLED = 12.0
EXACT_WORD = 8.0
PREFIX = 4.0
TYPO = 2.0
SECONDARY = 0.8  # words in an email, a street, a category or the recipient's name
# No edits below five letters, one for five to eight, two from nine; the first letter is
# never a typo, and each typo expands to at most MAX_EXPANSIONS indexed words.
FUZZINESS = "AUTO:5,9"
PREFIX_LENGTH = 1
MAX_EXPANSIONS = 10
MIN_TYPO_LENGTH = 5

# Keyword fields matched by the whole (trimmed) text; their normaliser folds case.
EXACT_FIELDS = ("customer.email", "lines.sku", "shipment.trackingNumber")
# `id` has no normaliser (it is the sort tiebreaker); order ids are lowercase UUIDs.
ID_FIELD = "id"
KEY_TERM_FIELDS = ("shippingAddress.postalCode",)
# Analysed on the search side: "alice.smith@" and "@example.com" are accepted too.
KEY_MATCH_FIELDS = ("customer.email.local", "customer.email.domain")
PHRASE_FIELDS = (
    "customer.name",
    "lines.productName",
    "shippingAddress.city",
    "shippingAddress.line1",
)
# Accents kept ("Inês" is not "Inés"): the spelling typed ranks first.
SPELLED_FIELDS = (
    "customer.name.spelled",
    "lines.productName.spelled",
    "shippingAddress.city.spelled",
)
# Folded words, whole or with typos.
WORD_FIELDS = ("customer.name", "lines.productName", "shippingAddress.city")
SECONDARY_FIELDS = (
    "customer.email.parts",
    "shippingAddress.line1",
    "lines.category.text",
    "shippingAddress.name",
)
# Typos are looked for in names, products, cities, streets and categories only: the
# recipient's name repeats the customer's, and email parts would double the cost (each
# typo is an automaton run over a field's whole vocabulary) for little.
FUZZY_FIELDS = (*WORD_FIELDS, "shippingAddress.line1", "lines.category.text")
# A whole email with a typo ("kathe.weis72@yahoo.com"): one edit, after its first letters.
EMAIL_FIELD = "customer.email"
EMAIL_TYPO = {"fuzziness": 1, "prefix_length": 3, "max_expansions": 10}
# Identifiers (and SKU parts) a word can equal, without typos: a near-miss SKU, tracking
# number or postal code is another product, parcel or place; prefixes still match.
KEYWORD_FIELDS = (
    "lines.sku",
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
    "shippingAddress.line1.prefix",
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
CITY_FIELD = "shippingAddress.city"


def text_query(text: str) -> dict[str, Any]:
    """Score-tiered alternatives (see the module docstring); any one makes a hit."""
    parsed = parse(text)
    should = identifier_clauses(parsed)
    if parsed.words:
        should += word_clauses(parsed.words)
    return {"bool": {"should": should, "minimum_should_match": 1}}


def word_clauses(words: list[str]) -> list[dict[str, Any]]:
    """The words as a phrase, and every word (unit) somewhere."""
    joined = " ".join(words)
    every_word: dict[str, Any] = {"bool": {"must": [_unit(unit) for unit in units(words)]}}
    if len(words) > 1:
        together = multi_match(joined, WORD_FIELDS + SECONDARY_FIELDS)
        every_word["bool"]["should"] = [_constant([together], ALL_IN_ONE_FIELD_BOOST)]
    return [_constant([phrase(f, joined) for f in PHRASE_FIELDS], PHRASE_BOOST), every_word]


def identifier_clauses(parsed: SearchText) -> list[dict[str, Any]]:
    """The whole text as an identifier, a key or an identifier prefix, if it can be one."""
    if not parsed.identifier_like:
        return []
    text = parsed.text
    exact = [_term(ID_FIELD, text.lower()), *(_term(field, text) for field in EXACT_FIELDS)]
    keys = [_term(field, text) for field in KEY_TERM_FIELDS]
    keys += [{"match": {field: {"query": text}}} for field in KEY_MATCH_FIELDS]
    clauses = [_constant(exact, EXACT_BOOST), _constant(keys, KEY_BOOST)]
    if parsed.spaced_identifier:
        prefix = multi_match(text, IDENT_PREFIX_FIELDS, operator="and")
        clauses.append({"constant_score": {"filter": prefix, "boost": IDENT_PREFIX_BOOST}})
    return clauses


def _unit(unit: Unit) -> dict[str, Any]:
    """One word (or a synonym key's words), scored by its best tier."""
    if len(unit.words) == 1 and not unit.cities:
        return _word(unit.words[0])
    words = (
        _word(unit.words[0])
        if len(unit.words) == 1
        else {"bool": {"must": [_word(w) for w in unit.words]}}
    )
    cities = [phrase(CITY_FIELD, city) for city in unit.cities]
    return {"dis_max": {"queries": [words, _constant(cities, EXACT_WORD * len(unit.words))]}}


def _word(word: str) -> dict[str, Any]:
    """One word, in any field: as spelled, whole, an identifier, a prefix or with typos."""
    tiers = [
        _constant([multi_match(word, SPELLED_FIELDS)], SPELLED),
        _constant([multi_match(word, WORD_FIELDS + KEYWORD_FIELDS)], EXACT_WORD),
        _constant([multi_match(word, SECONDARY_FIELDS)], EXACT_WORD * SECONDARY),
        _constant([multi_match(word, PREFIX_FIELDS)], PREFIX),
    ]
    if typo_tolerant(word):
        tiers.append(_constant([fuzzy_match(word, FUZZY_FIELDS)], TYPO))
    if "@" in word:
        email = multi_match(word, (EMAIL_FIELD,))
        email["multi_match"] |= EMAIL_TYPO
        tiers.append(_constant([email], TYPO))
    return {"dis_max": {"queries": tiers}}


def typo_tolerant(word: str) -> bool:
    """Five letters or more and no digit: a word with a digit is an identifier, a house
    number or a postal code, where a near miss is another thing."""
    return sum(ch.isalpha() for ch in word) >= MIN_TYPO_LENGTH and not any(
        ch.isdigit() for ch in word
    )


def fuzzy_match(word: str, fields: tuple[str, ...]) -> dict[str, Any]:
    query = multi_match(word, fields)
    query["multi_match"] |= {
        "fuzziness": FUZZINESS,
        "prefix_length": PREFIX_LENGTH,
        "max_expansions": MAX_EXPANSIONS,
    }
    return query


def _term(field: str, value: str) -> dict[str, Any]:
    return {"term": {field: {"value": value}}}


def phrase(field: str, text: str) -> dict[str, Any]:
    return {"match_phrase": {field: {"query": text}}}


def _constant(queries: list[dict[str, Any]], boost: float) -> dict[str, Any]:
    inner = (
        queries[0]
        if len(queries) == 1
        else {"bool": {"should": queries, "minimum_should_match": 1}}
    )
    return {"constant_score": {"filter": inner, "boost": boost}}


def multi_match(text: str, fields: tuple[str, ...], operator: str = "and") -> dict[str, Any]:
    # best_fields: cross_fields would forbid fuzziness; `and`: every token of the text
    # (a word can analyse to several: "e-reader") in the same field.
    return {
        "multi_match": {
            "query": text,
            "type": "best_fields",
            "fields": list(fields),
            "operator": operator,
        }
    }
