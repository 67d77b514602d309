"""The projector's batch work: events after the checkpoint → the documents of every order
they touch, rebuilt from the write tables → written to the index → checkpoint published.

Read events after the checkpoint (commit-order safe), rebuild the documents of every
order they touch from the write tables, write them (projections/writer.py: bulk
requests, permanent rejections parked as dead letters) and refresh (through a backlog,
once a second for several batches), and only then publish the checkpoint to the search
engine. A crash anywhere replays the batch; rebuilding a document from current rows is
idempotent, so a replay ends in the same index (invariants 3 and 6 of
docs/ARCHITECTURE.md). Queries read the published checkpoint.

Checkpoints are per physical index (the progress document named after it). The live
projector writes to the index the alias points at, resolved whenever it (re)gains
leadership; a rebuild drives a projector pinned to its new index.

Running it for good (leadership, backoff, wake-ups) is projections/runner.py.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from positions import Position
from projections import dead_letters, source
from projections.leadership import Leadership
from projections.metrics import ProjectorMetrics
from projections.registry import ORDERS, Projection
from projections.runner import ProjectorRunner
from projections.writer import IndexWriter, Written
from read_model.indices import live_index
from read_model.progress import index_progress, publish_progress
from read_model.stamps import stamped
from search_engine.client import SearchClient

Loaded = Mapping[str, Mapping[str, Any]]  # documents by id, of any projection
REFRESH_INTERVAL = 1.0  # seconds: through a backlog, refresh and publish at most this often


class Documents:
    """The documents of one batch, chunk by chunk, so memory stays bounded by a chunk;
    the first chunk can be loaded ahead (while the previous batch is being written)."""

    def __init__(
        self, engine: AsyncEngine, projection: Projection, chunks: list[list[str]]
    ) -> None:
        self._engine = engine
        self._load = projection.load
        self._chunks = chunks
        self._first: Loaded | None = None

    async def preload(self, conn: AsyncConnection) -> None:
        if self._chunks:
            self._first = await self._load(conn, self._chunks[0])

    async def __aiter__(self) -> AsyncIterator[Loaded]:
        for number, chunk in enumerate(self._chunks):
            if number == 0 and self._first is not None:
                yield self._first
                continue
            async with self._engine.connect() as conn:
                yield await self._load(conn, chunk)


Batch = tuple[list[source.EventRef], Documents]


@dataclass(frozen=True)
class Lag:
    checkpoint: Position
    head: Position
    events: int
    seconds: float = 0.0


class Projector:
    def __init__(
        self,
        engine: AsyncEngine,
        search: SearchClient,
        prefix: str,
        *,
        batch_size: int = 2_000,
        poll_interval: float = 0.2,
        index: str | None = None,
        leadership: Leadership | None = None,
        metrics: ProjectorMetrics | None = None,
        refresh: bool = True,
        state: Mapping[str, Any] | None = None,
        projection: Projection = ORDERS,
    ) -> None:
        """`prefix` is the projection's (its alias, `Projection.prefix`). `index` pins a
        physical index (a rebuild); None follows the alias. Without `leadership` the caller
        guarantees it is the only writer. `refresh=False` only for an index nobody searches
        yet (a rebuild refreshes it before the swap). `state` is published with each
        checkpoint (a rebuild's, so `--resume` finds it). `poll_interval` is the runner's,
        when `run_forever` runs it."""
        self.engine = engine
        self.search = search
        self.prefix = prefix
        self.projection = projection
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.pinned = index
        self.leadership = leadership
        self.metrics = metrics or ProjectorMetrics(prefix)
        self.index: str | None = index
        self.refresh = refresh
        self.checkpoint: Position | None = None
        self.state = state
        self.writer = IndexWriter(
            engine, search, prefix, guard=self._guard, observe=self.metrics.bulk_seconds.observe
        )
        self._parked: set[str] = set()
        self._batch = Written()
        self._prefetch: tuple[Position, asyncio.Task[Batch]] | None = None
        self._unpublished: Position | None = None  # projected, not yet published
        self._unrefreshed = False
        self._published_at = 0.0

    async def step(self) -> int:
        """Project one batch; returns the number of events it covered (0 when idle).

        Pipelined: while this batch's documents are written, the next batch is read from
        the database. Writes stay strictly in batch order, so a later document of an
        order always lands after an earlier one; and the next batch's documents are
        loaded after this one's, so they are at least as new.
        """
        if self.checkpoint is None or self.index is None:
            await self._load()
        assert self.checkpoint is not None and self.index is not None
        index = self.index
        batch, documents = await self._next_batch(self.checkpoint)
        if not batch:
            await self._publish(index)  # a backlog that ended on a full batch
            return 0
        last = batch[-1].position
        backlog = len(batch) == self.batch_size
        if backlog:  # read on while this batch is written
            task = asyncio.create_task(self._read(last), name="projector-prefetch")
            self._prefetch = (last, task)
        self._batch = Written()
        async for loaded in documents:
            # Stamped with the batch's position: what the live-update feed searches for.
            await self._write(stamped(loaded, last))
        self._unrefreshed |= bool(self._batch.written or self._batch.rejected)
        await self._commit(last)
        # Each refresh makes a segment: through a backlog, one per REFRESH_INTERVAL. An
        # index nobody searches yet (a rebuild's) publishes every batch, to resume from.
        due = time.monotonic() - self._published_at >= REFRESH_INTERVAL
        if not (backlog and self.refresh) or due:
            await self._publish(index)
        self.metrics.batch_done(len(batch), len(self._batch.written))
        return len(batch)

    async def _publish(self, index: str) -> None:
        """Make the written documents searchable, then publish the position they reach."""
        position, self._unpublished = self._unpublished, None
        if position is None:
            return
        if self.refresh and self._unrefreshed:
            await self.search.refresh(index)
        self._unrefreshed = False
        self._guard()
        await publish_progress(
            self.search,
            self.prefix,
            position,
            index=index,
            state=self.state,
            refresh=False,  # progress is read by GET, which is real-time
        )
        self._published_at = time.monotonic()

    async def _next_batch(self, after: Position) -> Batch:
        """The prefetched batch when it starts at `after` and found events, else a fresh read
        (an empty prefetch is stale: events may have arrived since)."""
        prefetch, self._prefetch = self._prefetch, None
        if prefetch is not None:
            start, task = prefetch
            if start != after:
                task.cancel()
            else:
                batch, documents = await task
                if batch:
                    return batch, documents
        return await self._read(after)

    async def _read(self, after: Position) -> Batch:
        """The events after `after` and the documents of the orders they touch: the first
        chunk loaded now, the rest (a fan-out may touch many orders) when written."""
        async with self.engine.connect() as conn:
            batch = await source.read_batch(conn, after, self.batch_size)
            if not batch:
                return [], Documents(self.engine, self.projection, [])
            chunks = source.chunks(await self.projection.affected(conn, batch))
            documents = Documents(self.engine, self.projection, chunks)
            await documents.preload(conn)
        return batch, documents

    async def run_until_caught_up(self) -> int:
        """Project until no event is left; returns how many events were projected."""
        total = 0
        while n := await self.step():
            total += n
        return total

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Project until `stop` is set, under a ProjectorRunner (projections/runner.py):
        lead or stand by, retry failed batches with backoff, wake on new events."""
        await ProjectorRunner(self, self.poll_interval).run(stop)

    async def lag(self) -> Lag:
        """How far the index behind the alias (or the pinned one) trails the log."""
        index = self.pinned or await self._alias_index()
        checkpoint = await index_progress(self.search, self.prefix, index)
        async with self.engine.connect() as conn:
            head = await source.head(conn)
            behind = await source.count_after(conn, checkpoint)
            oldest = await source.oldest_after(conn, checkpoint) if behind else None
        seconds = 0.0 if oldest is None else max(0.0, (datetime.now(UTC) - oldest).total_seconds())
        self.metrics.lag_events, self.metrics.lag_seconds = behind, seconds
        return Lag(checkpoint, head, behind, seconds)

    async def _load(self) -> None:
        """Resolve the target index and read its checkpoint and parked orders."""
        self.index = self.pinned or await self._alias_index()
        self.checkpoint = await index_progress(self.search, self.prefix, self.index)
        self._parked = await dead_letters.parked_ids(self.engine, self.index)
        self.metrics.index = self.index

    async def _alias_index(self) -> str:
        return await live_index(self.search, self.prefix)

    def forget(self) -> None:
        """Drop what was read for the current checkpoint: after a failure or a change of
        leader, the next step starts again from the published checkpoint."""
        if self._prefetch is not None:
            self._prefetch[1].cancel()  # read for a checkpoint we no longer trust
            self._prefetch = None
        self.checkpoint = self._unpublished = None
        if self.pinned is None:
            self.index = None

    def _guard(self) -> None:
        if self.leadership is not None:
            self.leadership.ensure_held()

    async def _write(self, documents: Loaded) -> None:
        """Write a chunk of the batch's documents (no refresh), keeping what was rejected."""
        assert self.index is not None
        self._batch.add(await self.writer.write(self.index, documents))

    async def _commit(self, position: Position) -> None:
        """Park rejected documents, clear fixed ones, and move on past `position` (published
        by `_publish`; a crash before that replays from the last published one)."""
        assert self.index is not None
        self._guard()
        rejected = self._batch.rejected
        if rejected:
            await self.writer.park(self.index, rejected, position)
            self.metrics.dead_letters += len(rejected)
            self._parked |= set(rejected)
        if fixed := self._parked & self._batch.written:
            await dead_letters.resolve(self.engine, self.index, fixed)
            self._parked -= fixed
        self.checkpoint = self._unpublished = position
