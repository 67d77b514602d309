"""The denormalised order document: one flat JSON object per order, built from write rows.

Pure functions; the projector and the tests' oracle both call `build_order_document`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from database.engine import utc
from read_model.document import (
    AddressPart,
    CancellationPart,
    CustomerPart,
    LinePart,
    OrderDocument,
    PaymentPart,
    ShipmentPart,
)

Row = Mapping[str, Any]
Document = OrderDocument


def iso(value: datetime | None) -> str | None:
    """UTC ISO 8601 with millisecond precision and a `Z`, the form the index stores."""
    if value is None:
        return None
    return utc(value).astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def money(value: Decimal | None) -> str | None:
    return None if value is None else str(Decimal(value).quantize(Decimal("0.01")))


def build_order_document(
    order: Row, lines: Sequence[Row], customer: Row, products: Mapping[str, Row]
) -> Document:
    """Order row + its lines + its customer + the products of its lines → index document."""
    return OrderDocument(
        id=order["id"],
        status=order["status"],
        version=order["version"],
        placedAt=iso(order["placed_at"]),
        updatedAt=iso(order["updated_at"]),
        customer=CustomerPart(id=customer["id"], name=customer["name"], email=customer["email"]),
        lines=[_line(line, products[line["product_id"]]) for line in lines],
        itemCount=order["item_count"],
        total=money(order["total"]),
        currency=order["currency"],
        shippingAddress=AddressPart(
            name=order["ship_name"],
            line1=order["ship_line1"],
            line2=order["ship_line2"],
            city=order["ship_city"],
            postalCode=order["ship_postal_code"],
            country=order["ship_country"],
        ),
        payment=_payment(order),
        shipment=_shipment(order),
        cancellation=_cancellation(order),
    )


def _line(line: Row, product: Row) -> LinePart:
    return LinePart(
        lineNo=line["line_no"],
        productId=line["product_id"],
        sku=product["sku"],
        productName=product["name"],
        category=product["category"],
        quantity=line["quantity"],
        unitPrice=money(line["unit_price"]),
        lineTotal=money(line["line_total"]),
    )


def _payment(order: Row) -> PaymentPart | None:
    if order["paid_at"] is None:
        return None
    return PaymentPart(amount=money(order["payment_amount"]), paidAt=iso(order["paid_at"]))


def _shipment(order: Row) -> ShipmentPart | None:
    if order["shipped_at"] is None:
        return None
    return ShipmentPart(
        carrier=order["carrier"],
        trackingNumber=order["tracking_number"],
        shippedAt=iso(order["shipped_at"]),
        deliveredAt=iso(order["delivered_at"]),
    )


def _cancellation(order: Row) -> CancellationPart | None:
    if order["cancelled_at"] is None:
        return None
    return CancellationPart(reason=order["cancel_reason"], cancelledAt=iso(order["cancelled_at"]))
