"""Events, past tense, as appended to the outbox: each name and its payload's shape.

Payloads are JSON objects with camelCase keys; money is a decimal string with two
places. The projector only needs the stream to know which order documents to rebuild;
the payloads are the record of what happened (and what other consumers read).
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

CUSTOMER_REGISTERED = "CustomerRegistered"
CUSTOMER_UPDATED = "CustomerUpdated"
PRODUCT_ADDED = "ProductAdded"
PRODUCT_UPDATED = "ProductUpdated"
ORDER_PLACED = "OrderPlaced"
SHIPPING_ADDRESS_UPDATED = "ShippingAddressUpdated"
ORDER_PAID = "OrderPaid"
ORDER_SHIPPED = "OrderShipped"
ORDER_DELIVERED = "OrderDelivered"
ORDER_CANCELLED = "OrderCancelled"


class CustomerRegistered(TypedDict):
    customerId: str
    name: str
    email: str


class CustomerUpdated(TypedDict):
    """The changed fields only."""

    customerId: str
    name: NotRequired[str]
    email: NotRequired[str]


class ProductAdded(TypedDict):
    productId: str
    sku: str
    name: str
    category: str | None
    price: str
    currency: str


class ProductUpdated(TypedDict):
    """The changed fields only."""

    productId: str
    name: NotRequired[str]
    category: NotRequired[str]
    price: NotRequired[str]


class AddressData(TypedDict):
    name: str
    line1: str
    line2: str | None
    city: str
    postalCode: str
    country: str


class LineData(TypedDict):
    productId: str
    quantity: int
    unitPrice: str


class OrderPlaced(TypedDict):
    orderId: str
    customerId: str
    lines: list[LineData]
    shippingAddress: AddressData
    total: str
    currency: str


class ShippingAddressUpdated(TypedDict):
    orderId: str
    shippingAddress: AddressData


class OrderPaid(TypedDict):
    orderId: str
    amount: str


class OrderShipped(TypedDict):
    orderId: str
    carrier: str
    trackingNumber: str


class OrderDelivered(TypedDict):
    orderId: str


class OrderCancelled(TypedDict):
    orderId: str
    reason: str


Payload = (
    CustomerRegistered
    | CustomerUpdated
    | ProductAdded
    | ProductUpdated
    | OrderPlaced
    | ShippingAddressUpdated
    | OrderPaid
    | OrderShipped
    | OrderDelivered
    | OrderCancelled
)

ALL = frozenset(
    {
        CUSTOMER_REGISTERED,
        CUSTOMER_UPDATED,
        PRODUCT_ADDED,
        PRODUCT_UPDATED,
        ORDER_PLACED,
        SHIPPING_ADDRESS_UPDATED,
        ORDER_PAID,
        ORDER_SHIPPED,
        ORDER_DELIVERED,
        ORDER_CANCELLED,
    }
)

# Events that change what existing order documents show (fan-out:
# docs/ARCHITECTURE.md, invariant 5).
FAN_OUT = frozenset({CUSTOMER_UPDATED, PRODUCT_UPDATED})
