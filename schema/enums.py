"""Enums of the contract; their values are the strings the index and the read side use."""

from __future__ import annotations

from enum import Enum

import strawberry

from order_status import OrderStatus as OrderStatus

# The shared enum is the GraphQL type itself (strawberry.enum registers it in place).
strawberry.enum(OrderStatus, name="OrderStatus")


@strawberry.enum
class OrderSortField(Enum):
    RELEVANCE = "RELEVANCE"
    PLACED_AT = "PLACED_AT"
    UPDATED_AT = "UPDATED_AT"
    TOTAL = "TOTAL"


@strawberry.enum
class SortDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"
