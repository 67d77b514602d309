"""Consistency tokens are answered from the progress the projector publishes in the index."""

from __future__ import annotations

import asyncio
import time

import pytest

from positions import ORIGIN, Position, encode_token
from queries.consistency import ConsistencyTimeout
from queries.handlers import OrderQueries
from read_model.indices import ensure_index
from read_model.progress import publish_progress, read_progress
from search_engine.client import SearchClient

pytestmark = pytest.mark.anyio


async def test_nothing_published_is_the_origin(search: SearchClient, prefix: str) -> None:
    assert await read_progress(search, prefix) == ORIGIN  # not even an index yet
    await ensure_index(search, prefix)
    assert await read_progress(search, prefix) == ORIGIN


async def test_wait_for_times_out_before_and_returns_after_publishing(
    search: SearchClient, prefix: str
) -> None:
    await ensure_index(search, prefix)
    queries = OrderQueries(search, prefix)
    token = encode_token(Position(7, 120))
    started = time.monotonic()
    with pytest.raises(ConsistencyTimeout):
        await queries.wait_for(token, 150)
    assert 0.14 <= time.monotonic() - started < 2
    await publish_progress(search, prefix, Position(7, 119))
    with pytest.raises(ConsistencyTimeout):
        await queries.wait_for(token, 0)
    await publish_progress(search, prefix, Position(7, 120))
    assert await queries.wait_for(token, 0) == Position(7, 120)
    await publish_progress(search, prefix, Position(8, 3))  # later transaction, lower seq
    assert await queries.wait_for(encode_token(Position(8, 3)), 0) == Position(8, 3)
    # A token the process has seen reached is answered at once, with what it has seen.
    assert await queries.wait_for(token, 0) == Position(8, 3)


async def test_a_waiting_query_wakes_up_when_progress_arrives(
    search: SearchClient, prefix: str
) -> None:
    await ensure_index(search, prefix)
    queries = OrderQueries(search, prefix)

    async def publish_later() -> None:
        await asyncio.sleep(0.2)
        await publish_progress(search, prefix, Position(0, 5))

    publisher = asyncio.create_task(publish_later())
    started = time.monotonic()
    assert await queries.wait_for(encode_token(Position(0, 5)), 5000) == Position(0, 5)
    assert time.monotonic() - started < 1.5
    await publisher


async def test_garbage_token_is_a_value_error(search: SearchClient, prefix: str) -> None:
    with pytest.raises(ValueError):
        await OrderQueries(search, prefix).wait_for("not-a-token", 100)
