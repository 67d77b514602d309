"""One active projector per projection; standbys take over; claims make the leader step aside.

Failover bound on PostgreSQL (asserted below): a killed leader's advisory lock is freed as
soon as its connection drops, and a standby retries every second, so another process leads
within FAILOVER_BOUND seconds (its import and start-up excluded: it is already running).
"""

from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path

import pytest

from projections.leadership import Leadership
from projections.leadership_backends import LeaseLeadership, PostgresLeadership
from tests.integration.engine.engine_testkit import (
    Traffic,
    assert_index_equals_oracle,
    head,
    projector_env,
    projector_processes,
    wait_for_progress,
)
from tests.support.world import World

pytestmark = [pytest.mark.anyio, pytest.mark.search]

FAILOVER_BOUND = 5.0  # seconds: retry interval (1 s) + lock release + one leadership check


def contender(world: World, **kwargs: float) -> Leadership:
    options = {"retry_interval": 0.1, "check_interval": 0.1, "ttl": 1.0, **kwargs}
    return Leadership.for_engine(world.engine, world.prefix, **options)


async def test_exactly_one_leads_and_a_standby_takes_over(world: World) -> None:
    first, second = contender(world), contender(world)
    second.holder = "projector other-host:2"
    try:
        assert await first.acquire()
        assert not await second.acquire()
        assert await first.keep() and not await second.keep()
        assert await first.active_instance() == first.holder

        # The leader dies without a word: its lock connection drops / its lease runs out.
        if isinstance(first, PostgresLeadership):
            await first._drop_connection()
        else:
            assert isinstance(first, LeaseLeadership)
        first.held = False
        started = time.monotonic()
        while not await second.keep():
            assert time.monotonic() - started < 5
            await asyncio.sleep(0.05)
        assert await second.active_instance() == second.holder
        assert not await first.acquire()
    finally:
        await first.close()
        await second.close()


async def test_a_claim_makes_the_leader_step_aside_and_come_back(world: World) -> None:
    traffic = Traffic(world)
    await traffic.setup(customers=2, products=2)
    leader = world.new_projector(batch_size=20, poll_interval=0.05, leadership=contender(world))
    stop = asyncio.Event()
    running = asyncio.create_task(leader.run_forever(stop))
    try:
        for _ in range(5):
            await traffic.story()
        await wait_for_progress(world, await head(world), 30)
        assert leader.metrics.role == "active"

        claimant = contender(world)
        claimant.holder = "rebuild claimant:1"
        try:
            async with claimant.exclusive(wait=10):
                await asyncio.sleep(0.3)
                assert leader.metrics.role == "standby"
                await traffic.story()
                await asyncio.sleep(0.3)  # nothing is projected while the claimant leads
                assert leader.metrics.role == "standby"
        finally:
            await claimant.close()
        await wait_for_progress(world, await head(world), 30)
        assert leader.metrics.role == "active"
    finally:
        stop.set()
        await running
    await assert_index_equals_oracle(world)


@pytest.mark.postgres
async def test_failover_between_two_projector_processes(
    pg_world: World, postgres_url: str, search_url: str, tmp_path: Path
) -> None:
    world = pg_world
    traffic = Traffic(world, seed=3)
    await traffic.setup()
    observer = Leadership.for_engine(world.engine, world.prefix)
    env = projector_env(postgres_url, search_url, world.prefix)
    with projector_processes(env, tmp_path) as pool:
        processes = {p.pid: p for p in (pool.start(), pool.start())}
        leader_pid = await wait_for_leader(observer, set(processes), 60, pool.logs)
        stop = asyncio.Event()
        writing = asyncio.create_task(traffic.run(stop, writers=2, pause=0.01))
        await asyncio.sleep(1 + random.random())

        pool.kill(processes[leader_pid])
        killed_at = time.monotonic()
        survivor = (set(processes) - {leader_pid}).pop()
        assert await wait_for_leader(observer, {survivor}, FAILOVER_BOUND, pool.logs) == survivor
        failover = time.monotonic() - killed_at
        await asyncio.sleep(1)
        stop.set()
        await writing
        await wait_for_progress(world, traffic.last, 60)
    print(f"failover took {failover:.2f} s (bound {FAILOVER_BOUND} s)")
    assert failover < FAILOVER_BOUND
    await assert_index_equals_oracle(world)


async def wait_for_leader(
    observer: Leadership, candidates: set[int], within: float, logs: object
) -> int:
    """The pid of whichever candidate leads (from `host:pid` in the lock's session)."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        active = await observer.active_instance()
        if active is not None and int(active.rsplit(":", 1)[1]) in candidates:
            return int(active.rsplit(":", 1)[1])
        await asyncio.sleep(0.05)
    raise AssertionError(
        f"none of {candidates} led within {within} s\n{logs() if callable(logs) else ''}"
    )
