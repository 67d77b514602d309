"""Where the schema is built: types, scalars, limits, caches and error masking."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig

from schema.errors import MaskUnexpectedErrors
from schema.mutations import Mutation
from schema.queries import Query
from schema.scalars import SCALARS
from schema.subscriptions import Subscription

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 5_000


class ReportingParserCache(ParserCache):
    """Strawberry's bounded ParserCache, but a syntax error takes Strawberry's normal path.

    Raised inside the extension, a parse error would bypass every `on_operation`
    hook, so it would reach the client without an `extensions.code`. Leaving the
    document unset makes Strawberry parse again and report the error as usual.
    """

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        with contextlib.suppress(GraphQLError):
            context.graphql_document = self.cached_parse_document(
                context.query, **context.parse_options
            )
        yield


def build_schema(query_cache_size: int) -> strawberry.Schema:
    """The service's schema; `query_cache_size` bounds the parse and validation LRU caches."""
    # Factories, not instances: Strawberry builds a fresh extension per request.
    extensions: list[Callable[[], SchemaExtension]] = [
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        MaskUnexpectedErrors,
    ]
    if query_cache_size > 0:
        # Bounded on purpose: unique query texts must not grow memory without limit.
        extensions += [
            lambda: ReportingParserCache(maxsize=query_cache_size),
            lambda: ValidationCache(maxsize=query_cache_size),
        ]
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        config=StrawberryConfig(scalar_map=SCALARS),
    )
