"""The order document: the shape the projector writes (projections/document.py builds it)
and the queries read back. Field names are the index mapping's (read_model/mapping.py);
timestamps are UTC ISO 8601 strings with a `Z`, money decimal strings with two places."""

from __future__ import annotations

from typing import NotRequired, TypedDict


class CustomerPart(TypedDict):
    id: str
    name: str
    email: str


class LinePart(TypedDict):
    lineNo: int
    productId: str
    sku: str
    productName: str
    category: str | None
    quantity: int
    unitPrice: str | None
    lineTotal: str | None


class AddressPart(TypedDict):
    name: str
    line1: str
    line2: str | None
    city: str
    postalCode: str
    country: str


class PaymentPart(TypedDict):
    amount: str | None
    paidAt: str | None


class ShipmentPart(TypedDict):
    carrier: str
    trackingNumber: str
    shippedAt: str | None
    deliveredAt: str | None


class CancellationPart(TypedDict):
    reason: str
    cancelledAt: str | None


class Stamp(TypedDict):
    """The position of the batch that wrote the document (read_model/stamps.py)."""

    txid: int
    seq: int


class OrderDocument(TypedDict):
    id: str
    status: str  # an order_status.OrderStatus value
    version: int
    placedAt: str | None
    updatedAt: str | None
    customer: CustomerPart
    lines: list[LinePart]
    itemCount: int
    total: str | None
    currency: str
    shippingAddress: AddressPart
    payment: PaymentPart | None
    shipment: ShipmentPart | None
    cancellation: CancellationPart | None
    projectedAt: NotRequired[Stamp]  # set by the projector as it writes
