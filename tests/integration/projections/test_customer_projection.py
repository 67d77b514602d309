"""The customer view on SQLite and PostgreSQL with a real search node: every document
equals the one computed from the write tables (the oracle), order events and renames fan
out to the customer's document, a replay ends in the same index, and a rebuild of the
customer projection alone loads it from the tables."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from commands.messages import CancelOrder, PayOrder, UpdateCustomer, UpdateProduct
from positions import ORIGIN, Position
from projections import source
from projections.projector import Projector
from projections.rebuild import Rebuild
from projections.registry import CUSTOMERS
from read_model.indices import live_index
from read_model.progress import publish_progress, read_progress
from tests.integration.engine.engine_testkit import orders_cli
from tests.integration.projections.test_projector import CrashAt, CrashingProjector
from tests.support.actors import STAFF
from tests.support.customer_view import CustomerView, customer_view
from tests.support.world import World

pytestmark = [pytest.mark.anyio, pytest.mark.search]


@pytest.fixture
async def view(world: World) -> CustomerView:
    return await customer_view(world, batch_size=7)


async def history(w: World) -> dict[str, str]:
    """Two customers with orders in two currencies, a payment, a cancellation, renames."""
    ana = await w.customer("Ana Souza", "ana@example.com")
    bob = await w.customer("Bob Stone", "bob@example.com")
    await w.customer("Cleo Idle", "cleo@example.com")  # never orders
    mug = await w.product("MUG-1", "Blue Mug", "9.50", "kitchen")
    tee = await w.product("TEE-2", "Plain Tee", "15.00", "apparel", currency="CHF")
    first = await w.order(ana, [(mug, 2)], country="PT")
    await w.order(ana, [(tee, 1)], country="CH")
    cancelled = await w.order(ana, [(mug, 1)], country="FR")
    await w.bus.dispatch(PayOrder(order_id=first.id, amount=Decimal("19.00")), STAFF)
    await w.bus.dispatch(CancelOrder(order_id=cancelled.id, reason="duplicate"), STAFF)
    await w.order(bob, [(mug, 3)], country="DE")
    await w.bus.dispatch(UpdateCustomer(ana, name="Ana Lima", email="ana.lima@example.com"), STAFF)
    return {"ana": ana, "bob": bob}


async def test_every_customer_document_equals_the_oracle(world: World, view: CustomerView) -> None:
    ids = await history(world)
    await view.catch_up()

    indexed = await view.indexed()
    assert indexed == await view.oracle()
    assert len(indexed) == 3
    ana = indexed[ids["ana"]]
    assert (ana["name"], ana["email"]) == ("Ana Lima", "ana.lima@example.com")
    assert ana["orderCount"] == 3
    assert ana["ordersByStatus"] == [
        {"status": "PLACED", "count": 1},
        {"status": "PAID", "count": 1},
        {"status": "CANCELLED", "count": 1},
    ]
    assert ana["lifetimeValue"] == [
        {"currency": "CHF", "amount": "15.00"},
        {"currency": "EUR", "amount": "19.00"},
    ]
    assert ana["countries"] == ["CH", "FR", "PT"]
    assert ana["firstOrderAt"] <= ana["lastOrderAt"]


async def test_order_events_and_renames_reach_the_customer_document(
    world: World, view: CustomerView
) -> None:
    ids = await history(world)
    await view.catch_up()
    before = (await view.indexed())[ids["bob"]]
    assert before["lifetimeValue"] == [{"currency": "EUR", "amount": "28.50"}]

    mug = await world.product("MUG-9", "Red Mug", "2.00")
    placed = await world.order(ids["bob"], [(mug, 1)], country="PL")
    await world.bus.dispatch(UpdateCustomer(ids["bob"], name="Bob Störm"), STAFF)
    await view.catch_up()
    after = (await view.indexed())[ids["bob"]]
    assert (after["name"], after["orderCount"], after["countries"]) == (
        "Bob Störm",
        2,
        ["DE", "PL"],
    )
    assert after["lifetimeValue"] == [{"currency": "EUR", "amount": "30.50"}]

    await world.bus.dispatch(CancelOrder(order_id=placed.id, reason="changed my mind"), STAFF)
    # A product's new price changes no customer document (placed totals stay).
    await world.bus.dispatch(UpdateProduct(mug, price=Decimal("99.00")), STAFF)
    await view.catch_up()
    cancelled = (await view.indexed())[ids["bob"]]
    assert cancelled["lifetimeValue"] == [{"currency": "EUR", "amount": "28.50"}]
    assert cancelled["ordersByStatus"] == [
        {"status": "PLACED", "count": 1},
        {"status": "CANCELLED", "count": 1},
    ]
    assert await view.indexed() == await view.oracle()


async def test_a_replay_from_the_origin_ends_in_the_same_index(
    world: World, view: CustomerView
) -> None:
    await history(world)
    await view.catch_up()
    first = await view.indexed()

    index = await live_index(world.search, view.prefix)
    await publish_progress(world.search, view.prefix, ORIGIN, index=index)
    replaying = Projector(
        world.engine, world.search, view.prefix, batch_size=3, projection=CUSTOMERS
    )
    await view.catch_up(replaying)

    assert await view.indexed() == first == await view.oracle()


async def test_a_rebuild_of_the_customer_projection_loads_it_from_the_tables(
    world: World, view: CustomerView
) -> None:
    await history(world)  # never projected: the rebuild loads every customer itself
    old = await live_index(world.search, view.prefix)

    report = await Rebuild(
        world.engine,
        world.search,
        view.prefix,
        progress=False,
        load_chunk=2,
        swap_grace=0,
        projection=CUSTOMERS,
    ).run()

    assert report.index != old
    assert await world.search.alias_targets(view.prefix) == [report.index]
    assert await view.indexed() == await view.oracle()
    # The order view is left as it was: nothing projected into it.
    assert await world.indexed() == {}


async def test_orders_rebuild_projection_customers_rebuilds_that_view_only(
    world: World,
    view: CustomerView,
    database_url: str,
    search_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await history(world)
    urls = (database_url, search_url, world.prefix)
    orders_index = await live_index(world.search, world.prefix)

    argv = ("rebuild", "--projection", "customers", "--no-progress")
    capsys.readouterr()
    assert await orders_cli(monkeypatch, urls, *argv) == 0

    assert ": 3 customers loaded, " in capsys.readouterr().out  # its documents, by name
    assert await view.indexed() == await view.oracle()
    assert await live_index(world.search, world.prefix) == orders_index  # untouched
    capsys.readouterr()
    assert await orders_cli(monkeypatch, urls, "status") == 0
    status = capsys.readouterr().out
    assert f"projection    customers (alias {view.prefix} -> " in status


@pytest.mark.parametrize("point", ["before_write", "after_write", "after_checkpoint"])
async def test_a_crash_and_restart_of_the_customer_projector_ends_in_the_oracle(
    world: World, view: CustomerView, point: str
) -> None:
    await history(world)
    crashing = CrashingProjector(
        world.engine,
        world.search,
        view.prefix,
        point=point,
        on_batch=2,
        batch_size=4,
        projection=CUSTOMERS,
    )
    with pytest.raises(CrashAt):
        await crashing.run_until_caught_up()
    before = await read_progress(world.search, view.prefix)

    await view.catch_up()  # a fresh projector, from the published checkpoint

    assert await read_progress(world.search, view.prefix) > before
    assert await view.indexed() == await view.oracle()


async def test_a_failing_customer_view_holds_back_neither_the_order_view_nor_itself(
    world: World,
    view: CustomerView,
    database_url: str,
    search_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await history(world)
    async with world.engine.connect() as conn:
        target = await source.head(conn)
    index = await live_index(world.search, view.prefix)
    await world.search.put_settings(index, {"blocks.write": True})  # its writes fail
    stop = asyncio.Event()
    running = [asyncio.create_task(p.run_forever(stop)) for p in (world.projector, view.projector)]
    try:
        await reach(world, world.prefix, target)  # the order view goes on
        assert await read_progress(world.search, view.prefix) < target
        capsys.readouterr()
        urls = (database_url, search_url, world.prefix)
        assert await orders_cli(monkeypatch, urls, "status") == 0
        status = capsys.readouterr().out.split("projection    ")
        (customers,) = [part for part in status if part.startswith("customers ")]
        assert "lag           0 events" not in customers  # its lag shows

        await world.search.put_settings(index, {"blocks.write": False})
        await reach(world, view.prefix, target)  # and it catches up once writes work again
    finally:
        stop.set()
        await asyncio.gather(*running)
    assert await view.indexed() == await view.oracle()
    assert await world.indexed() == await world.oracle()


async def reach(world: World, prefix: str, target: Position) -> None:
    """Wait (bounded) until the view behind `prefix` has published `target`."""
    for _ in range(1200):
        if await read_progress(world.search, prefix) >= target:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{prefix} never reached {tuple(target)}")


async def test_a_new_customer_view_backfills_while_writes_go_on(
    world: World, view: CustomerView
) -> None:
    ids = await history(world)  # the log already holds customers and orders
    mug = await world.product("MUG-7", "Green Mug", "3.00")
    stop = asyncio.Event()
    projecting = asyncio.create_task(view.projector.run_forever(stop))
    try:
        for n in range(12):  # writes while the new view catches up from the log's origin
            await world.order(ids["ana" if n % 2 else "bob"], [(mug, 1 + n)], country="IT")
            if n % 4 == 0:
                await world.customer(f"Late {n}", f"late{n}@example.com")
        async with world.engine.connect() as conn:
            target = await source.head(conn)
        await reach(world, view.prefix, target)
    finally:
        stop.set()
        await projecting
    indexed = await view.indexed()
    assert indexed == await view.oracle()
    assert len(indexed) == 6 and indexed[ids["bob"]]["orderCount"] == 7
