"""The sales view through the engine: a projector crashing between write and checkpoint,
eight concurrent writers on PostgreSQL, a backfill while orders go on, `orders rebuild
--projection sales`, and a sales index refusing writes, all end in the oracle's numbers."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from commands.messages import CancelOrder
from projections import sales, source
from projections.projector import Projector
from projections.registry import SALES
from read_model.indices import ensure_index, live_index
from read_model.progress import read_progress
from read_model.stamps import STAMP
from tests.integration.engine.engine_testkit import orders_cli
from tests.integration.projections.test_customer_projection import reach
from tests.integration.projections.test_gap_safety import eight_writers_while_projecting
from tests.integration.projections.test_projector import (
    CrashAt,
    CrashingProjector,
    catch_up,
    make_history,
)
from tests.support.actors import STAFF
from tests.support.world import World

pytestmark = [pytest.mark.anyio, pytest.mark.search]


def sales_projector(
    world: World, prefix: str, cls: type[Projector] = Projector, **kwargs: Any
) -> Projector:
    return cls(world.engine, world.search, prefix, projection=SALES, **kwargs)


async def indexed(world: World, prefix: str) -> dict[str, dict[str, Any]]:
    await world.search.refresh(prefix)
    body = {"query": {"match_all": {}}, "size": 10_000, "_source": {"excludes": [STAMP]}}
    response = await world.search.search(prefix, body)
    return {hit["_id"]: hit["_source"] for hit in response["hits"]["hits"]}


async def oracle(world: World) -> dict[str, Any]:
    async with world.engine.connect() as conn:
        return dict(await sales.load_sales_after(conn, "", 100_000))


@pytest.mark.parametrize("point", ["before_write", "after_write", "after_checkpoint"])
async def test_a_crash_and_restart_ends_in_the_same_sales(world: World, point: str) -> None:
    prefix = SALES.prefix(world.prefix)
    await ensure_index(world.search, prefix, SALES.view)
    await make_history(world, orders=16)
    crashing = sales_projector(
        world, prefix, CrashingProjector, point=point, on_batch=2, batch_size=7
    )
    with pytest.raises(CrashAt):
        await crashing.run_until_caught_up()

    await catch_up(world, sales_projector(world, prefix, batch_size=7))
    clean = SALES.prefix(world.prefix + "-clean")
    await ensure_index(world.search, clean, SALES.view)
    await catch_up(world, sales_projector(world, clean, batch_size=500))
    assert await indexed(world, prefix) == await oracle(world) == await indexed(world, clean)


@pytest.mark.postgres
async def test_eight_concurrent_writers_end_in_the_oracles_sales(
    pg_world: World, postgres_url: str
) -> None:
    world = pg_world
    prefix = SALES.prefix(world.prefix)
    await ensure_index(world.search, prefix, SALES.view)
    projector = sales_projector(world, prefix, batch_size=50, poll_interval=0.05)
    await eight_writers_while_projecting(world, postgres_url, projector)
    documents = await indexed(world, prefix)
    skus = {doc["sku"] for doc in documents.values() if doc["kind"] == "product"}
    assert skus == {"SHARED-1", *(f"OWN-{n}" for n in range(8))}
    assert documents == await oracle(world)


async def test_orders_rebuild_projection_sales_equals_the_live_view(
    world: World,
    database_url: str,
    search_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    prefix = SALES.prefix(world.prefix)
    await ensure_index(world.search, prefix, SALES.view)
    await make_history(world, orders=12)
    await catch_up(world, sales_projector(world, prefix))
    live, live_name = await indexed(world, prefix), await live_index(world.search, prefix)
    orders_index = await live_index(world.search, world.prefix)

    urls = (database_url, search_url, world.prefix)
    argv = ("rebuild", "--projection", "sales", "--no-progress")
    assert await orders_cli(monkeypatch, urls, *argv) == 0

    assert await live_index(world.search, prefix) != live_name  # a new index behind the alias
    assert await indexed(world, prefix) == live == await oracle(world)
    assert await live_index(world.search, world.prefix) == orders_index  # untouched
    capsys.readouterr()
    assert await orders_cli(monkeypatch, urls, "status") == 0
    assert f"projection    sales (alias {prefix} -> " in capsys.readouterr().out


async def test_a_new_sales_view_backfills_while_orders_go_on(world: World) -> None:
    prefix = SALES.prefix(world.prefix)
    ids = await make_history(world, orders=10)  # the log already holds orders
    await ensure_index(world.search, prefix, SALES.view)
    customer = await world.customer("Late Buyer", "late@example.com")
    lamp = await world.product("LMP-7", "Lamp", "12.00", "home")
    stop = asyncio.Event()
    running = asyncio.create_task(sales_projector(world, prefix, batch_size=5).run_forever(stop))
    try:
        for n in range(8):  # writes while the new view catches up from the log's origin
            await world.order(customer, [(lamp, 1 + n)], country="IT")
            if n % 3 == 0:  # placed (n = 0, 4) or paid (n = 5) orders of the history
                late = CancelOrder(order_id=ids[{0: 0, 3: 4, 6: 5}[n]], reason="late")
                await world.bus.dispatch(late, STAFF)
        async with world.engine.connect() as conn:
            target = await source.head(conn)
        await reach(world, prefix, target)
    finally:
        stop.set()
        await running
    documents = await indexed(world, prefix)
    assert documents == await oracle(world)
    lamps = [doc for doc in documents.values() if doc["sku"] == "LMP-7"]
    assert sum(entry["units"] for doc in lamps for entry in doc["sales"]) == sum(range(1, 9))


async def test_a_failing_sales_view_holds_back_neither_the_order_view_nor_itself(
    world: World,
    database_url: str,
    search_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    prefix = SALES.prefix(world.prefix)
    await ensure_index(world.search, prefix, SALES.view)
    await make_history(world, orders=6)
    async with world.engine.connect() as conn:
        target = await source.head(conn)
    index = await live_index(world.search, prefix)
    await world.search.put_settings(index, {"blocks.write": True})  # its writes fail
    stop = asyncio.Event()
    view = sales_projector(world, prefix, poll_interval=0.05)
    running = [asyncio.create_task(p.run_forever(stop)) for p in (world.projector, view)]
    try:
        await reach(world, world.prefix, target)  # the order view goes on
        assert await read_progress(world.search, prefix) < target
        capsys.readouterr()
        urls = (database_url, search_url, world.prefix)
        assert await orders_cli(monkeypatch, urls, "status") == 0
        parts = capsys.readouterr().out.split("projection    ")
        (status,) = [part for part in parts if part.startswith("sales ")]
        assert "lag           0 events" not in status  # its lag shows

        await world.search.put_settings(index, {"blocks.write": False})
        await reach(world, prefix, target)  # and it catches up once writes work again
    finally:
        stop.set()
        await asyncio.gather(*running)
    assert await indexed(world, prefix) == await oracle(world)
    assert await world.indexed() == await world.oracle()
