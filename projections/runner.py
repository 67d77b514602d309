"""Runs a projector for as long as the process lives: leads the projection or stands by,
retries a failed batch with backoff, and wakes on new events.

The batch work itself is `Projector.step` (projections/projector.py); this module only
decides when to call it. On PostgreSQL it LISTENs on the events channel, so a commit
wakes it at once; polling every `poll_interval` stays as the fallback (and is all there
is on SQLite).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncConnection

from database.tables import EVENTS_CHANNEL
from projections.catch_up import CatchUp
from projections.leadership import LostLeadership
from projections.retry import backoff_delay

if TYPE_CHECKING:
    from projections.projector import Projector

log = logging.getLogger(__name__)

LIVE_BATCH_INTERVAL = 0.1  # seconds: at most ten small batches (and refreshes) a second


class ProjectorRunner:
    """`await ProjectorRunner(projector).run(stop)` until `stop` is set."""

    def __init__(self, projector: Projector, poll_interval: float) -> None:
        self.projector = projector
        self.poll_interval = poll_interval
        self.metrics = projector.metrics
        self._wake = asyncio.Event()
        self._catch_up: CatchUp | None = None  # while working through a backlog

    async def run(self, stop: asyncio.Event) -> None:
        async with self._listening():
            try:
                while not stop.is_set():
                    await self._run_once(stop)
            finally:
                self.projector.forget()
                self.metrics.role = "stopped"
                if self.projector.leadership is not None:
                    await self.projector.leadership.close()

    async def _run_once(self, stop: asyncio.Event) -> None:
        if not await self._lead(stop):
            return
        started = time.monotonic()
        try:
            projected = await self.projector.step()
        except LostLeadership:
            self.projector.forget()
            return
        except Exception as error:  # the live projector never gives up: it retries
            self.projector.forget()
            self.metrics.failed(error)
            delay = backoff_delay(self.metrics.consecutive_failures)
            log.warning(
                "projection batch failed (%d in a row), retrying in %.1fs: %s",
                self.metrics.consecutive_failures,
                delay,
                self.metrics.last_error,
            )
            await _sleep(stop, delay)
            return
        await self._report(projected)
        if not projected:
            self.metrics.idle()
            await self._idle(stop)
        elif projected < self.projector.batch_size:
            # Live writes: let a few commits gather rather than refresh for every one.
            await _sleep(stop, LIVE_BATCH_INTERVAL - (time.monotonic() - started))

    async def _report(self, projected: int) -> None:
        """Log a backlog's progress: noticed on a full batch, over once a batch is not."""
        if projected < self.projector.batch_size:
            if self._catch_up is not None and self._catch_up.done > 0:
                log.info("projection %s caught up", self._catch_up.projection)
            self._catch_up = None
            return
        if self._catch_up is None:
            try:
                behind = (await self.projector.lag()).events  # one count, once per backlog
            except Exception:  # progress is a courtesy: the next batch decides what fails
                log.debug("no lag for the progress report", exc_info=True)
                return
            self._catch_up = CatchUp(self.projector.projection.name, behind + projected)
        if line := self._catch_up.advance(projected):
            log.info(line)

    async def _lead(self, stop: asyncio.Event) -> bool:
        """True when this process may project now; otherwise waits a standby interval."""
        leadership = self.projector.leadership
        if leadership is None:
            self.metrics.role = "active"
            return True
        was_leading = self.metrics.role == "active"
        try:
            leading = await leadership.keep()
        except Exception as error:
            leading = False
            self.metrics.failed(error)
            log.warning("leadership check failed: %s", error)
        if leading and not was_leading:
            self.projector.forget()  # the alias may have moved meanwhile (a rebuild's swap)
        self.metrics.role = "active" if leading else "standby"
        if not leading:
            await _sleep(stop, leadership.retry_interval)
        return leading

    async def _idle(self, stop: asyncio.Event) -> None:
        """Wait for a NOTIFY, `stop` or the poll interval, whichever comes first."""
        waiters = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
        await asyncio.wait(waiters, timeout=self.poll_interval, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters:
            waiter.cancel()
        self._wake.clear()

    @contextlib.asynccontextmanager
    async def _listening(self) -> AsyncIterator[None]:
        """LISTEN on PostgreSQL so commits wake us at once; polling stays as the fallback."""
        engine = self.projector.engine
        if engine.dialect.name != "postgresql":
            yield
            return

        def wake(*_: object) -> None:
            self._wake.set()

        conn: AsyncConnection | None = None
        try:
            conn = await engine.connect()
            raw: Any = (await conn.get_raw_connection()).driver_connection
            await raw.add_listener(EVENTS_CHANNEL, wake)
        except Exception:
            log.warning("LISTEN %s failed; polling every %.2fs", EVENTS_CHANNEL, self.poll_interval)
            if conn is not None:
                with contextlib.suppress(Exception):
                    await conn.close()
            yield
            return
        try:
            yield
        finally:
            # The listener lives on the driver connection: drop it rather than pool it.
            with contextlib.suppress(Exception):
                await conn.invalidate()
            with contextlib.suppress(Exception):
                await conn.close()


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    """Sleep, but return at once when `stop` is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
