"""`orders dead-letters retry`: re-project parked orders from current rows after a fix (a
mapping update, a data correction). It leads the projection for that moment, so it never
races the live projector."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from projections import dead_letters, source
from projections.leadership import Leadership
from projections.registry import ORDERS, Projection
from projections.writer import IndexWriter, Written
from read_model.indices import live_index
from search_engine.client import SearchClient


@dataclass(frozen=True)
class RetryResult:
    fixed: list[str]
    still_failing: dict[str, str]


async def retry(
    engine: AsyncEngine,
    search: SearchClient,
    prefix: str,
    leadership: Leadership,
    ids: Sequence[int] | None = None,
    projection: Projection = ORDERS,
) -> RetryResult:
    """Re-project dead letters (all, or the given row ids) into the alias' index; `prefix`
    is the projection's (`Projection.prefix`)."""
    writer = IndexWriter(engine, search, prefix)
    async with leadership.exclusive():
        parked = [
            d
            for d in await dead_letters.listing(engine, prefix, limit=100_000)
            if ids is None or d.id in ids
        ]
        if not parked:  # nothing to do: a projection with no index yet is not an error
            return RetryResult([], {})
        index = await live_index(search, prefix)
        order_ids = sorted({d.order_id for d in parked})
        outcome = Written()
        for chunk in source.chunks(order_ids):
            async with engine.connect() as conn:
                documents = await projection.load(conn, chunk)
            outcome.add(await writer.write(index, documents, refresh=True))
        failing = outcome.rejected
        # Rows about older indices go too: only the alias' index counts from now on.
        done = [d.id for d in parked if d.order_id not in failing or d.index_name != index]
        await dead_letters.delete_rows(engine, done)
        position = {d.order_id: d.position for d in parked}
        for order_id, reason in failing.items():
            await writer.park(index, {order_id: reason}, position[order_id])
        return RetryResult([o for o in order_ids if o not in failing], failing)
