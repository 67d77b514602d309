"""Leadership: exactly one active projector per projection; any number stand by.

PostgreSQL: a session advisory lock (`pg_try_advisory_lock`) held on a dedicated
connection. The server drops it the moment that connection ends, and a killed
process (kill -9, OOM, crash) ends it at once: the kernel closes the socket and
the backend exits. Standbys try every `retry_interval` (1 s), so failover after
a process death takes about one retry interval. A vanished host is noticed by
TCP keepalives on the lock connection (5 s idle + 3 probes 2 s apart: ~11 s).

SQLite: a lease row in `projection_leases` with an expiry (`ttl`, 10 s) that the
leader renews every `check_interval`; a standby takes it once it has expired, so
failover takes at most ttl + retry_interval.

Claims: a short exclusive task outside the projector loop (a rebuild's final
catch-up and alias swap, a dead-letter retry) posts a claim on the same row. The
leader yields at its next check (<= check_interval), standbys do not contend
while the claim lives, and the claimant leads until it is done. A claim lives
`CLAIM_TTL` past its last renewal, so a crashed claimant stalls projection for
at most that long.

A leader re-checks that it still leads before each bulk write and before it
publishes a checkpoint (`is_held`). There are no fencing tokens: a leader that
stalls longer than its lease in the middle of a batch can still finish that one
write; the next event touching those orders rewrites them from current rows.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from database.engine import connect_for_write, is_postgres, utc_or_none
from database.tables import projection_leases as leases

log = logging.getLogger(__name__)

RETRY_INTERVAL = 1.0  # how often a standby tries to take over
CHECK_INTERVAL = 1.0  # how often a leader verifies its lock/lease and looks for claims
LEASE_TTL = 10.0  # SQLite lease lifetime without renewal
CLAIM_TTL = 30.0  # a claim's lifetime without renewal


class LostLeadership(RuntimeError):
    """This process no longer leads the projection; it must not write."""


class LeadershipTimeout(RuntimeError):
    """A claim did not obtain leadership in time."""


def instance_name() -> str:
    """host:pid, how `orders status` names the active instance."""
    return f"{socket.gethostname()}:{os.getpid()}"


def utc_now() -> datetime:
    return datetime.now(UTC)


class Leadership:
    """Leadership of one projection for one process; `for_engine` picks the backend."""

    def __init__(
        self,
        engine: AsyncEngine,
        projection: str,
        *,
        role: str = "projector",
        retry_interval: float = RETRY_INTERVAL,
        check_interval: float = CHECK_INTERVAL,
        ttl: float = LEASE_TTL,
    ) -> None:
        self.engine = engine
        self.projection = projection
        self.holder = f"{role} {instance_name()}"
        self.retry_interval = retry_interval
        self.check_interval = check_interval
        self.ttl = ttl
        self.held = False
        self._checked = 0.0
        self._claiming = False

    @staticmethod
    def for_engine(engine: AsyncEngine, projection: str, **kwargs: Any) -> Leadership:
        from projections.leadership_backends import LeaseLeadership, PostgresLeadership

        cls = PostgresLeadership if is_postgres(engine) else LeaseLeadership
        return cls(engine, projection, **kwargs)

    # -- the loop's interface ------------------------------------------------------------

    async def acquire(self) -> bool:
        """Try once to lead (not while someone else's claim lives); True when we lead."""
        if not self.held:
            if not self._claiming and await self._claimed_by_other():
                return False
            self.held = await self._take()
            if self.held:
                self._checked = time.monotonic()
                log.info("%s leads projection %s", self.holder, self.projection)
        return self.held

    async def keep(self) -> bool:
        """Called by the projector loop: acquire, or verify/renew and yield to a claim."""
        if not self.held:
            return await self.acquire()
        if time.monotonic() - self._checked < self.check_interval:
            return True
        if not self._claiming and await self._claimed_by_other():
            log.info("%s steps aside for a claim on %s", self.holder, self.projection)
            await self.release()
            return False
        if not await self._renew():
            log.warning("%s lost leadership of %s", self.holder, self.projection)
            self.held = False
            return False
        self._checked = time.monotonic()
        return True

    def is_held(self) -> bool:
        """Local check before a write: still leading, and the lease is not about to lapse."""
        return self.held

    def ensure_held(self) -> None:
        if not self.is_held():
            raise LostLeadership(f"{self.holder} does not lead {self.projection}")

    async def release(self) -> None:
        if self.held:
            self.held = False
            with contextlib.suppress(Exception):  # a dead connection has released it already
                await self._give_up()

    async def close(self) -> None:
        await self.release()

    # -- claims --------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def exclusive(self, wait: float = 60.0) -> AsyncIterator[None]:
        """Lead for the duration of a short task, asking the current leader to step aside."""
        deadline = time.monotonic() + wait
        while not await self._post_claim():
            if time.monotonic() > deadline:
                raise LeadershipTimeout(f"another claim holds projection {self.projection}")
            await asyncio.sleep(self.retry_interval)
        self._claiming = True
        heartbeat = asyncio.create_task(self._renew_claim_forever())
        try:
            while not await self.acquire():
                if time.monotonic() > deadline:
                    raise LeadershipTimeout(
                        f"the leader of {self.projection} did not step aside in {wait:g} s"
                    )
                await asyncio.sleep(min(0.1, self.retry_interval))
            yield
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
            self._claiming = False
            await self.release()
            await self._clear_claim()

    async def _renew_claim_forever(self) -> None:
        """Keep the claim alive, and the lease too once we lead (a claimant calls no `keep`)."""
        while True:
            await asyncio.sleep(self.check_interval)
            with contextlib.suppress(Exception):
                await self._post_claim()
                if self.held and not await self._renew():
                    log.warning("%s lost leadership of %s", self.holder, self.projection)
                    self.held = False

    async def _claimed_by_other(self) -> bool:
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    select(leases.c.claimant, leases.c.claim_expires_at).where(
                        leases.c.name == self.projection
                    )
                )
            ).first()
        if row is None or row.claimant is None or row.claimant == self.holder:
            return False
        expires = utc_or_none(row.claim_expires_at)
        return expires is not None and expires > utc_now()

    async def _post_claim(self) -> bool:
        """Claim the projection unless another live claim exists; renews our own."""
        now = utc_now()
        async with write_transaction(self.engine) as conn:
            row = await locked_row(conn, self.projection)
            expires = utc_or_none(row.claim_expires_at)
            if row.claimant not in (None, self.holder) and expires is not None and expires > now:
                return False
            await conn.execute(
                update(leases)
                .where(leases.c.name == self.projection)
                .values(claimant=self.holder, claim_expires_at=now + timedelta(seconds=CLAIM_TTL))
            )
            return True

    async def _clear_claim(self) -> None:
        with contextlib.suppress(Exception):
            async with write_transaction(self.engine) as conn:
                await conn.execute(
                    update(leases)
                    .where(leases.c.name == self.projection, leases.c.claimant == self.holder)
                    .values(claimant=None, claim_expires_at=None)
                )

    # -- backend specifics ---------------------------------------------------------------

    async def _take(self) -> bool:
        raise NotImplementedError

    async def _renew(self) -> bool:
        raise NotImplementedError

    async def _give_up(self) -> None:
        raise NotImplementedError

    async def active_instance(self) -> str | None:
        """Who leads the projection right now (any process), or None."""
        raise NotImplementedError


@contextlib.asynccontextmanager
async def write_transaction(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """One short write transaction (BEGIN IMMEDIATE on SQLite, so the row is ours)."""
    conn = await connect_for_write(engine)
    try:
        async with conn.begin():
            yield conn
    finally:
        await conn.close()


async def locked_row(conn: AsyncConnection, name: str) -> Any:
    """The projection's lease row, created when missing, locked for this transaction."""
    insert = pg_insert if is_postgres(conn) else sqlite_insert
    await conn.execute(insert(leases).values(name=name).on_conflict_do_nothing())
    query = select(leases).where(leases.c.name == name).with_for_update()
    return (await conn.execute(query)).one()
