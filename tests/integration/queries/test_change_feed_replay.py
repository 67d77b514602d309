"""Subscriptions with `after`, on the real search node: bounded, paged, and never in the
way of live changes."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest

from positions import ORIGIN, Position
from queries.change_feed import REPLAY_PAGE, ChangeFeed, ChangeFilter, Subscriber
from queries.errors import InvalidQuery
from read_model.document import OrderDocument
from read_model.indices import ensure_index
from read_model.names import alias
from read_model.progress import publish_progress
from read_model.stamps import stamped
from search_engine.client import SearchClient
from tests.integration.queries.queries_testdata import ORDER_DOCUMENTS

pytestmark = [pytest.mark.anyio, pytest.mark.search]

LOGGED = 1_200  # orders changed before anyone subscribes, one position each
WAIT = 15.0  # seconds: the longest a test waits for one change


async def project(search: SearchClient, prefix: str, first: int, count: int) -> None:
    """Index `count` orders stamped at positions first..first+count-1, then publish."""
    for start in range(first, first + count, 500):
        batch = {}
        for seq in range(start, min(start + 500, first + count)):
            doc: OrderDocument = {
                **ORDER_DOCUMENTS[seq % len(ORDER_DOCUMENTS)],
                "id": f"order-{seq}",
            }
            batch.update(stamped({doc["id"]: doc}, Position(0, seq)))
        await search.bulk_index(alias(prefix), list(batch.items()), refresh=True)
    await publish_progress(search, prefix, Position(0, first + count - 1))


@pytest.fixture
async def logged(search: SearchClient, prefix: str) -> str:
    await ensure_index(search, prefix)
    await project(search, prefix, 1, LOGGED)
    return prefix


async def next_id(subscriber: Subscriber) -> Any:
    async with asyncio.timeout(WAIT):
        return (await subscriber.next()).document["id"]


async def test_twenty_replays_from_the_start_do_not_delay_a_live_change(
    search: SearchClient, logged: str
) -> None:
    feed = ChangeFeed(search, logged, poll_interval=0.02, replay_max=LOGGED)
    everything = ChangeFilter()
    try:
        async with contextlib.AsyncExitStack() as stack:
            replaying = [
                await stack.enter_async_context(feed.subscribe(everything, ORIGIN))
                for _ in range(20)
            ]
            live = await stack.enter_async_context(feed.subscribe(everything))
            readers = [asyncio.create_task(next_id(s)) for s in replaying[:10]]  # ten read
            await project(search, logged, LOGGED + 1, 1)

            assert await next_id(live) == f"order-{LOGGED + 1}"
            assert await asyncio.gather(*readers) == ["order-1"] * 10  # oldest first
            # Joining loaded nothing; a replay holds one page while its client reads.
            assert [s.replay.pages for s in replaying[10:] if s.replay] == [0] * 10
            assert all(s.replay and s.replay.pages == 1 for s in replaying[:10])
    finally:
        await feed.stop()


async def test_a_replay_is_paged_in_order_then_the_live_changes_follow(
    search: SearchClient, logged: str
) -> None:
    feed = ChangeFeed(search, logged, poll_interval=0.02)
    try:
        async with feed.subscribe(ChangeFilter(), Position(0, LOGGED - 250)) as subscriber:
            await project(search, logged, LOGGED + 1, 2)
            replay = subscriber.replay
            seen = [await next_id(subscriber) for _ in range(252)]
            assert seen == [f"order-{seq}" for seq in range(LOGGED - 249, LOGGED + 3)]
            assert replay is not None and replay.pages == 3  # 100, 100, 50
            assert subscriber.replay is None  # done: the live queue from here on
            assert REPLAY_PAGE == 100
    finally:
        await feed.stop()


async def test_a_replay_further_back_than_the_cap_is_refused_before_loading(
    search: SearchClient, logged: str
) -> None:
    feed = ChangeFeed(search, logged, poll_interval=0.02, replay_max=100)
    try:
        with pytest.raises(InvalidQuery, match=r"more than 100 orders changed since it"):
            async with feed.subscribe(ChangeFilter(), ORIGIN):
                pass
        # As many as the cap is fine, and a narrower filter counts only what it wants.
        async with feed.subscribe(ChangeFilter(), Position(0, LOGGED - 100)) as recent:
            assert await next_id(recent) == f"order-{LOGGED - 99}"
        async with feed.subscribe(ChangeFilter(document_id="order-7"), ORIGIN) as one:
            assert await next_id(one) == "order-7"
        assert len(feed._subscribers) == 0  # each left the feed on its way out
    finally:
        await feed.stop()
