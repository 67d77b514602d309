"""The order repository: the order row and its lines, loaded and inserted in bulk."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from commands.messages import Address
from commands.model.order import Order, OrderLine
from commands.repositories.rows import not_found, write_row
from database.engine import utc, utc_or_none
from database.tables import order_lines, orders
from order_status import OrderStatus

# The whole aggregate in one round trip; only the order row is locked.
_BY_ID = (
    select(
        orders,
        order_lines.c.line_no,
        order_lines.c.product_id,
        order_lines.c.quantity,
        order_lines.c.unit_price,
    )
    .join(order_lines, order_lines.c.order_id == orders.c.id)
    .where(orders.c.id == bindparam("id"))
    .order_by(order_lines.c.line_no)
    .with_for_update(of=orders)
)
_INSERT_LINES = insert(order_lines)
# Columns a placed order may still change; the rest is fixed at placement.
_MUTABLE = (
    "status", "ship_name", "ship_line1", "ship_line2", "ship_city", "ship_postal_code",
    "ship_country", "payment_amount", "paid_at", "carrier", "tracking_number", "shipped_at",
    "delivered_at", "cancel_reason", "cancelled_at", "version", "updated_at",
)  # fmt: skip


class OrderRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def get(self, order_id: str) -> Order:
        """The order with its lines, row-locked; NOT_FOUND (field `orderId`) when missing."""
        rows = (await self._connection.execute(_BY_ID, {"id": order_id})).mappings().all()
        if not rows:
            not_found("order", order_id, "orderId")
        return _order(rows)

    async def save(self, order: Order) -> None:
        """Write the order row; a new order's lines go in with one executemany."""
        if not order.events:
            return
        row = order_row(order)
        if not order.is_new:
            await write_row(self._connection, orders, order, {k: row[k] for k in _MUTABLE})
            return
        del row["id"]
        await write_row(self._connection, orders, order, row)
        await self._connection.execute(_INSERT_LINES, line_rows(order))


def line_rows(order: Order) -> list[dict[str, Any]]:
    """The `order_lines` rows of an order (written once, at placement)."""
    return [
        {
            "order_id": order.id,
            "line_no": line.line_no,
            "product_id": line.product_id,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "line_total": line.line_total,
        }
        for line in order.lines
    ]


def order_row(order: Order) -> dict[str, Any]:
    """The `orders` row of an order, every column."""
    address = order.shipping_address
    return {
        "id": order.id,
        "customer_id": order.customer_id,
        "status": order.status,
        "currency": order.currency,
        "total": order.total,
        "item_count": order.item_count,
        "ship_name": address.name,
        "ship_line1": address.line1,
        "ship_line2": address.line2,
        "ship_city": address.city,
        "ship_postal_code": address.postal_code,
        "ship_country": address.country,
        "payment_amount": order.payment_amount,
        "paid_at": order.paid_at,
        "carrier": order.carrier,
        "tracking_number": order.tracking_number,
        "shipped_at": order.shipped_at,
        "delivered_at": order.delivered_at,
        "cancel_reason": order.cancel_reason,
        "cancelled_at": order.cancelled_at,
        "version": order.version,
        "placed_at": order.placed_at,
        "updated_at": order.updated_at,
    }


def _order(rows: Sequence[RowMapping]) -> Order:
    first = rows[0]
    address = Address(
        name=first["ship_name"],
        line1=first["ship_line1"],
        line2=first["ship_line2"],
        city=first["ship_city"],
        postal_code=first["ship_postal_code"],
        country=first["ship_country"],
    )
    lines = tuple(
        OrderLine(row["line_no"], row["product_id"], row["quantity"], row["unit_price"])
        for row in rows
    )
    return Order(
        id=first["id"],
        version=first["version"],
        customer_id=first["customer_id"],
        status=OrderStatus(first["status"]),
        currency=first["currency"],
        lines=lines,
        shipping_address=address,
        placed_at=utc(first["placed_at"]),
        updated_at=utc(first["updated_at"]),
        payment_amount=first["payment_amount"],
        paid_at=utc_or_none(first["paid_at"]),
        carrier=first["carrier"],
        tracking_number=first["tracking_number"],
        shipped_at=utc_or_none(first["shipped_at"]),
        delivered_at=utc_or_none(first["delivered_at"]),
        cancel_reason=first["cancel_reason"],
        cancelled_at=utc_or_none(first["cancelled_at"]),
    )
