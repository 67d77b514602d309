"""The Order type and its parts, each built from the index document (projections/document.py).

The document already holds the contract's camelCase keys, money strings and UTC
ISO strings; `from_document` only turns them into the Python values the scalars
serialise. Nothing here reads anything but the document it is given.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry

from schema.enums import OrderStatus
from schema.scalars import parse_datetime

Doc = Mapping[str, Any]


def _when(value: str | None) -> datetime | None:
    return None if value is None else parse_datetime(value)


@strawberry.type(description="The customer as they are now (name and email follow updates).")
class OrderCustomer:
    id: strawberry.ID
    name: str
    email: str

    @classmethod
    def from_document(cls, doc: Doc) -> OrderCustomer:
        return cls(id=strawberry.ID(doc["id"]), name=doc["name"], email=doc["email"])


@strawberry.type(description="One line; unitPrice is fixed at placement, product data is current.")
class OrderLine:
    product_id: strawberry.ID
    sku: str
    product_name: str
    category: str | None
    quantity: int
    unit_price: Decimal
    line_total: Decimal

    @classmethod
    def from_document(cls, doc: Doc) -> OrderLine:
        return cls(
            product_id=strawberry.ID(doc["productId"]),
            sku=doc["sku"],
            product_name=doc["productName"],
            category=doc.get("category"),
            quantity=doc["quantity"],
            unit_price=Decimal(doc["unitPrice"]),
            line_total=Decimal(doc["lineTotal"]),
        )


@strawberry.type
class Address:
    name: str
    line1: str
    line2: str | None
    city: str
    postal_code: str
    country: str = strawberry.field(description="ISO 3166-1 alpha-2")

    @classmethod
    def from_document(cls, doc: Doc) -> Address:
        return cls(
            name=doc["name"],
            line1=doc["line1"],
            line2=doc.get("line2"),
            city=doc["city"],
            postal_code=doc["postalCode"],
            country=doc["country"],
        )


@strawberry.type
class Payment:
    amount: Decimal
    paid_at: datetime

    @classmethod
    def from_document(cls, doc: Doc) -> Payment:
        return cls(amount=Decimal(doc["amount"]), paid_at=parse_datetime(doc["paidAt"]))


@strawberry.type
class Shipment:
    carrier: str
    tracking_number: str
    shipped_at: datetime
    delivered_at: datetime | None

    @classmethod
    def from_document(cls, doc: Doc) -> Shipment:
        return cls(
            carrier=doc["carrier"],
            tracking_number=doc["trackingNumber"],
            shipped_at=parse_datetime(doc["shippedAt"]),
            delivered_at=_when(doc.get("deliveredAt")),
        )


@strawberry.type
class Cancellation:
    reason: str
    cancelled_at: datetime

    @classmethod
    def from_document(cls, doc: Doc) -> Cancellation:
        return cls(reason=doc["reason"], cancelled_at=parse_datetime(doc["cancelledAt"]))


@strawberry.type
class Order:
    id: strawberry.ID
    status: OrderStatus
    version: int
    placed_at: datetime
    updated_at: datetime
    customer: OrderCustomer
    lines: list[OrderLine]
    item_count: int
    total: Decimal
    currency: str
    shipping_address: Address
    payment: Payment | None
    shipment: Shipment | None
    cancellation: Cancellation | None

    @classmethod
    def from_document(cls, doc: Doc) -> Order:
        """Map one index document onto the GraphQL Order."""
        return cls(
            id=strawberry.ID(doc["id"]),
            status=OrderStatus(doc["status"]),
            version=doc["version"],
            placed_at=parse_datetime(doc["placedAt"]),
            updated_at=parse_datetime(doc["updatedAt"]),
            customer=OrderCustomer.from_document(doc["customer"]),
            lines=[OrderLine.from_document(line) for line in doc["lines"]],
            item_count=doc["itemCount"],
            total=Decimal(doc["total"]),
            currency=doc["currency"],
            shipping_address=Address.from_document(doc["shippingAddress"]),
            payment=_optional(Payment, doc.get("payment")),
            shipment=_optional(Shipment, doc.get("shipment")),
            cancellation=_optional(Cancellation, doc.get("cancellation")),
        )


def _optional(kind: Any, doc: Doc | None) -> Any:
    return None if doc is None else kind.from_document(doc)
