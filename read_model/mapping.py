"""The order index's settings and explicit mappings, and the progress index's.

Bump MAPPING_VERSION whenever `index_body()` changes; a rebuild then fills a new
physical index and swaps the alias (docs/ARCHITECTURE.md, invariant 10).

How each searchable field is analysed (queries/text_query.py decides how they rank):

- customer.name, lines.productName, shippingAddress.city: `folded` text ("José Müller"
  ~ "jose muller", "O'Brien" ~ "obrien"), `.prefix` word edge n-grams for as-you-type
  ("mül"), `.spelled` lower case with the accents kept ("inês" is not "inés": the
  spelling typed ranks first); names also `.key`, the whole folded value that
  suggestions group by.
- shippingAddress.line1 (the street and house number): `folded` text and `.prefix`.
- customer.email: keyword, lowercase (whole, exact); `.prefix`; `.parts` ("smith");
  `.local` / `.domain`, exactly "alice.smith" or "example.com".
- lines.sku, id: keyword (exact); `.prefix` ignoring case and punctuation ("skured" ~
  "SKU-RED-001"); SKUs also `.parts` ("red").
- shipment.trackingNumber: keyword, lowercase (exact, never fuzzy); `.prefix`.
- shippingAddress.postalCode: keyword, lowercase (exact); `.prefix` ignoring spaces and
  dashes ("sw1a", "80831" ~ "80-831").
- lines.category: keyword (facet values and filter as written); `.text` folded text.
- shippingAddress.country: keyword, uppercase ISO code (filter and facet value).

Every analysis component used is in both Elasticsearch 8/9 and OpenSearch 2/3.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

# 3: documents carry `projectedAt` (the change feed); 4: `.spelled` subfields, line1 prefixes
MAPPING_VERSION = 4

_IDENT_MAX_GRAM = 40  # a whole compacted UUID (32 chars) still has its own prefix token
_WORD_MAX_GRAM = 20
_FOLD = ["lowercase", "asciifolding"]  # case- and accent-insensitive: "Müller" ~ "muller"
_NOT_ALNUM = "[^\\p{L}\\p{N}]+"


def analysis() -> dict[str, Any]:
    return {
        "char_filter": {
            # "O'Brien" is one word, "obrien": typed with or without the apostrophe.
            "no_apostrophes": {
                "type": "pattern_replace",
                "pattern": "['\u2019`\u02bc]",
                "replacement": "",
            },
            # Identifiers compare without punctuation for prefixes: "SW1A 1AA" ~ "sw1a1aa",
            # "80-831" ~ "80831", "SKU-RED" ~ "sku red" (exact matches keep it, see _ident).
            "compact": {"type": "pattern_replace", "pattern": _NOT_ALNUM, "replacement": ""},
            # Index side of the email parts: "alice.smith@example.com" → "alice.smith",
            # "example.com".
            "email_local": {"type": "pattern_replace", "pattern": "@.*", "replacement": ""},
            "email_domain": {"type": "pattern_replace", "pattern": "^[^@]*@", "replacement": ""},
            # Search side: a typed "alice.smith@" or "@example.com" means the same part.
            "trailing_at": {"type": "pattern_replace", "pattern": "@+$", "replacement": ""},
            "leading_at": {"type": "pattern_replace", "pattern": "^@+", "replacement": ""},
        },
        # Edge n-gram *tokenizers* (not filters) give every prefix its own offsets, so a
        # highlight marks what was typed: "<em>Marg</em>arethe", "<em>1ZTRK00</em>0012".
        "tokenizer": {
            "word_prefixes": {
                "type": "edge_ngram",
                "min_gram": 1,
                "max_gram": _WORD_MAX_GRAM,
                "token_chars": ["letter", "digit"],
            },
            # token_chars [] keeps the whole (compacted) identifier as one string.
            "ident_prefixes": {
                "type": "edge_ngram",
                "min_gram": 1,
                "max_gram": _IDENT_MAX_GRAM,
                "token_chars": [],
            },
            # Splits "alice.smith@example.com" / "SKU-RED-001" into alphanumeric parts.
            "alnum_parts": {"type": "pattern", "pattern": _NOT_ALNUM},
        },
        "analyzer": {
            # Names, cities, product names, categories: "José Müller" ~ "jose muller".
            "folded": {
                "tokenizer": "standard",
                "char_filter": ["no_apostrophes"],
                "filter": _FOLD,
            },
            # Words as spelled, only lower-cased: "Inês" ≠ "Inés", "Bjørn" ≠ "Björn".
            "spelled": {
                "tokenizer": "standard",
                "char_filter": ["no_apostrophes"],
                "filter": ["lowercase"],
            },
            # Index side of as-you-type matching on words: "ali" → "Alice Smith".
            "folded_prefix": {
                "tokenizer": "word_prefixes",
                "char_filter": ["no_apostrophes"],
                "filter": _FOLD,
            },
            # Identifier prefixes: index every prefix of the compacted value; search with
            # the typed text compacted into one token ("1ztrk 0001" → "1ztrk0001").
            "ident_prefix": {
                "tokenizer": "ident_prefixes",
                "char_filter": ["compact"],
                "filter": _FOLD,
            },
            "ident": {"tokenizer": "keyword", "char_filter": ["compact"], "filter": _FOLD},
            "parts": {"tokenizer": "alnum_parts", "filter": _FOLD},
            "email_local": {
                "tokenizer": "keyword",
                "char_filter": ["email_local"],
                "filter": _FOLD,
            },
            "email_local_query": {
                "tokenizer": "keyword",
                "char_filter": ["trailing_at"],
                "filter": _FOLD,
            },
            "email_domain": {
                "tokenizer": "keyword",
                "char_filter": ["email_domain"],
                "filter": _FOLD,
            },
            "email_domain_query": {
                "tokenizer": "keyword",
                "char_filter": ["leading_at"],
                "filter": _FOLD,
            },
        },
        "normalizer": {
            # Exact identifiers compare case- and accent-insensitively (term queries are
            # normalised too).
            "lower": {"type": "custom", "filter": _FOLD},
            # Suggestion keys of names: folded like the `folded` analyzer, one term per value.
            "name_key": {"type": "custom", "char_filter": ["no_apostrophes"], "filter": _FOLD},
            "upper": {"type": "custom", "filter": ["uppercase"]},
        },
    }


def text_field(prefix: bool = True, key: bool = False, spelled: bool = False) -> dict[str, Any]:
    """Full text, folded. `.prefix`: word edge n-grams searched with the plain analyzer;
    `.key`: the whole value folded, for suggestions (terms aggregation + include regex);
    `.spelled`: the words with their accents."""
    field: dict[str, Any] = {"type": "text", "analyzer": "folded"}
    subfields: dict[str, Any] = {}
    if spelled:
        subfields["spelled"] = {"type": "text", "analyzer": "spelled"}
    if prefix:
        subfields["prefix"] = {
            "type": "text",
            "analyzer": "folded_prefix",
            "search_analyzer": "folded",
        }
    if key:
        subfields["key"] = {"type": "keyword", "normalizer": "name_key", "ignore_above": 256}
    if subfields:
        field["fields"] = subfields
    return field


def ident_field(normalizer: str | None = "lower", parts: bool = False) -> dict[str, Any]:
    """An identifier: the keyword itself is the exact match (and filter), `.prefix` matches
    any prefix of it ignoring case and punctuation, `.parts` its alphanumeric parts."""
    field: dict[str, Any] = {"type": "keyword", "ignore_above": 256}
    if normalizer:
        field["normalizer"] = normalizer
    subfields: dict[str, Any] = {
        "prefix": {"type": "text", "analyzer": "ident_prefix", "search_analyzer": "ident"}
    }
    if parts:
        subfields["parts"] = {"type": "text", "analyzer": "parts"}
    field["fields"] = subfields
    return field


def email_field() -> dict[str, Any]:
    """Whole (keyword), by prefix, by parts, and exactly by local part or by domain."""
    field = ident_field(parts=True)
    field["fields"]["local"] = {
        "type": "text",
        "analyzer": "email_local",
        "search_analyzer": "email_local_query",
    }
    field["fields"]["domain"] = {
        "type": "text",
        "analyzer": "email_domain",
        "search_analyzer": "email_domain_query",
    }
    return field


_KEYWORD = {"type": "keyword"}
_DATE = {"type": "date"}  # ISO with ms and Z from the document builder
_INT = {"type": "integer"}
_LONG = {"type": "long"}
# Money: the _source keeps the exact string ("12.50"); the index holds cents for
# range filters, sorting and range facets without float rounding surprises.
_MONEY = {"type": "scaled_float", "scaling_factor": 100}
_STORED_ONLY = {"type": "text", "index": False}


def _properties() -> dict[str, Any]:
    return {
        # Plain keyword (no normaliser): exact GET and the unique sort tiebreaker (ids are
        # lowercase UUIDs, so exact search lowercases the typed text); `.prefix` for typing.
        "id": ident_field(normalizer=None),
        "status": _KEYWORD,
        "version": _INT,
        "placedAt": _DATE,
        "updatedAt": _DATE,
        "customer": object_field(
            id=_KEYWORD, name=text_field(key=True, spelled=True), email=email_field()
        ),
        # A plain object array, not nested: filters and facets count orders, and no
        # query needs two properties of the same line to match together.
        "lines": object_field(
            lineNo=_INT,
            productId=_KEYWORD,
            sku=ident_field(parts=True),
            productName=text_field(key=True, spelled=True),
            # Keyword: facet values as written (and the category filter); `.text` searchable.
            category={"type": "keyword", "fields": {"text": text_field(prefix=False)}},
            quantity=_INT,
            unitPrice=_MONEY,
            lineTotal=_MONEY,
        ),
        "itemCount": _INT,
        "total": _MONEY,
        "currency": _KEYWORD,
        "shippingAddress": _address(),
        "payment": object_field(amount=_MONEY, paidAt=_DATE),
        # Tracking numbers: exact (keyword, case-insensitive) and by prefix while typing.
        "shipment": object_field(
            carrier=_KEYWORD, trackingNumber=ident_field(), shippedAt=_DATE, deliveredAt=_DATE
        ),
        "cancellation": object_field(reason=_STORED_ONLY, cancelledAt=_DATE),
        # The position of the batch that wrote the document: live updates search for the
        # documents stamped between two published positions (queries/change_feed.py).
        "projectedAt": object_field(txid=_LONG, seq=_LONG),
    }


def _address() -> dict[str, Any]:
    return object_field(
        name=text_field(prefix=False),
        line1=text_field(),
        line2=text_field(prefix=False),
        city=text_field(spelled=True),
        # Exact ("80-831") and by prefix, punctuation-insensitive ("80831", "sw1a").
        postalCode=ident_field(),
        country={"type": "keyword", "normalizer": "upper"},  # ISO alpha-2, as a facet value
    )


def object_field(**properties: dict[str, Any]) -> dict[str, Any]:
    """An inner object (absent/null parts such as `payment` simply index nothing)."""
    return {"properties": properties}


def index_body() -> dict[str, Any]:
    """Settings + explicit strict mappings of the order index (MAPPING_VERSION)."""
    return {
        "settings": {
            # One shard keeps relevance scores exact, so paging by score is stable; grow it
            # (with a new MAPPING_VERSION and a rebuild) when the index outgrows one shard.
            "number_of_shards": 1,
            "auto_expand_replicas": "0-1",  # a replica when a second node exists
            "analysis": analysis(),
        },
        # strict: a document field the mapping does not know is a bug, not a new field.
        "mappings": {"dynamic": "strict", "properties": _properties()},
    }


def progress_body() -> dict[str, Any]:
    """The tiny index holding the projector's published position."""
    return {
        "settings": {"number_of_shards": 1, "auto_expand_replicas": "0-1"},
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "txid": {"type": "long"},
                "seq": {"type": "long"},
                "updatedAt": _DATE,
                "state": REBUILD_STATE,
            },
        },
    }


# A rebuild's own bookkeeping inside its progress document: kept, never searched.
REBUILD_STATE = {"type": "object", "enabled": False}


def index_meta() -> dict[str, Any]:
    """Stored in every physical index's `_meta`: which mapping built it (start-up check)."""
    return mapping_meta(MAPPING_VERSION, index_body())


def mapping_meta(version: int, body: dict[str, Any]) -> dict[str, Any]:
    """A mapping's version and the digest of its whole index body."""
    digest = hashlib.sha1(json.dumps(body, sort_keys=True).encode()).hexdigest()
    return {"mapping_version": version, "mapping_digest": digest}
