"""The projector: tails the event log and keeps the order index in step with it.

One batch at a time: read events after the checkpoint (commit-order safe),
rebuild the documents of every order they touch from the write tables, write
them with one bulk request and refresh, and only then publish the checkpoint
to the search engine. A crash anywhere replays the batch; rebuilding a
document from current rows is idempotent, so a replay ends in the same index
(invariant 3). Queries read the published checkpoint (invariant 6).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from positions import Position
from projections import source
from projections.document import Document
from projections.index_setup import publish_progress
from queries.consistency import read_progress
from search_engine.client import SearchClient
from search_engine.names import alias

log = logging.getLogger(__name__)

NOTIFY_CHANNEL = "orders_events"


@dataclass(frozen=True)
class Lag:
    checkpoint: Position
    head: Position
    events: int


class Projector:
    def __init__(
        self,
        engine: AsyncEngine,
        search: SearchClient,
        prefix: str,
        *,
        batch_size: int = 500,
        poll_interval: float = 0.2,
    ) -> None:
        self.engine = engine
        self.search = search
        self.prefix = prefix
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.checkpoint: Position | None = None
        self._wake = asyncio.Event()

    async def step(self) -> int:
        """Project one batch; returns the number of events it covered (0 when idle)."""
        if self.checkpoint is None:
            self.checkpoint = await read_progress(self.search, self.prefix)
        async with self.engine.connect() as conn:
            batch = await source.read_batch(conn, self.checkpoint, self.batch_size)
            if not batch:
                return 0
            order_ids = await source.affected_orders(conn, batch)
            for chunk in source.chunks(order_ids):
                await self._write(await source.load_documents(conn, chunk))
        last = batch[-1].position
        await self._commit(last)
        return len(batch)

    async def run_until_caught_up(self) -> int:
        """Project until no event is left; returns how many events were projected."""
        total = 0
        while n := await self.step():
            total += n
        return total

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Project until `stop` is set, waking on NOTIFY (PostgreSQL) or every poll interval."""
        async with self._listening():
            while not stop.is_set():
                try:
                    if await self.step():
                        continue
                except Exception:
                    log.exception("projection batch failed; retrying")
                    self.checkpoint = None
                await self._sleep(stop)

    async def lag(self) -> Lag:
        checkpoint = await read_progress(self.search, self.prefix)
        async with self.engine.connect() as conn:
            head = await source.head(conn)
            behind = await source.count_after(conn, checkpoint)
        return Lag(checkpoint, head, behind)

    async def _write(self, documents: dict[str, Document]) -> None:
        if documents:
            await self.search.bulk_index(alias(self.prefix), list(documents.items()), refresh=True)

    async def _commit(self, position: Position) -> None:
        await publish_progress(self.search, self.prefix, position)
        self.checkpoint = position

    async def _sleep(self, stop: asyncio.Event) -> None:
        waiters = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
        await asyncio.wait(waiters, timeout=self.poll_interval, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters:
            waiter.cancel()
        self._wake.clear()

    @contextlib.asynccontextmanager
    async def _listening(self) -> AsyncIterator[None]:
        """LISTEN on PostgreSQL so commits wake us at once; polling stays as the fallback."""
        if self.engine.dialect.name != "postgresql":
            yield
            return

        def wake(*_: object) -> None:
            self._wake.set()

        conn = await self.engine.connect()
        try:
            raw = (await conn.get_raw_connection()).driver_connection
            await raw.add_listener(NOTIFY_CHANNEL, wake)
        except Exception:
            log.warning("LISTEN %s failed; polling every %.2fs", NOTIFY_CHANNEL, self.poll_interval)
            await conn.close()
            yield
            return
        try:
            yield
        finally:
            # The listener lives on the driver connection: drop it rather than pool it.
            await conn.invalidate()
            await conn.close()
