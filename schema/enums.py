"""Enums of the contract; their values are the strings the index and the read side use."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum
class OrderStatus(Enum):
    PLACED = "PLACED"
    PAID = "PAID"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"


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
