"""Where the schema is built: types, scalars, limits, caches and error masking."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import strawberry
from strawberry.schema.config import BatchingConfig, StrawberryConfig
from strawberry.tools import merge_types

from queries.search_request import MAX_PAGE_SIZE
from queries.suggestions import MAX_SUGGESTIONS
from schema.authentication import RefuseBadTokens
from schema.customers import CustomerQuery, CustomerSubscription
from schema.document_gate import DocumentCache, DocumentGate
from schema.document_limits import Limits, PageSize
from schema.error_log import OrdersSchema
from schema.errors import MaskUnexpectedErrors
from schema.execution import FastExecutionContext
from schema.mutations import Mutation
from schema.operation_choice import RequireOperationName
from schema.queries import DEFAULT_FIRST, DEFAULT_SUGGESTIONS, Query
from schema.sales import SalesQuery
from schema.scalars import SCALARS
from schema.subscriptions import Subscription

if TYPE_CHECKING:
    from settings import Settings

QUERY_CACHE_BYTES = 64 * 1024 * 1024
# The fields whose `first` multiplies the cost of their selections (schema/queries.py).
PAGE_SIZES = {
    "orders": PageSize(default=DEFAULT_FIRST, largest=MAX_PAGE_SIZE),
    "orderSuggestions": PageSize(default=DEFAULT_SUGGESTIONS, largest=MAX_SUGGESTIONS),
    "customers": PageSize(default=DEFAULT_FIRST, largest=MAX_PAGE_SIZE),
}
LIMITS = Limits(page_sizes=PAGE_SIZES)


def limits_from(settings: Settings) -> Limits:
    """The document limits the settings ask for (QUERY_MAX_*)."""
    return Limits(
        max_tokens=settings.query_max_tokens,
        max_depth=settings.query_max_depth,
        max_aliases=settings.query_max_aliases,
        max_spreads=settings.query_max_spreads,
        max_fragment_nesting=settings.query_max_fragment_nesting,
        max_cost=settings.query_max_cost,
        page_sizes=PAGE_SIZES,
    )


# The root query fields of every read model: one type per view, merged into `Query`.
QUERY_TYPES: tuple[type, ...] = (Query, CustomerQuery, SalesQuery)
# Likewise the root subscription fields.
SUBSCRIPTION_TYPES: tuple[type, ...] = (Subscription, CustomerSubscription)


class QuietExecutionContext(FastExecutionContext):
    """Leaves "Did you mean ...?" out of the errors of variable values (production)."""

    @classmethod
    def build(cls, *args: Any, **kwargs: Any) -> Any:
        return super().build(*args, **{**kwargs, "hide_suggestions": True})


def build_schema(
    query_cache_size: int,
    query_cache_bytes: int = QUERY_CACHE_BYTES,
    *,
    cache: DocumentCache | None = None,
    limits: Limits = LIMITS,
    production: bool = False,
    max_batch: int = 0,
) -> strawberry.Schema:
    """The service's schema. Its document cache holds at most `query_cache_size` distinct
    queries and about `query_cache_bytes` of parsed documents (0 entries: no cache); pass
    `cache` to keep a handle on it (hit counts). `production`: no introspection and no
    suggestions in errors; `max_batch` > 0 accepts a JSON array of that many operations."""
    shared = DocumentCache(query_cache_size, query_cache_bytes) if cache is None else cache
    batching = BatchingConfig(max_operations=max_batch) if max_batch > 0 else None
    return OrdersSchema(
        query=merge_types("Query", QUERY_TYPES),
        mutation=Mutation,
        subscription=merge_types("Subscription", SUBSCRIPTION_TYPES),
        # Factories, not instances: Strawberry builds a fresh extension per request; the
        # cache they share lives as long as the schema.
        extensions=[
            lambda: DocumentGate(shared, limits, production),
            RefuseBadTokens,
            RequireOperationName,
            MaskUnexpectedErrors,
        ],
        config=StrawberryConfig(scalar_map=SCALARS, batching_config=batching),
        execution_context_class=QuietExecutionContext if production else FastExecutionContext,
    )
