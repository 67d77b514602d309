"""Zero-downtime rebuild (docs/ARCHITECTURE.md, invariant 10) on real servers: a new physical
index is filled, caught up and swapped in while the live projector, writers and readers keep
going."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from positions import encode_token
from projections.leadership import Leadership
from projections.projector import Projector
from projections.rebuild import Rebuild
from projections.rebuild_state import RebuildError
from queries.search_request import OrderSearch
from read_model import names
from read_model.mapping import MAPPING_VERSION, index_body
from read_model.mapping_state import mapping_state
from tests.integration.engine.engine_testkit import (
    Traffic,
    assert_index_equals_oracle,
    head,
    orders_cli,
    project_everything,
    wait_for_progress,
)
from tests.support.actors import STAFF
from tests.support.world import World, running_world

pytestmark = [pytest.mark.anyio, pytest.mark.search]


class Interrupted(Exception):
    pass


@pytest.fixture
async def sqlite_world(sqlite_url: str, search_url: str, index_prefix: str) -> AsyncIterator[World]:
    async with running_world(sqlite_url, search_url, index_prefix) as w:
        yield w


def live_projector(world: World) -> Projector:
    leadership = Leadership.for_engine(
        world.engine, world.prefix, retry_interval=0.1, check_interval=0.1
    )
    return world.new_projector(batch_size=100, poll_interval=0.05, leadership=leadership)


class Readers:
    """Queries running all along: none may fail or see fewer orders than at the start."""

    def __init__(self, world: World, floor: int, known_id: str) -> None:
        self.world, self.floor, self.known_id = world, floor, known_id
        self.failures: list[str] = []
        self.reads = 0

    async def run(self, stop: asyncio.Event, traffic: Traffic) -> None:
        queries = self.world.queries
        while not stop.is_set():
            try:
                page = await queries.search_orders(OrderSearch(first=5), STAFF)
                if page.total_count < self.floor:
                    self.failures.append(f"{page.total_count} orders < {self.floor}")
                if await queries.get_order(self.known_id, STAFF) is None:
                    self.failures.append(f"order {self.known_id} missing")
                await queries.wait_for(encode_token(traffic.last), 10_000)
                self.reads += 1
            except Exception as error:  # every failure is a finding, not a crash of the reader
                self.failures.append(repr(error))
            await asyncio.sleep(0.05)


@pytest.mark.postgres
async def test_rebuild_while_writers_and_readers_run(pg_world: World) -> None:
    world = pg_world
    traffic = Traffic(world)
    await traffic.setup()
    for _ in range(150):
        await traffic.story()
    stop_live = asyncio.Event()
    live = asyncio.create_task(live_projector(world).run_forever(stop_live))
    await wait_for_progress(world, await head(world), 60)
    old_index = await world.search.alias_targets(world.prefix)
    before = (await world.queries.search_orders(OrderSearch(first=1), STAFF)).total_count
    known = next(iter(await world.oracle()))
    stop = asyncio.Event()
    readers = Readers(world, before, known)
    background = [
        asyncio.create_task(traffic.run(stop, writers=2, pause=0.1)),
        asyncio.create_task(readers.run(stop, traffic)),
    ]

    rebuild = Rebuild(
        world.engine,
        world.search,
        world.prefix,
        progress=False,
        load_chunk=40,
        catch_up_batch=200,
        swap_grace=0.5,
    )
    reads_before = readers.reads
    report = await rebuild.run()
    reads_during = readers.reads - reads_before
    await asyncio.sleep(1.5)  # writes and reads go on against the new index
    stop.set()
    await asyncio.gather(*background)
    await wait_for_progress(world, traffic.last, 60)
    stop_live.set()
    await live

    assert readers.failures == []
    assert reads_during > 0 and readers.reads > reads_during
    assert report.orders >= before and report.events > 0
    assert await world.search.alias_targets(world.prefix) == [report.index]
    assert report.replaced == old_index
    assert not await world.search.index_exists(old_index[0])
    assert (await mapping_state(world.search, world.prefix)).rebuild_needed is False
    await assert_index_equals_oracle(world)


async def test_an_interrupted_rebuild_resumes_and_never_serves_half_an_index(
    world: World,
) -> None:
    traffic = Traffic(world)
    await traffic.setup()
    for _ in range(60):
        await traffic.story()
    await project_everything(world)
    old_index = await world.search.alias_targets(world.prefix)

    async def interrupt(chunk: int) -> None:
        if chunk == 2:
            raise Interrupted  # like Ctrl-C or a crash in the middle of the load

    first = Rebuild(
        world.engine,
        world.search,
        world.prefix,
        progress=False,
        load_chunk=10,
        parallel=1,  # one chunk at a time: the interruption lands after exactly two
        on_chunk=interrupt,
    )
    with pytest.raises(Interrupted):
        await first.run()
    assert await world.search.alias_targets(world.prefix) == old_index
    builds, _ = await first.survey()
    assert [b.state["loaded"] for b in builds] == [20]
    with pytest.raises(RebuildError, match="--resume"):
        await Rebuild(world.engine, world.search, world.prefix, progress=False).run()

    for _ in range(10):  # the log moves on while the build is parked
        await traffic.story()
    resumed = Rebuild(world.engine, world.search, world.prefix, progress=False, swap_grace=0)
    report = await resumed.run(resume=True)

    assert report.index == builds[0].index
    assert report.orders >= 60  # 20 before the interruption, every later id after it
    assert await world.search.alias_targets(world.prefix) == [report.index]
    assert await world.search.indices(f"{world.prefix}-v*") == [report.index]
    await project_everything(world)
    await assert_index_equals_oracle(world)


async def test_an_interrupted_rebuild_can_be_discarded(world: World) -> None:
    traffic = Traffic(world)
    await traffic.setup(customers=2, products=2)
    for _ in range(15):
        await traffic.story()
    await project_everything(world)
    live = await world.search.alias_targets(world.prefix)

    async def interrupt(chunk: int) -> None:
        raise Interrupted

    rebuild = Rebuild(
        world.engine, world.search, world.prefix, progress=False, load_chunk=5, on_chunk=interrupt
    )
    with pytest.raises(Interrupted):
        await rebuild.run()
    discarded = await rebuild.discard()

    assert len(discarded) == 1 and discarded[0] not in live
    assert await world.search.indices(f"{world.prefix}-v*") == live
    assert not await world.search.get(names.progress_index(world.prefix), discarded[0])
    await assert_index_equals_oracle(world)


async def test_a_changed_mapping_is_reported_until_a_rebuild(world: World) -> None:
    # An index as an older release built it: another mapping version in its `_meta`.
    stale = names.physical_index(world.prefix, MAPPING_VERSION - 1, "old")
    body = index_body()
    body["mappings"]["_meta"] = {"mapping_version": MAPPING_VERSION - 1}
    await world.search.create_index(stale, body)
    current = await world.search.alias_targets(world.prefix)
    await world.search.swap_alias(world.prefix, stale, current)
    await world.search.delete_index(current[0])
    traffic = Traffic(world)
    await traffic.setup(customers=2, products=2)
    for _ in range(5):
        await traffic.story()

    state = await mapping_state(world.search, world.prefix)
    assert state.rebuild_needed
    assert f"v{MAPPING_VERSION - 1}" in state.describe()
    assert "orders rebuild" in state.describe()

    started = time.monotonic()
    report = await Rebuild(world.engine, world.search, world.prefix, progress=False).run()
    assert time.monotonic() - started < 30
    state = await mapping_state(world.search, world.prefix)
    assert (state.index, state.index_version, state.rebuild_needed) == (
        report.index,
        MAPPING_VERSION,
        False,
    )
    assert not await world.search.index_exists(stale)
    await assert_index_equals_oracle(world)


async def test_the_rebuild_command(
    sqlite_world: World,
    sqlite_url: str,
    search_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    world = sqlite_world
    traffic = Traffic(world)
    await traffic.setup(customers=2, products=2)
    for _ in range(12):
        await traffic.story()
    await project_everything(world)
    urls = (sqlite_url, search_url, world.prefix)
    before = await world.search.alias_targets(world.prefix)

    assert await orders_cli(monkeypatch, urls, "rebuild", "--no-progress", "--chunk", "5") == 0
    out = capsys.readouterr().out
    after = await world.search.alias_targets(world.prefix)
    assert after != before and f"now serving {after[0]} (replaced {before[0]})" in out
    assert "12 orders loaded" in out
    assert await orders_cli(monkeypatch, urls, "rebuild", "--discard") == 0
    assert "nothing to discard" in capsys.readouterr().out
    assert await orders_cli(monkeypatch, urls, "status") == 0
    status = capsys.readouterr().out
    assert f"-> {after[0]}" in status and "(as in the code)" in status
    assert "lag           0 events" in status
    await assert_index_equals_oracle(world)
