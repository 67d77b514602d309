"""Invariant 3 the hard way: a standalone `orders projector` is killed with SIGKILL at random
moments, again and again, while thousands of events flow; the final index equals the oracle."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from positions import Position
from projections.leadership import Leadership
from read_model.progress import read_progress
from tests.integration.engine.engine_testkit import (
    Traffic,
    assert_index_equals_oracle,
    head,
    projector_env,
    projector_processes,
    wait_for_progress,
)
from tests.integration.engine.test_leadership import wait_for_leader
from tests.support.world import World, running_world

pytestmark = [pytest.mark.anyio, pytest.mark.search, pytest.mark.postgres]

EVENTS = 5_200
KILLS = 10


@pytest.fixture
async def world(postgres_url: str, search_url: str, index_prefix: str) -> AsyncIterator[World]:
    async with running_world(postgres_url, search_url, index_prefix) as w:
        yield w


async def test_kill_9_at_random_moments_ends_in_the_oracle(
    world: World, postgres_url: str, search_url: str, tmp_path: Path
) -> None:
    rng = random.Random(20)
    traffic = Traffic(world, seed=20)
    await traffic.setup(customers=12, products=10)
    observer = Leadership.for_engine(world.engine, world.prefix)
    stop = asyncio.Event()
    writing = asyncio.create_task(traffic.run(stop, writers=4, pause=0.01))
    env = projector_env(postgres_url, search_url, world.prefix, PROJECTOR_BATCH_SIZE="50")
    progress_at_kills = []
    started = time.monotonic()
    with projector_processes(env, tmp_path) as pool:
        live = {p.pid: p for p in (pool.start(), pool.start())}
        leader = await wait_for_leader(observer, set(live), 60, pool.logs)
        for _ in range(KILLS):  # bounded: every wait below has its own limit
            spare = pool.start()  # warms up while this round runs: rounds cost no start-up
            live[spare.pid] = spare
            await wait_for_progress(world, await next_position(world), 30)  # leader at work
            await asyncio.sleep(rng.uniform(0, 0.8))  # somewhere inside a batch, or between
            pool.kill(live.pop(leader))
            progress_at_kills.append(await read_progress(world.search, world.prefix))
            leader = await wait_for_leader(observer, set(live), 60, pool.logs)
        while traffic.writes < EVENTS:  # events flowed through every kill; top them up
            await traffic.story()
        stop.set()
        await writing
        await wait_for_progress(world, await head(world), 120)
    elapsed = time.monotonic() - started

    async with world.engine.connect() as conn:
        events = (await conn.exec_driver_sql("SELECT count(*) FROM events")).scalar_one()
    print(f"{KILLS} kills, {events} events in {elapsed:.0f} s")
    assert events >= 5_000
    assert len(set(progress_at_kills)) == KILLS, "every victim got to project something"
    await assert_index_equals_oracle(world)


async def next_position(world: World) -> Position:
    """Just past the published progress: reached once the victim has finished a batch."""
    reached = await read_progress(world.search, world.prefix)
    return Position(reached.txid, reached.seq + 1)
