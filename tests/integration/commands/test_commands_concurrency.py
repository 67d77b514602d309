"""Invariant 7: versions and locks turn racing writers into CONFLICTs, never lost updates."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from decimal import Decimal

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from commands.bus import CommandBus
from commands.messages import (
    CONFLICT,
    DUPLICATE,
    AddProduct,
    CancelOrder,
    CommandRejected,
    CommandResult,
    PayOrder,
    RegisterCustomer,
    UpdateCustomer,
    UpdateProduct,
)
from commands.unit_of_work import UnitOfWork
from database.tables import customers
from tests.integration.commands.commands_testkit import (
    Catalogue,
    count,
    place_order,
    row_of,
    snapshot,
    stream,
)
from tests.support.actors import STAFF, STAFF_AUDIT

pytestmark = pytest.mark.anyio


def split(outcomes: Sequence[object]) -> tuple[list[CommandResult], list[CommandRejected]]:
    """Successes and rejections; anything else (e.g. "database is locked") fails the test."""
    won = [o for o in outcomes if isinstance(o, CommandResult)]
    lost = [o for o in outcomes if isinstance(o, CommandRejected)]
    assert len(won) + len(lost) == len(outcomes), outcomes
    return won, lost


async def test_two_updates_with_one_expected_version_one_wins(
    engine: AsyncEngine, bus: CommandBus, catalogue: Catalogue
) -> None:
    names = ["Ann Winner", "Ann Other"]
    outcomes = await asyncio.gather(
        *[
            bus.dispatch(
                UpdateCustomer(customer_id=catalogue.customer, name=name, expected_version=1), STAFF
            )
            for name in names
        ],
        return_exceptions=True,
    )
    won, lost = split(outcomes)
    assert (len(won), won[0].version) == (1, 2)
    assert [(e.code, e.field) for e in lost[0].errors] == [(CONFLICT, ("expectedVersion",))]
    winner = names[outcomes.index(won[0])]
    row = await row_of(engine, "customers", catalogue.customer)
    assert (row["name"], row["version"]) == (winner, 2)
    log = await stream(engine, catalogue.customer)
    assert [(e["stream_version"], e["data"].get("name")) for e in log] == [
        (1, "Ann Lee"),
        (2, winner),
    ]


async def test_a_writer_waits_for_the_one_holding_the_aggregate_then_conflicts(
    engine: AsyncEngine, bus: CommandBus, catalogue: Catalogue
) -> None:
    """Deterministic race: B starts while A holds the customer loaded at version 1."""
    loaded = asyncio.Event()

    async def first_writer() -> None:
        async with UnitOfWork(engine, audit=STAFF_AUDIT) as uow:
            customer = await uow.customers.get(catalogue.customer)
            loaded.set()
            await asyncio.sleep(0.3)  # B is now blocked on the row lock (PG) or BEGIN (SQLite)
            customer.update(
                name="A", email=None, expected_version=1, email_taken=False, now=uow.now
            )
            await uow.customers.save(customer)
            await uow.commit(customer)

    async def second_writer() -> CommandResult:
        await loaded.wait()
        return await bus.dispatch(
            UpdateCustomer(customer_id=catalogue.customer, name="B", expected_version=1), STAFF
        )

    outcomes = await asyncio.gather(first_writer(), second_writer(), return_exceptions=True)
    assert outcomes[0] is None
    assert isinstance(outcomes[1], CommandRejected)
    assert [(e.code, e.field) for e in outcomes[1].errors] == [(CONFLICT, ("expectedVersion",))]
    row = await row_of(engine, "customers", catalogue.customer)
    assert (row["name"], row["version"]) == ("A", 2)


async def test_pay_and_cancel_racing_on_one_version_one_wins(
    engine: AsyncEngine, bus: CommandBus, catalogue: Catalogue
) -> None:
    order = (await bus.dispatch(place_order(catalogue, (catalogue.mug, 1)), STAFF)).id
    outcomes = await asyncio.gather(
        bus.dispatch(PayOrder(order_id=order, amount=Decimal("12.50"), expected_version=1), STAFF),
        bus.dispatch(
            CancelOrder(order_id=order, reason="changed my mind", expected_version=1), STAFF
        ),
        return_exceptions=True,
    )
    won, lost = split(outcomes)
    assert (len(won), len(lost)) == (1, 1)
    assert lost[0].errors[0].code == CONFLICT
    status = "PAID" if isinstance(outcomes[0], CommandResult) else "CANCELLED"
    row = await row_of(engine, "orders", order)
    assert (row["status"], row["version"]) == (status, 2)
    assert len(await stream(engine, order)) == 2


async def test_concurrent_updates_without_versions_lose_nothing(
    engine: AsyncEngine, bus: CommandBus, catalogue: Catalogue
) -> None:
    prices = [Decimal(f"{n}.25") for n in range(20, 30)]
    commands = [UpdateProduct(product_id=catalogue.mug, price=price) for price in prices]
    results = await asyncio.gather(*[bus.dispatch(command, STAFF) for command in commands])
    assert sorted(r.version for r in results) == list(range(2, 12))
    last = max(results, key=lambda r: r.version)
    row = await row_of(engine, "products", catalogue.mug)
    assert (row["version"], row["price"]) == (11, prices[results.index(last)])
    log = await stream(engine, catalogue.mug)
    assert [e["stream_version"] for e in log] == list(range(1, 12))
    assert sorted(e["data"]["price"] for e in log[1:]) == sorted(str(p) for p in prices)


async def test_the_version_guard_catches_a_writer_that_slipped_in(
    engine: AsyncEngine, catalogue: Catalogue
) -> None:
    before = await snapshot(engine)
    async with UnitOfWork(engine, audit=STAFF_AUDIT) as uow:
        customer = await uow.customers.get(catalogue.customer)
        # Another writer's committed change, as the guarded UPDATE would see it.
        await uow.connection.execute(update(customers).values(version=customers.c.version + 1))
        customer.update(name="Late", email=None, expected_version=1, email_taken=False, now=uow.now)
        with pytest.raises(CommandRejected) as rejected:
            await uow.customers.save(customer)
    assert [(e.code, e.field) for e in rejected.value.errors] == [(CONFLICT, ("expectedVersion",))]
    assert await snapshot(engine) == before


async def test_racing_registrations_of_one_email_make_one_customer(
    engine: AsyncEngine, bus: CommandBus
) -> None:
    emails = [
        "kim@example.com",
        "KIM@example.com",
        "Kim@Example.com",
        " kim@example.com",
        "kIm@example.com",
    ]
    outcomes = await asyncio.gather(
        *[bus.dispatch(RegisterCustomer(name="Kim", email=email), STAFF) for email in emails],
        return_exceptions=True,
    )
    won, lost = split(outcomes)
    assert len(won) == 1
    assert {(e.code, e.field) for rejection in lost for e in rejection.errors} == {
        (DUPLICATE, ("email",))
    }
    assert await count(engine, "customers") == 1
    assert await count(engine, "events") == 1


async def test_racing_additions_of_one_sku_make_one_product(
    engine: AsyncEngine, bus: CommandBus
) -> None:
    command = AddProduct(sku="RACE-1", name="Racer", price=Decimal("5"), currency="EUR")
    outcomes = await asyncio.gather(
        *[bus.dispatch(command, STAFF) for _ in range(5)], return_exceptions=True
    )
    won, lost = split(outcomes)
    assert len(won) == 1
    assert {(e.code, e.field) for rejection in lost for e in rejection.errors} == {
        (DUPLICATE, ("sku",))
    }
    assert await count(engine, "products") == 1
