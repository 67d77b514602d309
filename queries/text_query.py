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

from dataclasses import dataclass
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

__all__ = [
    "MAX_TEXT_LENGTH",
    "ORDER_TEXT",
    "TextFields",
    "clean_input",
    "normalise_text",
    "text_query",
    "words_of",
]

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


@dataclass(frozen=True)
class TextFields:
    """Which fields of a view's documents play each part in the ranking above. The
    constants of this module are the order view's (ORDER_TEXT); queries/customer_search.py
    names the customer view's. Every tuple names at least one field."""

    id_field: str  # lowercase ids, matched exactly by the whole text
    exact: tuple[str, ...]  # EXACT: the whole text equals the value (normalised keywords)
    key_terms: tuple[str, ...]  # KEY, as a term
    key_matches: tuple[str, ...]  # KEY, analysed (an email's local part and domain)
    phrases: tuple[str, ...]  # PHRASE
    spelled: tuple[str, ...]  # SPELLED: accents kept
    words: tuple[str, ...]  # EXACT_WORD, folded
    secondary: tuple[str, ...]  # EXACT_WORD * SECONDARY
    fuzzy: tuple[str, ...]  # TYPO, for typo-tolerant words
    email: str  # a word with `@`: one typo after its first three letters
    keywords: tuple[str, ...]  # EXACT_WORD: identifiers a word can equal (no typos)
    prefixes: tuple[str, ...]  # PREFIX: edge n-gram subfields
    ident_prefixes: tuple[str, ...]  # IDENT_PREFIX: the whole spaced text as one prefix
    city: str | None = None  # where English city names find the city's own (synonyms)


ORDER_TEXT = TextFields(
    id_field=ID_FIELD,
    exact=EXACT_FIELDS,
    key_terms=KEY_TERM_FIELDS,
    key_matches=KEY_MATCH_FIELDS,
    phrases=PHRASE_FIELDS,
    spelled=SPELLED_FIELDS,
    words=WORD_FIELDS,
    secondary=SECONDARY_FIELDS,
    fuzzy=FUZZY_FIELDS,
    email=EMAIL_FIELD,
    keywords=KEYWORD_FIELDS,
    prefixes=PREFIX_FIELDS,
    ident_prefixes=IDENT_PREFIX_FIELDS,
    city=CITY_FIELD,
)


def text_query(text: str, fields: TextFields = ORDER_TEXT) -> dict[str, Any]:
    """Score-tiered alternatives (see the module docstring); any one makes a hit."""
    parsed = parse(text)
    should = identifier_clauses(parsed, fields)
    if parsed.words:
        should += word_clauses(parsed.words, fields)
    return {"bool": {"should": should, "minimum_should_match": 1}}


def word_clauses(words: list[str], fields: TextFields = ORDER_TEXT) -> list[dict[str, Any]]:
    """The words as a phrase, and every word (unit) somewhere."""
    joined = " ".join(words)
    every_word: dict[str, Any] = {"bool": {"must": [_unit(u, fields) for u in units(words)]}}
    if len(words) > 1:
        together = multi_match(joined, fields.words + fields.secondary)
        every_word["bool"]["should"] = [_constant([together], ALL_IN_ONE_FIELD_BOOST)]
    return [_constant([phrase(f, joined) for f in fields.phrases], PHRASE_BOOST), every_word]


def identifier_clauses(parsed: SearchText, fields: TextFields = ORDER_TEXT) -> list[dict[str, Any]]:
    """The whole text as an identifier, a key or an identifier prefix, if it can be one."""
    if not parsed.identifier_like:
        return []
    text = parsed.text
    exact = [_term(fields.id_field, text.lower()), *(_term(f, text) for f in fields.exact)]
    keys = [_term(field, text) for field in fields.key_terms]
    keys += [{"match": {field: {"query": text}}} for field in fields.key_matches]
    clauses = [_constant(exact, EXACT_BOOST), _constant(keys, KEY_BOOST)]
    if parsed.spaced_identifier:
        prefix = multi_match(text, fields.ident_prefixes, operator="and")
        clauses.append({"constant_score": {"filter": prefix, "boost": IDENT_PREFIX_BOOST}})
    return clauses


def _unit(unit: Unit, fields: TextFields) -> dict[str, Any]:
    """One word (or a synonym key's words), scored by its best tier."""
    words = (
        _word(unit.words[0], fields)
        if len(unit.words) == 1
        else {"bool": {"must": [_word(w, fields) for w in unit.words]}}
    )
    if fields.city is None or not unit.cities:  # no synonym, or a view without cities
        return words
    cities = [phrase(fields.city, city) for city in unit.cities]
    return {"dis_max": {"queries": [words, _constant(cities, EXACT_WORD * len(unit.words))]}}


def _word(word: str, fields: TextFields) -> dict[str, Any]:
    """One word, in any field: as spelled, whole, an identifier, a prefix or with typos."""
    tiers = [
        _constant([multi_match(word, fields.spelled)], SPELLED),
        _constant([multi_match(word, fields.words + fields.keywords)], EXACT_WORD),
        _constant([multi_match(word, fields.secondary)], EXACT_WORD * SECONDARY),
        _constant([multi_match(word, fields.prefixes)], PREFIX),
    ]
    if typo_tolerant(word):
        tiers.append(_constant([fuzzy_match(word, fields.fuzzy)], TYPO))
    if "@" in word:
        email = multi_match(word, (fields.email,))
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
