"""Invariant 1: a command's rows and events commit together or not at all."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from commands import handlers, outbox
from commands.bus import CommandBus
from commands.messages import CommandResult, PayOrder, UpdateCustomer
from commands.model.aggregate import Aggregate
from commands.unit_of_work import UnitOfWork
from database.tables import events
from tests.integration.commands.commands_testkit import Catalogue, place_order, row_of, snapshot
from tests.support.actors import STAFF, STAFF_AUDIT

pytestmark = pytest.mark.anyio


async def squat_stream_version(
    engine: AsyncEngine, stream_type: str, stream_id: str, version: int
) -> None:
    """Insert an event at the version the next command will need, so its append fails."""
    row = {
        "txid": 0,
        "stream_type": stream_type,
        "stream_id": stream_id,
        "stream_version": version,
        "type": "Squatter",
        "data": {},
        "occurred_at": datetime.now(UTC),
    }
    async with engine.begin() as connection:
        await connection.execute(insert(events), row)


class ExplodingUnitOfWork(UnitOfWork):
    """Appends the events, then fails before the commit."""

    async def commit(self, aggregate: Aggregate) -> CommandResult:
        await outbox.append(self.connection, aggregate.events)
        raise RuntimeError("crash between append and commit")


async def test_a_failing_event_append_undoes_the_row_update(
    engine: AsyncEngine, bus: CommandBus, catalogue: Catalogue
) -> None:
    order = (await bus.dispatch(place_order(catalogue, (catalogue.mug, 1)), STAFF)).id
    await squat_stream_version(engine, "order", order, 2)
    before = await snapshot(engine)
    with pytest.raises(IntegrityError):
        await bus.dispatch(PayOrder(order_id=order, amount=Decimal("12.50")), STAFF)
    assert await snapshot(engine) == before
    row = await row_of(engine, "orders", order)
    assert (row["status"], row["version"], row["paid_at"]) == ("PLACED", 1, None)


async def test_a_failing_event_append_undoes_the_new_order_and_its_lines(
    engine: AsyncEngine, catalogue: Catalogue
) -> None:
    bus = CommandBus(engine, new_id=lambda: "order-with-a-known-id")
    await squat_stream_version(engine, "order", "order-with-a-known-id", 1)
    before = await snapshot(engine)
    with pytest.raises(IntegrityError):
        await bus.dispatch(place_order(catalogue, (catalogue.mug, 1), (catalogue.pen, 2)), STAFF)
    after = await snapshot(engine)
    assert after == before
    assert (after["orders"], after["order_lines"]) == ([], [])


async def test_a_crash_after_appending_rolls_back_rows_and_events(
    engine: AsyncEngine, catalogue: Catalogue
) -> None:
    before = await snapshot(engine)
    command = place_order(catalogue, (catalogue.mug, 3))
    with pytest.raises(RuntimeError, match="crash between append and commit"):
        await handlers.place_order(ExplodingUnitOfWork(engine, audit=STAFF_AUDIT), command)
    with pytest.raises(RuntimeError, match="crash between append and commit"):
        update = UpdateCustomer(customer_id=catalogue.customer, name="Someone Else")
        await handlers.update_customer(ExplodingUnitOfWork(engine, audit=STAFF_AUDIT), update)
    assert await snapshot(engine) == before


async def test_the_unit_of_work_rolls_back_when_left_without_commit(
    engine: AsyncEngine, catalogue: Catalogue
) -> None:
    before = await snapshot(engine)
    async with UnitOfWork(engine, audit=STAFF_AUDIT) as uow:
        customer = await uow.customers.get(catalogue.customer)
        customer.update(
            name="Temp", email=None, expected_version=None, email_taken=False, now=uow.now
        )
        await uow.customers.save(customer)
        await outbox.append(uow.connection, customer.events)
    assert await snapshot(engine) == before
