"""The customer projection: one document per customer (read_model/customers.py), rebuilt
from the write tables for every customer a batch touches.

Customer events touch their customer; order events the order's customer (looked up in
`orders`: an order never changes customer); product events touch no customer document.
A document is computed from the customer's row and all their order rows, never from an
event's payload, so a replayed or repeated batch ends in the same document.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from database.tables import STREAM_CUSTOMER, STREAM_ORDER, customers, orders
from order_status import OrderStatus
from projections.document import iso, money
from projections.source import EventRef, chunks
from read_model.customers import CustomerDocument, MoneyPart, StatusCount

Row = Mapping[str, Any]

# What a customer document needs of an order row.
_ORDER_COLUMNS = (
    orders.c.id,
    orders.c.customer_id,
    orders.c.status,
    orders.c.currency,
    orders.c.total,
    orders.c.placed_at,
    orders.c.ship_country,
)


def build_customer_document(customer: Row, order_rows: Sequence[Row]) -> CustomerDocument:
    """A customer row and all of their order rows → the customer's index document."""
    statuses = Counter(o["status"] for o in order_rows)
    standing = [o for o in order_rows if o["status"] != OrderStatus.CANCELLED]
    values: dict[str, Decimal] = {}
    for o in standing:
        values[o["currency"]] = values.get(o["currency"], Decimal(0)) + Decimal(o["total"])
    per_currency = Counter(o["currency"] for o in standing)
    main = min(per_currency, key=lambda c: (-per_currency[c], -values[c], c), default=None)
    placed = [o["placed_at"] for o in order_rows]
    return CustomerDocument(
        id=customer["id"],
        name=customer["name"],
        email=customer["email"],
        registeredAt=iso(customer["created_at"]),
        version=customer["version"],
        orderCount=len(order_rows),
        ordersByStatus=[
            StatusCount(status=s.value, count=statuses[s]) for s in OrderStatus if statuses[s]
        ],
        lifetimeValue=[MoneyPart(currency=c, amount=_money(values[c])) for c in sorted(values)],
        mainCurrency=main,
        mainValue=_money(values[main] if main is not None else Decimal(0)),
        firstOrderAt=iso(min(placed, key=_instant)) if placed else None,
        lastOrderAt=iso(max(placed, key=_instant)) if placed else None,
        countries=sorted({o["ship_country"] for o in order_rows}),
    )


def _money(value: Decimal) -> str:
    text = money(value)
    assert text is not None
    return text


def _instant(value: Any) -> str:
    """Orders compare by the instant they were placed (naive SQLite values are UTC)."""
    return iso(value) or ""


async def affected_customers(conn: AsyncConnection, batch: Sequence[EventRef]) -> set[str]:
    """Ids of the customers whose documents a batch changes."""
    ids = {e.stream_id for e in batch if e.stream_type == STREAM_CUSTOMER}
    order_ids = {e.stream_id for e in batch if e.stream_type == STREAM_ORDER}
    for chunk in chunks(order_ids):
        rows = await conn.execute(
            select(orders.c.customer_id).distinct().where(orders.c.id.in_(chunk))
        )
        ids.update(rows.scalars())
    return ids


async def load_customers(
    conn: AsyncConnection, customer_ids: Iterable[str]
) -> dict[str, CustomerDocument]:
    """Current documents of the given customers (unknown ids are left out)."""
    rows: list[Row] = []
    for chunk in chunks(customer_ids):
        result = await conn.execute(select(customers).where(customers.c.id.in_(chunk)))
        rows.extend(dict(r._mapping) for r in result)
    return await _assemble(conn, rows)


async def load_customers_after(
    conn: AsyncConnection, after: str, limit: int
) -> dict[str, CustomerDocument]:
    """Documents of the next `limit` customers by id after `after` (a rebuild's chunk)."""
    result = await conn.execute(
        select(customers).where(customers.c.id > after).order_by(customers.c.id).limit(limit)
    )
    return await _assemble(conn, [dict(r._mapping) for r in result])


async def count_customers(conn: AsyncConnection) -> int:
    return int((await conn.execute(select(func.count()).select_from(customers))).scalar_one())


async def _assemble(conn: AsyncConnection, rows: Sequence[Row]) -> dict[str, CustomerDocument]:
    by_customer: dict[str, list[Row]] = {row["id"]: [] for row in rows}
    for chunk in chunks(by_customer):
        result = await conn.execute(
            select(*_ORDER_COLUMNS).where(orders.c.customer_id.in_(chunk)).order_by(orders.c.id)
        )
        for order in result:
            by_customer[order.customer_id].append(dict(order._mapping))
    return {row["id"]: build_customer_document(row, by_customer[row["id"]]) for row in rows}
