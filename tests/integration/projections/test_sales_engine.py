"""The sales view through the engine's failures: a projector crashing between write and
checkpoint, and eight concurrent writers on PostgreSQL, end in the oracle's numbers."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from positions import decode_token
from projections import sales
from projections.projector import Projector
from projections.registry import SALES
from read_model.indices import ensure_index
from read_model.progress import read_progress
from read_model.stamps import STAMP
from tests.integration.projections.test_gap_safety import RANDOM_COMMIT_DELAY, plain_dsn, writer
from tests.integration.projections.test_projector import (
    CrashAt,
    CrashingProjector,
    catch_up,
    make_history,
)
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
    admin = await asyncpg.connect(plain_dsn(postgres_url))
    try:
        await admin.execute(RANDOM_COMMIT_DELAY)
    finally:
        await admin.close()
    prefix = SALES.prefix(world.prefix)
    await ensure_index(world.search, prefix, SALES.view)
    shared = await world.product("SHARED-1", "Shared Widget", "5.00", "misc")
    stop = asyncio.Event()
    running = asyncio.create_task(
        sales_projector(world, prefix, batch_size=50, poll_interval=0.05).run_forever(stop)
    )
    results = await asyncio.gather(*(writer(world, n, shared) for n in range(8)))

    head = max(decode_token(p) for positions in results for p in positions)
    for _ in range(600):  # bounded: 30 s at most
        if await read_progress(world.search, prefix) >= head:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await running
    assert await read_progress(world.search, prefix) >= head
    documents = await indexed(world, prefix)
    skus = {doc["sku"] for doc in documents.values() if doc["kind"] == "product"}
    assert skus == {"SHARED-1", *(f"OWN-{n}" for n in range(8))}
    assert documents == await oracle(world)
