"""Query inputs: filter, sort and consistency, translated to the read side's request types."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry

from queries.search_request import OrderFilter, SortSpec
from schema.enums import OrderSortField, OrderStatus, SortDirection

DEFAULT_TIMEOUT_MS = 2000


@strawberry.input(description="Wait until the index has caught up to a mutation's position.")
class ConsistencyInput:
    at_least: str
    timeout_ms: int | None = DEFAULT_TIMEOUT_MS  # null means the default, as the contract allows

    def timeout(self) -> int:
        """Milliseconds to wait; an explicit null means the default."""
        return DEFAULT_TIMEOUT_MS if self.timeout_ms is None else self.timeout_ms


@strawberry.input(name="OrderFilter")
class OrderFilterInput:
    status: list[OrderStatus] | None = None
    customer_id: strawberry.ID | None = None
    product_id: strawberry.ID | None = None
    sku: str | None = None
    country: str | None = None
    placed_from: datetime | None = None
    placed_to: datetime | None = None
    total_min: Decimal | None = None
    total_max: Decimal | None = None
    category: list[str] | None = strawberry.field(
        default=None,
        description="Orders with a line in any of these product categories (facet values).",
    )

    def to_filter(self) -> OrderFilter:
        return OrderFilter(
            status=None if self.status is None else [status.value for status in self.status],
            customer_id=_str(self.customer_id),
            product_id=_str(self.product_id),
            sku=self.sku,
            country=self.country,
            placed_from=self.placed_from,
            placed_to=self.placed_to,
            total_min=self.total_min,
            total_max=self.total_max,
            category=self.category,
        )


@strawberry.input(name="OrderSort")
class OrderSortInput:
    field: OrderSortField
    direction: SortDirection | None = SortDirection.DESC

    def to_sort(self) -> SortSpec:
        direction = self.direction or SortDirection.DESC
        return SortSpec(field=self.field.value, direction=direction.value)


def _str(value: strawberry.ID | None) -> str | None:
    return None if value is None else str(value)
