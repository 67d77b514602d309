"""The two ways to lead a projection (see projections/leadership.py): a PostgreSQL session
advisory lock, or a SQLite lease row."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import zlib
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from database.engine import utc_or_none
from database.tables import projection_leases as leases
from projections.leadership import Leadership, locked_row, utc_now, write_transaction

log = logging.getLogger(__name__)

_LOCK_SPACE = 0x4F524452  # "ORDR": first key of our two-int advisory locks
_KEEPALIVES = {
    "tcp_keepalives_idle": "5",
    "tcp_keepalives_interval": "2",
    "tcp_keepalives_count": "3",
}


def lock_key(projection: str) -> int:
    """The second advisory-lock key for a projection: a stable signed 32-bit hash."""
    return zlib.crc32(projection.encode()) - (1 << 31)


class PostgresLeadership(Leadership):
    """A session advisory lock on a connection of its own (see the module docstring)."""

    def __init__(self, engine: AsyncEngine, projection: str, **kwargs: Any) -> None:
        super().__init__(engine, projection, **kwargs)
        self._conn: AsyncConnection | None = None
        self._key = (_LOCK_SPACE, lock_key(projection))

    async def _raw(self) -> Any:
        """The asyncpg connection the lock lives on (opened on first use)."""
        if self._conn is None:
            conn = await self.engine.connect()
            try:
                raw: Any = (await conn.get_raw_connection()).driver_connection
                await raw.execute(
                    "SELECT set_config('application_name', $1, false)", self.holder[:63]
                )
                for name, value in _KEEPALIVES.items():
                    await raw.execute(f"SET {name} = {value}")
            except BaseException:
                await conn.invalidate()
                await conn.close()
                raise
            self._conn = conn
        return (await self._conn.get_raw_connection()).driver_connection

    async def _drop_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.invalidate()  # never back into the pool: the lock lives on it
            with contextlib.suppress(Exception):
                await conn.close()

    async def _take(self) -> bool:
        try:
            raw = await self._raw()
            return bool(await raw.fetchval("SELECT pg_try_advisory_lock($1, $2)", *self._key))
        except Exception:
            await self._drop_connection()
            raise

    async def _renew(self) -> bool:
        try:
            raw = await self._raw()
            async with asyncio.timeout(5):
                return bool(await raw.fetchval(_HOLDS_LOCK, *self._key))
        except Exception:
            log.warning("the leadership connection failed", exc_info=True)
            await self._drop_connection()
            return False

    async def _give_up(self) -> None:
        raw = await self._raw()
        await raw.execute("SELECT pg_advisory_unlock($1, $2)", *self._key)

    async def close(self) -> None:
        await self.release()
        await self._drop_connection()

    async def active_instance(self) -> str | None:
        async with self.engine.connect() as conn:
            raw: Any = (await conn.get_raw_connection()).driver_connection
            name = await raw.fetchval(_LOCK_OWNER, *self._key)
        return None if name is None else str(name)


# Does this very session hold the lock? (A dead session cannot answer at all.)
_HOLDS_LOCK = """
SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
               AND classid = $1::int::oid AND objid = $2::int::oid AND objsubid = 2
               AND pid = pg_backend_pid())
"""
_LOCK_OWNER = """
SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted
  AND l.classid = $1::int::oid AND l.objid = $2::int::oid AND l.objsubid = 2
"""


class LeaseLeadership(Leadership):
    """A lease row with an expiry (SQLite, where no advisory locks exist)."""

    def __init__(self, engine: AsyncEngine, projection: str, **kwargs: Any) -> None:
        super().__init__(engine, projection, **kwargs)
        self._valid_until = 0.0

    def is_held(self) -> bool:
        # Stop writing a safe margin before the lease could lapse without a renewal.
        return self.held and time.monotonic() < self._valid_until

    async def _take(self) -> bool:
        started, now = time.monotonic(), utc_now()
        async with write_transaction(self.engine) as conn:
            row = await locked_row(conn, self.projection)
            expires = utc_or_none(row.expires_at)
            if row.holder not in (None, self.holder) and expires is not None and expires > now:
                return False
            await self._extend(conn, now)
        self._valid_until = started + self.ttl * 0.8
        return True

    async def _renew(self) -> bool:
        started = time.monotonic()
        async with write_transaction(self.engine) as conn:
            renewed = await self._extend(conn, utc_now(), only_if_holder=True)
        if renewed:
            self._valid_until = started + self.ttl * 0.8
        return renewed

    async def _extend(
        self, conn: AsyncConnection, now: datetime, only_if_holder: bool = False
    ) -> bool:
        statement = update(leases).where(leases.c.name == self.projection)
        if only_if_holder:
            statement = statement.where(leases.c.holder == self.holder)
        result = await conn.execute(
            statement.values(holder=self.holder, expires_at=now + timedelta(seconds=self.ttl))
        )
        return bool(result.rowcount)

    async def _give_up(self) -> None:
        async with write_transaction(self.engine) as conn:
            await conn.execute(
                update(leases)
                .where(leases.c.name == self.projection, leases.c.holder == self.holder)
                .values(holder=None, expires_at=None)
            )

    async def active_instance(self) -> str | None:
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    select(leases.c.holder, leases.c.expires_at).where(
                        leases.c.name == self.projection
                    )
                )
            ).first()
        if row is None or row.holder is None:
            return None
        expires = utc_or_none(row.expires_at)
        return row.holder if expires is not None and expires > utc_now() else None
