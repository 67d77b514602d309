"""Search-box suggestions: `orderSuggestions(prefix, first)` and its typed results."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

import strawberry

if TYPE_CHECKING:
    from queries.suggestions import Suggestion


@strawberry.enum(description="What a suggested value is; each kind is searchable as it is.")
class OrderSuggestionKind(Enum):
    CUSTOMER_NAME = "CUSTOMER_NAME"
    EMAIL = "EMAIL"
    PRODUCT_NAME = "PRODUCT_NAME"
    SKU = "SKU"
    ORDER_ID = "ORDER_ID"


@strawberry.type(description="A value starting with the typed prefix, for `orders(search:)`.")
class OrderSuggestion:
    kind: OrderSuggestionKind
    value: str = strawberry.field(description="The value as the orders show it.")
    order_count: int = strawberry.field(
        description="How many orders show this value (1 for an ORDER_ID)."
    )
    order_id: strawberry.ID | None = strawberry.field(
        description="ORDER_ID only: the order, to open it directly."
    )

    @classmethod
    def from_suggestion(cls, suggestion: Suggestion) -> OrderSuggestion:
        return cls(
            kind=OrderSuggestionKind(suggestion.kind),
            value=suggestion.value,
            order_count=suggestion.order_count,
            order_id=None if suggestion.order_id is None else strawberry.ID(suggestion.order_id),
        )
