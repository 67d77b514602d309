"""Where the schema is built: types, scalars, limits, caches and error masking."""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig

from schema.document_gate import DocumentCache, DocumentGate, Limits
from schema.errors import MaskUnexpectedErrors
from schema.mutations import Mutation
from schema.queries import Query
from schema.scalars import SCALARS
from schema.subscriptions import Subscription

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 5_000
QUERY_CACHE_BYTES = 64 * 1024 * 1024


def build_schema(
    query_cache_size: int,
    query_cache_bytes: int = QUERY_CACHE_BYTES,
    *,
    cache: DocumentCache | None = None,
) -> strawberry.Schema:
    """The service's schema. Its document cache holds at most `query_cache_size` distinct
    queries and about `query_cache_bytes` of parsed documents (0 entries: no cache); pass
    `cache` to keep a handle on it (hit counts)."""
    shared = DocumentCache(query_cache_size, query_cache_bytes) if cache is None else cache
    limits = Limits(max_tokens=MAX_TOKENS, max_depth=MAX_DEPTH, max_aliases=MAX_ALIASES)
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        # Factories, not instances: Strawberry builds a fresh extension per request; the
        # cache they share lives as long as the schema.
        extensions=[lambda: DocumentGate(shared, limits), MaskUnexpectedErrors],
        config=StrawberryConfig(scalar_map=SCALARS),
    )
