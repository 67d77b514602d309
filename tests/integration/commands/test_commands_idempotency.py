"""Invariant 8: a command repeated with its idempotency key returns the first result, once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from commands import handlers
from commands.bus import CommandBus
from commands.idempotency import Claim, KeyAlreadyStored
from commands.messages import DUPLICATE, VALIDATION_FAILED, CommandResult
from commands.unit_of_work import UnitOfWork
from database.engine import connect_for_write
from database.tables import idempotency_keys
from tests.integration.commands.commands_testkit import (
    Catalogue,
    count,
    place_order,
    rejected,
    snapshot,
)
from tests.support.actors import STAFF, STAFF_AUDIT

pytestmark = pytest.mark.anyio


async def store_key(engine: AsyncEngine, key: str, command: str, result: CommandResult) -> None:
    row = {
        "key": key,
        "command": command,
        "result": result.__dict__,
        "created_at": datetime.now(UTC),
    }
    async with engine.begin() as connection:
        await connection.execute(insert(idempotency_keys), row)


async def test_the_same_key_twice_places_one_order(
    engine: AsyncEngine, bus: CommandBus, catalogue: Catalogue
) -> None:
    command = place_order(catalogue, (catalogue.mug, 2), key="checkout-1")
    first = await bus.dispatch(command, STAFF)
    before = await snapshot(engine)
    second = await bus.dispatch(command, STAFF)
    assert second == first
    assert await snapshot(engine) == before
    assert before["orders"] and len(before["orders"]) == 1
    async with engine.connect() as connection:
        stored = (await connection.execute(select(idempotency_keys))).mappings().one()
    # Stored under the principal's subject: another caller's "checkout-1" is another key.
    assert (stored["key"], stored["command"]) == ("test-staff:checkout-1", "PlaceOrder")
    assert stored["result"] == {"id": first.id, "version": 1, "position": first.position}


async def test_a_reused_key_with_other_input_returns_the_first_result(
    engine: AsyncEngine, bus: CommandBus, catalogue: Catalogue
) -> None:
    first = await bus.dispatch(place_order(catalogue, (catalogue.mug, 2), key="k"), STAFF)
    before = await snapshot(engine)
    assert await bus.dispatch(place_order(catalogue, (catalogue.pen, 9), key="k"), STAFF) == first
    assert await snapshot(engine) == before


async def test_concurrent_duplicates_place_one_order(
    engine: AsyncEngine, bus: CommandBus, catalogue: Catalogue
) -> None:
    command = place_order(catalogue, (catalogue.mug, 1), key="double-click")
    results = await asyncio.gather(*[bus.dispatch(command, STAFF) for _ in range(6)])
    assert len(set(results)) == 1
    assert await count(engine, "orders") == 1
    assert await count(engine, "order_lines") == 1
    assert await count(engine, "idempotency_keys") == 1
    assert await count(engine, "events") == 5  # 4 from the catalogue + one OrderPlaced


async def test_a_duplicate_that_loses_the_race_returns_the_winners_result(
    engine: AsyncEngine, bus: CommandBus, catalogue: Catalogue
) -> None:
    """The winner commits after our pre-check: our transaction rolls back, we return its result."""
    winner = CommandResult(id="the-winners-order", version=1, position="MDo5OQ")
    holder = await connect_for_write(engine)
    try:
        await holder.begin()  # holds the key's row lock (PostgreSQL) or the write lock (SQLite)
        row = {
            "key": "test-staff:k",
            "command": "PlaceOrder",
            "result": winner.__dict__,
            "created_at": datetime.now(UTC),
        }
        await holder.execute(insert(idempotency_keys), row)
        before = await snapshot(engine)
        racer = asyncio.create_task(
            bus.dispatch(place_order(catalogue, (catalogue.mug, 1), key="k"), STAFF)
        )
        await asyncio.sleep(0.3)
        assert not racer.done()
        await holder.commit()
        assert await racer == winner
    finally:
        await holder.close()
    after = await snapshot(engine)
    assert (after["orders"], after["events"]) == (before["orders"], before["events"])


async def test_a_key_already_stored_stops_the_handler_and_writes_nothing(
    engine: AsyncEngine, catalogue: Catalogue
) -> None:
    await store_key(engine, "k", "PlaceOrder", CommandResult("x", 1, "MDox"))
    before = await snapshot(engine)
    uow = UnitOfWork(engine, claim=Claim("k", "PlaceOrder"), audit=STAFF_AUDIT)
    with pytest.raises(KeyAlreadyStored):
        await handlers.place_order(uow, place_order(catalogue, (catalogue.mug, 1)))
    assert await snapshot(engine) == before


async def test_a_key_used_by_another_command_is_a_duplicate(
    engine: AsyncEngine, bus: CommandBus, catalogue: Catalogue
) -> None:
    await store_key(engine, "test-staff:shared", "AddProduct", CommandResult("p", 1, "MDox"))
    command = place_order(catalogue, (catalogue.mug, 1), key="shared")
    assert await rejected(engine, bus.dispatch(command, STAFF)) == [
        (DUPLICATE, ("idempotencyKey",))
    ]


@pytest.mark.parametrize("key", ["", "   ", "k" * 201])
async def test_a_blank_or_long_key_is_invalid(
    engine: AsyncEngine, bus: CommandBus, catalogue: Catalogue, key: str
) -> None:
    command = place_order(catalogue, (catalogue.mug, 1), key=key)
    assert await rejected(engine, bus.dispatch(command, STAFF)) == [
        (VALIDATION_FAILED, ("idempotencyKey",))
    ]


async def test_a_rejected_command_does_not_use_up_its_key(
    engine: AsyncEngine, bus: CommandBus, catalogue: Catalogue
) -> None:
    bad = place_order(catalogue, (catalogue.mug, 0), key="retry-me")
    assert await rejected(engine, bus.dispatch(bad, STAFF)) == [
        (VALIDATION_FAILED, ("lines", "0", "quantity"))
    ]
    good = await bus.dispatch(place_order(catalogue, (catalogue.mug, 1), key="retry-me"), STAFF)
    assert await bus.dispatch(bad, STAFF) == good
    assert await count(engine, "orders") == 1
