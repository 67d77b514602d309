"""Helpers for the write-side integration tests: seed data, table snapshots, event reads."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from commands.bus import CommandBus
from commands.messages import (
    AddProduct,
    Address,
    CommandRejected,
    CommandResult,
    OrderLineRequest,
    PlaceOrder,
    RegisterCustomer,
)
from database.tables import events, metadata
from positions import Position, decode_token
from tests.support.actors import STAFF

ADDRESS = Address(
    name="Ann Lee", line1="1 Rue Neuve", city="Lyon", postal_code="69001", country="FR"
)


@dataclass(frozen=True)
class Catalogue:
    customer: str
    mug: str  # 12.50 EUR
    pen: str  # 1.99 EUR
    hat: str  # 20.00 USD


async def seed_catalogue(bus: CommandBus) -> Catalogue:
    customer = await bus.dispatch(RegisterCustomer(name="Ann Lee", email="ann@example.com"), STAFF)
    ids = []
    for sku, price, currency in (
        ("MUG", "12.50", "EUR"),
        ("PEN", "1.99", "EUR"),
        ("HAT", "20", "USD"),
    ):
        command = AddProduct(sku=sku, name=sku.title(), price=Decimal(price), currency=currency)
        ids.append((await bus.dispatch(command, STAFF)).id)
    return Catalogue(customer.id, *ids)


def place_order(
    catalogue: Catalogue, *pairs: tuple[str, int], key: str | None = None
) -> PlaceOrder:
    lines = tuple(OrderLineRequest(product_id=p, quantity=q) for p, q in pairs)
    return PlaceOrder(
        customer_id=catalogue.customer, lines=lines, shipping_address=ADDRESS, idempotency_key=key
    )


async def snapshot(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every write table in key order: equal snapshots mean nothing changed."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    async with engine.connect() as connection:
        for table in metadata.sorted_tables:
            query = select(table).order_by(*table.primary_key.columns)
            tables[table.name] = [tuple(row) for row in await connection.execute(query)]
    return tables


async def count(engine: AsyncEngine, table_name: str) -> int:
    async with engine.connect() as connection:
        return int(
            await connection.scalar(select(func.count()).select_from(metadata.tables[table_name]))
            or 0
        )


async def stream(engine: AsyncEngine, stream_id: str) -> list[dict[str, Any]]:
    """The events of one aggregate, oldest first, as plain dicts."""
    query = select(events).where(events.c.stream_id == stream_id).order_by(events.c.stream_version)
    async with engine.connect() as connection:
        return [dict(row) for row in (await connection.execute(query)).mappings()]


async def row_of(engine: AsyncEngine, table_name: str, row_id: str) -> dict[str, Any]:
    table = metadata.tables[table_name]
    async with engine.connect() as connection:
        row = (await connection.execute(select(table).where(table.c.id == row_id))).mappings().one()
    return dict(row)


async def assert_token_is_last_event(engine: AsyncEngine, result: CommandResult) -> dict[str, Any]:
    """The result's token decodes to the position of the aggregate's newest event; returns it."""
    last = (await stream(engine, result.id))[-1]
    assert last["stream_version"] == result.version
    assert decode_token(result.position) == Position(last["txid"], last["seq"])
    async with engine.connect() as connection:
        assert await connection.scalar(select(func.max(events.c.seq))) == last["seq"]
    if engine.dialect.name == "postgresql":
        assert last["txid"] > 0
    else:
        assert last["txid"] == 0
    return last


async def rejected(
    engine: AsyncEngine, dispatch: Awaitable[CommandResult]
) -> list[tuple[str, tuple[str, ...] | None]]:
    """Await a command that must be rejected; check it wrote nothing; return (code, field)s."""
    before = await snapshot(engine)
    with pytest.raises(CommandRejected) as rejection:
        await dispatch
    assert await snapshot(engine) == before
    return [(error.code, error.field) for error in rejection.value.errors]
