"""Invariant 2 for the customer view on PostgreSQL: eight writers whose transactions
commit out of `seq` order, the customer projector running meanwhile, and every customer
document ends equal to the oracle."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from positions import decode_token
from read_model.progress import read_progress
from tests.integration.projections.test_gap_safety import RANDOM_COMMIT_DELAY, plain_dsn, writer
from tests.support.customer_view import customer_view
from tests.support.world import World, running_world

pytestmark = [pytest.mark.anyio, pytest.mark.search, pytest.mark.postgres]


@pytest.fixture
async def world(postgres_url: str, search_url: str, index_prefix: str) -> AsyncIterator[World]:
    async with running_world(postgres_url, search_url, index_prefix) as w:
        yield w


async def test_eight_concurrent_writers_with_the_customer_projector_running(
    world: World, postgres_url: str
) -> None:
    admin = await asyncpg.connect(plain_dsn(postgres_url))
    try:
        await admin.execute(RANDOM_COMMIT_DELAY)
    finally:
        await admin.close()
    view = await customer_view(world, batch_size=20)
    shared = await world.product("SHARED-1", "Shared Widget", "5.00", "misc")
    stop = asyncio.Event()
    projector = asyncio.create_task(view.projector.run_forever(stop))

    results = await asyncio.gather(*(writer(world, n, shared) for n in range(8)))

    head = max(decode_token(p) for positions in results for p in positions)
    for _ in range(600):
        if await read_progress(world.search, view.prefix) >= head:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await projector
    assert await read_progress(world.search, view.prefix) >= head
    docs = await view.indexed()
    assert len(docs) == 8
    assert all(doc["orderCount"] == 6 for doc in docs.values())
    assert docs == await view.oracle()
