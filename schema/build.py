"""Where the schema is built: types, scalars, limits, caches and error masking."""

from __future__ import annotations

import strawberry
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig

from schema.errors import MaskUnexpectedErrors
from schema.mutations import Mutation
from schema.queries import Query
from schema.scalars import SCALARS

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 5_000


def build_schema(query_cache_size: int) -> strawberry.Schema:
    """The service's schema; `query_cache_size` bounds the parse and validation LRU caches."""
    extensions: list[object] = [
        MaxTokensLimiter(max_token_count=MAX_TOKENS),
        MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        QueryDepthLimiter(max_depth=MAX_DEPTH),
        MaskUnexpectedErrors,
    ]
    if query_cache_size > 0:
        # Bounded on purpose: unique query texts must not grow memory without limit.
        extensions += [
            lambda: ParserCache(maxsize=query_cache_size),
            lambda: ValidationCache(maxsize=query_cache_size),
        ]
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        extensions=extensions,  # type: ignore[arg-type]
        config=StrawberryConfig(scalar_map=SCALARS),
    )
