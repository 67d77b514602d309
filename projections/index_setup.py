"""The order index: settings, explicit mappings and lifecycle (create, alias, progress).

Bump MAPPING_VERSION whenever `index_body()` changes; a rebuild then fills a new
physical index and swaps the alias (invariant 10).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from positions import Position
from search_engine import names
from search_engine.client import SearchClient, SearchError

MAPPING_VERSION = 1

_IDENT_MAX_GRAM = 40  # a whole UUID (36 chars) still has its own prefix token
_WORD_MAX_GRAM = 20
_FOLD = ["lowercase", "asciifolding"]  # case- and accent-insensitive: "Müller" ~ "muller"


def _analysis() -> dict[str, Any]:
    return {
        # Edge n-gram *tokenizers* (not filters) give every prefix its own offsets, so a
        # highlight marks what was typed: "<em>Marg</em>arethe", "<em>1ZTRK00</em>0012".
        "tokenizer": {
            "word_prefixes": {
                "type": "edge_ngram",
                "min_gram": 1,
                "max_gram": _WORD_MAX_GRAM,
                "token_chars": ["letter", "digit"],
            },
            # token_chars [] keeps the whole identifier, dashes and spaces included.
            "ident_prefixes": {
                "type": "edge_ngram",
                "min_gram": 1,
                "max_gram": _IDENT_MAX_GRAM,
                "token_chars": [],
            },
            # Splits "alice.smith@example.com" / "SKU-RED-001" into alphanumeric parts.
            "alnum_parts": {"type": "pattern", "pattern": "[^\\p{L}\\p{N}]+"},
        },
        "analyzer": {
            # Names and cities: "Müller" matches "muller" and "MULLER".
            "folded": {"tokenizer": "standard", "filter": _FOLD},
            # Index side of as-you-type matching on words: "ali" → "Alice Smith".
            "folded_prefix": {"tokenizer": "word_prefixes", "filter": _FOLD},
            # Search side of identifier prefixes: the typed text stays one token.
            "ident": {"tokenizer": "keyword", "filter": _FOLD},
            "ident_prefix": {"tokenizer": "ident_prefixes", "filter": _FOLD},
            "parts": {"tokenizer": "alnum_parts", "filter": _FOLD},
        },
        "normalizer": {
            # Exact identifiers compare case-insensitively (term queries are normalised too).
            "lower": {"type": "custom", "filter": ["lowercase", "asciifolding"]},
            "upper": {"type": "custom", "filter": ["uppercase"]},
        },
    }


def _text(prefix: bool = True) -> dict[str, Any]:
    """Full text, folded; `.prefix` holds edge n-grams searched with the plain analyzer."""
    field: dict[str, Any] = {"type": "text", "analyzer": "folded"}
    if prefix:
        field["fields"] = {
            "prefix": {"type": "text", "analyzer": "folded_prefix", "search_analyzer": "folded"}
        }
    return field


def _ident(normalizer: str | None = "lower", parts: bool = False) -> dict[str, Any]:
    """An identifier: exact keyword (for term matches/filters) + `.prefix` for as-you-type."""
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


_KEYWORD = {"type": "keyword"}
_DATE = {"type": "date"}  # ISO with ms and Z from the document builder
_INT = {"type": "integer"}
# Money: the _source keeps the exact string ("12.50"); the index holds cents for
# range filters, sorting and range facets without float rounding surprises.
_MONEY = {"type": "scaled_float", "scaling_factor": 100}
_STORED_ONLY = {"type": "text", "index": False}


def _properties() -> dict[str, Any]:
    return {
        # Plain keyword (no normaliser): exact GET/sort tiebreaker; `.prefix` for typing ids.
        "id": _ident(normalizer=None),
        "status": _KEYWORD,
        "version": _INT,
        "placedAt": _DATE,
        "updatedAt": _DATE,
        "customer": _object(
            id=_KEYWORD,
            name=_text(),
            # Keyword for exact (case-insensitive) match; `.parts` finds "smith" in an email.
            email=_ident(parts=True),
        ),
        # A plain object array, not nested: filters and facets count orders, and no
        # query needs two properties of the same line to match together.
        "lines": _object(
            lineNo=_INT,
            productId=_KEYWORD,
            sku=_ident(parts=True),
            productName=_text(),
            category=_KEYWORD,  # facet values as written
            quantity=_INT,
            unitPrice=_MONEY,
            lineTotal=_MONEY,
        ),
        "itemCount": _INT,
        "total": _MONEY,
        "currency": _KEYWORD,
        "shippingAddress": _address(),
        "payment": _object(amount=_MONEY, paidAt=_DATE),
        "shipment": _object(
            carrier=_KEYWORD, trackingNumber=_ident(), shippedAt=_DATE, deliveredAt=_DATE
        ),
        "cancellation": _object(reason=_STORED_ONLY, cancelledAt=_DATE),
    }


def _address() -> dict[str, Any]:
    return _object(
        name=_text(prefix=False),
        line1=_text(prefix=False),
        line2=_text(prefix=False),
        city=_text(),
        postalCode=_ident(),
        country={"type": "keyword", "normalizer": "upper"},  # ISO alpha-2, as a facet value
    )


def _object(**properties: dict[str, Any]) -> dict[str, Any]:
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
            "analysis": _analysis(),
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
            },
        },
    }


def _timestamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")[:-3]


async def ensure_index(client: SearchClient, prefix: str) -> str:
    """Return the physical index behind alias `prefix`, creating index + alias if missing."""
    await _ensure_progress_index(client, prefix)
    alias = names.alias(prefix)
    targets = await client.alias_targets(alias)
    if targets:
        return targets[-1]
    name = names.physical_index(prefix, MAPPING_VERSION, _timestamp())
    body = index_body()
    # The alias is created with the index, as its write index: when two processes race,
    # the engine rejects the second index ("more than one write index") atomically, so
    # the alias never points at two indices and the loser adopts the winner's index.
    body["aliases"] = {alias: {"is_write_index": True}}
    try:
        await client.create_index(name, body)
    except SearchError:
        targets = await client.alias_targets(alias)
        if not targets:
            raise
        return targets[-1]
    return name


async def _ensure_progress_index(client: SearchClient, prefix: str) -> None:
    name = names.progress_index(prefix)
    if await client.index_exists(name):
        return
    try:
        await client.create_index(name, progress_body())
    except SearchError as exc:
        if exc.error_type != "resource_already_exists_exception":
            raise


async def publish_progress(client: SearchClient, prefix: str, position: Position) -> None:
    """Publish the projector's position; call only once its documents are searchable."""
    doc = {
        "txid": position.txid,
        "seq": position.seq,
        "updatedAt": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }
    await client.put_document(
        names.progress_index(prefix), names.PROGRESS_DOC_ID, doc, refresh=True
    )


async def drop_all(client: SearchClient, prefix: str) -> None:
    """Delete every index of this prefix (tests, local resets)."""
    doomed = set(await client.alias_targets(names.alias(prefix)))
    # Every mapping version's physical indices: names.physical_index gives "<prefix>-v<n>-…".
    doomed.update(await client.indices(f"{prefix}-v*"))
    doomed.add(names.progress_index(prefix))
    for name in sorted(doomed):
        await client.delete_index(name)
