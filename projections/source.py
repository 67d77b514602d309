"""Reads the write store for the projector: the event log in commit order, and order rows.

Gap safety (docs/ARCHITECTURE.md, invariant 2): on PostgreSQL a sequence hands out `seq` at insert
time, so a transaction can commit a lower `seq` after a higher one is already
visible. We therefore read in (txid, seq) order and only events of
transactions older than the oldest one still running (the snapshot's xmin);
everything below that horizon is final, so a checkpoint never passes an event
that could still appear. SQLite has one writer at a time: `seq` order is
commit order and txid is always 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnClause, ColumnElement, Table, func, literal_column, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from commands import events as ev
from database.engine import is_postgres, utc_or_none
from database.tables import (
    STREAM_CUSTOMER,
    STREAM_ORDER,
    STREAM_PRODUCT,
    customers,
    events,
    order_lines,
    orders,
    products,
)
from positions import ORIGIN, Position
from projections.document import Document, build_order_document

# Keeps IN lists well under every driver's bind-parameter limit.
CHUNK = 900

_XMIN: ColumnClause[Any] = literal_column("pg_snapshot_xmin(pg_current_snapshot())::text::bigint")


@dataclass(frozen=True)
class EventRef:
    """The part of an event the projector needs: where it is and what it touches."""

    position: Position
    stream_type: str
    stream_id: str
    type: str


async def read_batch(conn: AsyncConnection, after: Position, limit: int) -> list[EventRef]:
    """Up to `limit` events after `after`, in commit-safe order."""
    query = (
        select(events.c.txid, events.c.seq, events.c.stream_type, events.c.stream_id, events.c.type)
        .where(tuple_(events.c.txid, events.c.seq) > tuple_(after.txid, after.seq))
        .order_by(events.c.txid, events.c.seq)
        .limit(limit)
    )
    if is_postgres(conn):
        query = query.where(events.c.txid < _XMIN)
    rows = (await conn.execute(query)).all()
    return [EventRef(Position(r.txid, r.seq), r.stream_type, r.stream_id, r.type) for r in rows]


async def head(conn: AsyncConnection) -> Position:
    """The newest position in the log (visible or not yet final), for lag reporting."""
    row = (
        await conn.execute(
            select(events.c.txid, events.c.seq)
            .order_by(events.c.txid.desc(), events.c.seq.desc())
            .limit(1)
        )
    ).first()
    return ORIGIN if row is None else Position(row.txid, row.seq)


async def horizon(conn: AsyncConnection) -> Position:
    """The newest *final* position: every event at or before it has committed (or never
    will), so rows read from now on reflect all of them. A rebuild starts from here."""
    query = (
        select(events.c.txid, events.c.seq)
        .order_by(events.c.txid.desc(), events.c.seq.desc())
        .limit(1)
    )
    if is_postgres(conn):
        query = query.where(events.c.txid < _XMIN)
    row = (await conn.execute(query)).first()
    return ORIGIN if row is None else Position(row.txid, row.seq)


async def oldest_after(conn: AsyncConnection, after: Position) -> datetime | None:
    """When the first event beyond a checkpoint happened (lag in seconds), None if none."""
    query = (
        select(events.c.occurred_at)
        .where(tuple_(events.c.txid, events.c.seq) > tuple_(after.txid, after.seq))
        .order_by(events.c.txid, events.c.seq)
        .limit(1)
    )
    return utc_or_none((await conn.execute(query)).scalar())


async def count_orders(conn: AsyncConnection) -> int:
    return int((await conn.execute(select(func.count()).select_from(orders))).scalar_one())


async def count_after(conn: AsyncConnection, after: Position) -> int:
    """How many events lie beyond a checkpoint (lag in events)."""
    query = select(func.count()).where(
        tuple_(events.c.txid, events.c.seq) > tuple_(after.txid, after.seq)
    )
    return int((await conn.execute(query)).scalar_one())


async def affected_orders(conn: AsyncConnection, batch: Sequence[EventRef]) -> set[str]:
    """Order ids whose documents a batch changes, including customer and product fan-out."""
    order_ids = {e.stream_id for e in batch if e.stream_type == STREAM_ORDER}
    customer_ids = {
        e.stream_id for e in batch if e.stream_type == STREAM_CUSTOMER and e.type in ev.FAN_OUT
    }
    product_ids = {
        e.stream_id for e in batch if e.stream_type == STREAM_PRODUCT and e.type in ev.FAN_OUT
    }
    for chunk in chunks(customer_ids):
        rows = await conn.execute(select(orders.c.id).where(orders.c.customer_id.in_(chunk)))
        order_ids.update(rows.scalars())
    for chunk in chunks(product_ids):
        rows = await conn.execute(
            select(order_lines.c.order_id).distinct().where(order_lines.c.product_id.in_(chunk))
        )
        order_ids.update(rows.scalars())
    return order_ids


async def load_documents(conn: AsyncConnection, order_ids: Iterable[str]) -> dict[str, Document]:
    """Current documents for the given orders, built from the write tables in 4 queries."""
    ids = sorted(set(order_ids))
    if not ids:
        return {}
    order_rows = await _rows(conn, orders, orders.c.id, ids)
    line_rows = await _rows(conn, order_lines, order_lines.c.order_id, ids)
    return await _assemble(conn, order_rows, line_rows)


async def load_documents_after(
    conn: AsyncConnection, after: str, limit: int
) -> dict[str, Document]:
    """Documents of the next `limit` orders by id after `after` (a rebuild's load chunk).

    Range scans on both primary keys instead of IN lists: a rebuild reads every order.
    """
    result = await conn.execute(
        select(orders).where(orders.c.id > after).order_by(orders.c.id).limit(limit)
    )
    order_rows = [dict(r._mapping) for r in result]
    if not order_rows:
        return {}
    first, last = order_rows[0]["id"], order_rows[-1]["id"]
    result = await conn.execute(
        select(order_lines).where(order_lines.c.order_id.between(first, last))
    )
    wanted = {o["id"] for o in order_rows}  # orders placed meanwhile inside the range wait
    line_rows = [dict(r._mapping) for r in result if r.order_id in wanted]
    return await _assemble(conn, order_rows, line_rows)


async def _assemble(
    conn: AsyncConnection, order_rows: list[dict[str, Any]], line_rows: list[dict[str, Any]]
) -> dict[str, Document]:
    customer_rows = await _rows(
        conn, customers, customers.c.id, {o["customer_id"] for o in order_rows}
    )
    product_rows = await _rows(
        conn, products, products.c.id, {ln["product_id"] for ln in line_rows}
    )
    by_customer = {c["id"]: c for c in customer_rows}
    by_product = {p["id"]: p for p in product_rows}
    lines_by_order: dict[str, list[dict[str, Any]]] = {}
    for line in sorted(line_rows, key=lambda ln: (ln["order_id"], ln["line_no"])):
        lines_by_order.setdefault(line["order_id"], []).append(line)
    return {
        o["id"]: build_order_document(
            o, lines_by_order.get(o["id"], []), by_customer[o["customer_id"]], by_product
        )
        for o in order_rows
    }


async def all_order_ids(conn: AsyncConnection) -> list[str]:
    return list((await conn.execute(select(orders.c.id).order_by(orders.c.id))).scalars())


async def _rows(
    conn: AsyncConnection, table: Table, column: ColumnElement[str], keys: Iterable[str]
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for chunk in chunks(keys):
        result = await conn.execute(select(table).where(column.in_(chunk)))
        out.extend(dict(r._mapping) for r in result)
    return out


def chunks(values: Iterable[str]) -> list[list[str]]:
    """Sorted values cut into IN-list sized pieces."""
    items = sorted(values)
    return [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]
