"""The statuses of an order: one enum for the write model (its lifecycle), the order
documents (the `status` field), the read side's filters and facets, and the GraphQL
contract (`schema/enums.py` wraps it). Values are the strings stored and indexed."""

from __future__ import annotations

from enum import StrEnum


class OrderStatus(StrEnum):
    """PLACED → PAID → SHIPPED → DELIVERED; CANCELLED from PLACED or PAID
    (commands/model/order.py holds the rules)."""

    PLACED = "PLACED"
    PAID = "PAID"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"
