"""The search node goes away for a while during writes: every mutation still succeeds, the
projector reports itself degraded and retries with backoff, and once the node is back it
catches up, skipping nothing. Runs on a search node of its own, since it stops it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest

from projections.leadership import Leadership
from search_engine.node import SearchNode, pick_free_port
from tests.conftest import SEARCH_NODE_CACHE
from tests.integration.engine.engine_testkit import (
    Traffic,
    assert_index_equals_oracle,
    head,
    wait_for_progress,
)
from tests.support.world import running_world

pytestmark = [pytest.mark.anyio, pytest.mark.search, pytest.mark.postgres]

OWN_NODE_PORTS = range(9230, 9250)  # clear of the dev node (9250), 9200 and the suite's node


@pytest.fixture(scope="module")
def own_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchNode]:
    node = SearchNode(
        port=pick_free_port(OWN_NODE_PORTS),
        data_dir=tmp_path_factory.mktemp("outage-node"),
        heap="512m",
        cluster_name="orders-outage",
        cache_dir=SEARCH_NODE_CACHE,
    )
    node.start()
    try:
        yield node
    finally:
        node.stop()


async def test_writes_succeed_while_the_node_is_down_and_the_projector_catches_up(
    own_node: SearchNode, postgres_url: str
) -> None:
    async with running_world(postgres_url, own_node.url, "outage") as world:
        traffic = Traffic(world, seed=5)
        await traffic.setup(customers=4, products=4)
        leadership = Leadership.for_engine(world.engine, world.prefix)
        projector = world.new_projector(batch_size=50, poll_interval=0.05, leadership=leadership)
        stop = asyncio.Event()
        running = asyncio.create_task(projector.run_forever(stop))
        try:
            for _ in range(20):
                await traffic.story()
            await wait_for_progress(world, await head(world), 60)

            await asyncio.to_thread(own_node.stop)
            writes_before = traffic.writes
            outage_started = time.monotonic()
            while time.monotonic() - outage_started < 4 or not projector.metrics.degraded:
                await traffic.story()  # raises if any mutation fails
                assert time.monotonic() - outage_started < 60, "the projector never noticed"
            written_during_outage = traffic.writes - writes_before
            health = projector.metrics.health()
            assert health["status"] == "degraded" and health["failures"] >= 1

            await asyncio.to_thread(own_node.start)
            back = time.monotonic()
            catch_up = await wait_for_progress(world, traffic.last, 120)
            print(
                f"{written_during_outage} writes during a {back - outage_started:.1f} s outage; "
                f"caught up {catch_up:.1f} s after the node was back"
            )
            await wait_for_progress(world, await head(world), 30)
            assert projector.metrics.health()["status"] == "ok"
            assert written_during_outage > 0
            assert catch_up < 30  # the backoff is capped at 5 s
        finally:
            stop.set()
            await running
        await assert_index_equals_oracle(world)
