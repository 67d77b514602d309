"""The sales projection's reads of the write tables: which sales documents a batch
touches, and those documents from current rows (projections/sales_buckets.py).

- Order events that change a number (placed, address changed, cancelled) touch the day
  document and the product buckets of that order's placement day; paid, shipped and
  delivered change none.
- A product update (name or category) touches every bucket of that product.
- Customer events touch nothing: the view holds no customer data.

A rebuild walks the (day, product) pairs of every order in id order: a day's document
id ("2026-12-01") sorts just before its buckets' ("2026-12-01|<productId>").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from commands import events as ev
from database.engine import is_postgres
from database.tables import STREAM_ORDER, STREAM_PRODUCT, order_lines, orders, products
from order_status import OrderStatus
from projections.sales_buckets import (
    ProductInfo,
    SaleLine,
    build_sales_documents,
    day_of,
    next_day,
)
from projections.source import EventRef, chunks
from read_model.sales import SalesDocument, bucket_id, parse_id

SALES_EVENTS = frozenset({ev.ORDER_PLACED, ev.SHIPPING_ADDRESS_UPDATED, ev.ORDER_CANCELLED})

_JOINED = orders.join(order_lines, order_lines.c.order_id == orders.c.id)


async def affected_sales(conn: AsyncConnection, batch: Sequence[EventRef]) -> set[str]:
    """Ids of the day documents and product buckets a batch changes."""
    order_ids = {
        e.stream_id for e in batch if e.stream_type == STREAM_ORDER and e.type in SALES_EVENTS
    }
    product_ids = {
        e.stream_id for e in batch if e.stream_type == STREAM_PRODUCT and e.type in ev.FAN_OUT
    }
    ids: set[str] = set()
    pairs = select(orders.c.placed_at, order_lines.c.product_id).select_from(_JOINED)
    for chunk in chunks(order_ids):
        for row in await conn.execute(pairs.where(orders.c.id.in_(chunk))):
            day = day_of(row.placed_at)
            ids.update((day, bucket_id(day, row.product_id)))
    sold_on = _day_column(conn)  # a product's fan-out: a row per day it sold, not per line
    days = select(sold_on.label("day"), order_lines.c.product_id).select_from(_JOINED).distinct()
    for chunk in chunks(product_ids):
        query = days.where(order_lines.c.product_id.in_(chunk))
        ids.update(bucket_id(r.day, r.product_id) for r in await conn.execute(query))
    return ids


async def load_sales(conn: AsyncConnection, doc_ids: Iterable[str]) -> dict[str, SalesDocument]:
    """Current sales documents for the given ids, from the lines of their days' orders."""
    wanted = set(doc_ids)
    if not wanted:
        return {}
    days = sorted({day for day, product_id in map(parse_id, wanted) if product_id is None})
    buckets = [(day, p) for day, p in map(parse_id, wanted) if p is not None]
    # By (order, product): a line read twice counts once.
    lines: dict[tuple[str, str], SaleLine] = {}
    for first, last in _runs(days):  # a day document counts every line of its orders
        await _read_lines(conn, _sold().where(*_within(first, last)), lines)
    # Buckets of those days are in what was read; the others (a product update's fan-out)
    # are read per run of their days, for the products touched in that run only.
    covered = set(days)
    elsewhere: dict[str, set[str]] = {}
    for day, product_id in buckets:
        if day not in covered:
            elsewhere.setdefault(day, set()).add(product_id)
    for first, last in _runs(sorted(elsewhere)):
        touched = {p for day, ps in elsewhere.items() if first <= day <= last for p in ps}
        for chunk in chunks(touched):
            query = _sold().where(order_lines.c.product_id.in_(chunk), *_within(first, last))
            await _read_lines(conn, query, lines)
    product_ids = {product_id for _, product_id in buckets}
    return build_sales_documents(wanted, lines.values(), await _products(conn, product_ids))


async def load_sales_after(
    conn: AsyncConnection, after: str, limit: int
) -> dict[str, SalesDocument]:
    """The next `limit` sales documents by id after `after` (a rebuild's load chunk)."""
    after_day, after_product = parse_id(after) if after else ("", None)
    day = _day_column(conn)
    query = (
        select(day.label("day"), order_lines.c.product_id)
        .select_from(_JOINED)
        .distinct()
        .where(tuple_(day, order_lines.c.product_id) > tuple_(after_day, after_product or ""))
        .order_by(day, order_lines.c.product_id)
        .limit(limit)
    )
    if after_day:  # lets PostgreSQL skip the days before
        query = query.where(orders.c.placed_at >= _start(after_day))
    pairs = [(r.day, r.product_id) for r in await conn.execute(query)]
    ids = {bucket_id(d, p) for d, p in pairs} | {d for d, _ in pairs if d > after}
    return await load_sales(conn, sorted(ids)[:limit])


async def count_sales(conn: AsyncConnection) -> int:
    """How many documents a full load writes: every (day, product) bucket and every day."""
    day = _day_column(conn)
    pairs = select(day, order_lines.c.product_id).select_from(_JOINED).distinct().subquery()
    days = select(day).select_from(orders).distinct().subquery()
    counted = select(
        select(func.count()).select_from(pairs).scalar_subquery(),
        select(func.count()).select_from(days).scalar_subquery(),
    )
    row = (await conn.execute(counted)).one()
    return int(row[0]) + int(row[1])


def _sold() -> Select[Any]:
    return (
        select(
            orders.c.id,
            orders.c.placed_at,
            orders.c.ship_country,
            orders.c.currency,
            order_lines.c.product_id,
            order_lines.c.quantity,
            order_lines.c.line_total,
        )
        .select_from(_JOINED)
        .where(orders.c.status != OrderStatus.CANCELLED.value)
    )


async def _read_lines(
    conn: AsyncConnection, query: Select[Any], into: dict[tuple[str, str], SaleLine]
) -> None:
    for r in await conn.execute(query):
        into[(r.id, r.product_id)] = SaleLine(
            order_id=r.id,
            day=day_of(r.placed_at),
            country=r.ship_country,
            currency=r.currency,
            product_id=r.product_id,
            quantity=r.quantity,
            line_total=r.line_total,
        )


async def _products(conn: AsyncConnection, product_ids: set[str]) -> dict[str, ProductInfo]:
    found: dict[str, ProductInfo] = {}
    for chunk in chunks(product_ids):
        query = select(products.c.id, products.c.sku, products.c.category)
        for row in await conn.execute(query.where(products.c.id.in_(chunk))):
            found[row.id] = ProductInfo(sku=row.sku, category=row.category)
    return found


def _runs(days: list[str]) -> list[tuple[str, str]]:
    """Sorted days as runs of consecutive days (first, last): one read per run."""
    runs: list[tuple[str, str]] = []
    for day in days:
        if runs and next_day(runs[-1][1]) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _within(first: str, last: str) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """Orders placed from the start of `first` to the end of `last` (UTC days)."""
    return orders.c.placed_at >= _start(first), orders.c.placed_at < _start(next_day(last))


def _start(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), tzinfo=UTC)


def _day_column(conn: AsyncConnection) -> ColumnElement[str]:
    """An order's UTC placement day as "YYYY-MM-DD", in SQL. SQLite stores UTC timestamps
    as text ("2026-12-01 10:00:00.000000"), PostgreSQL as timestamptz."""
    if is_postgres(conn):
        return func.to_char(func.timezone("UTC", orders.c.placed_at), "YYYY-MM-DD")
    return func.substr(orders.c.placed_at, 1, 10)
