"""Concurrent consistency waits share their reads of the published progress."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from positions import Position
from queries.consistency import ConsistencyTimeout, ProgressWatch


class ProgressIndex:
    """Stands in for the engine's alias lookup and progress GET; counts the reads."""

    def __init__(self) -> None:
        self.position = Position(0, 0)
        self.reads = 0

    async def alias_targets(self, alias: str) -> list[str]:
        return ["orders-v3-1"]

    async def get(self, index: str, doc_id: str) -> dict[str, Any] | None:
        self.reads += 1
        await asyncio.sleep(0)
        return {"txid": self.position.txid, "seq": self.position.seq}


@pytest.mark.anyio
async def test_a_hundred_waits_share_the_reads_and_all_return() -> None:
    index = ProgressIndex()
    watch = ProgressWatch(index, "orders", interval=0.01)  # type: ignore[arg-type]
    waits = [asyncio.create_task(watch.wait(Position(5, 50), 2_000)) for _ in range(100)]
    await asyncio.sleep(0.05)
    index.position = Position(5, 60)
    assert set(await asyncio.gather(*waits)) == {Position(5, 60)}
    assert index.reads < 20  # one per interval for all of them, not one per wait and poll


@pytest.mark.anyio
async def test_a_position_seen_once_needs_no_read() -> None:
    index = ProgressIndex()
    index.position = Position(9, 9)
    watch = ProgressWatch(index, "orders", interval=0.001)  # type: ignore[arg-type]
    assert await watch.wait(Position(9, 9), 100) == Position(9, 9)
    reads = index.reads
    assert await watch.wait(Position(1, 1), 100) == Position(9, 9)
    assert index.reads == reads


@pytest.mark.anyio
async def test_an_unreached_position_times_out_and_a_cancelled_wait_spares_the_others() -> None:
    index = ProgressIndex()
    watch = ProgressWatch(index, "orders", interval=0.001)  # type: ignore[arg-type]
    with pytest.raises(ConsistencyTimeout):
        await watch.wait(Position(1, 1), 20)
    patient = asyncio.create_task(watch.wait(Position(2, 2), 1_000))
    impatient = asyncio.create_task(watch.wait(Position(2, 2), 1_000))
    await asyncio.sleep(0.01)
    impatient.cancel()
    index.position = Position(2, 2)
    assert await patient == Position(2, 2)
