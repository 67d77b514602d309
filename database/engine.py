"""The one place database engines are created, with per-backend connection setup.

A database that cannot be reached or written to surfaces as `DatabaseUnavailable`
(translated here, from the driver's errors, by SQLAlchemy's `handle_error` hook), and
the connection at fault is discarded rather than pooled again, so the service recovers
by itself once the database is back:

- PostgreSQL: `pool_pre_ping` tests each connection as it leaves the pool; a server that
  shut down or dropped the connection invalidates it (and the pool's older ones).
- SQLite: a pooled connection stays bound to the file it opened, so on each checkout one
  `stat` compares that file (inode, writability) with the path's; a file moved away,
  replaced or made (un)writable meanwhile gets a fresh connection. Once an engine has
  opened its file, it never creates a new one (`mode=rw`): a file moved away is "cannot
  open" until it is back, not an empty database that would adopt the old one's WAL.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, event, exc, false, select
from sqlalchemy.engine import Connection, ExceptionContext, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry, PoolProxiedConnection
from sqlalchemy.sql import Executable

from database.tables import events

# Execution option marking a connection that will write: on SQLite its transactions
# start with BEGIN IMMEDIATE so concurrent writers queue on the lock (busy_timeout)
# instead of failing with "database is locked" when a read lock upgrades.
WRITE_LOCK = "orders_write_lock"

SQLITE_PRAGMAS = ("journal_mode=WAL", "busy_timeout=5000", "foreign_keys=ON")
CONNECT_TIMEOUT = 10  # seconds for asyncpg to connect (its default is 60)
POSTGRES_ENGINE = {
    "pool_size": 10,
    "max_overflow": 20,
    "pool_recycle": 1800,
    "pool_timeout": 30,
    "pool_pre_ping": True,
    "connect_args": {"timeout": CONNECT_TIMEOUT},
}
# SQLite result codes (the low byte of `sqlite_errorcode`) meaning "cannot write now":
# busy/locked (retry), read-only, I/O error, corrupt, full, cannot open, not a database.
_SQLITE_BUSY = {5, 6}
_SQLITE_BROKEN = {8, 10, 11, 13, 14, 26}
# PostgreSQL SQLSTATEs: connection exceptions, insufficient resources (disk full, too many
# connections), operator intervention (shutdown, starting up), a read-only transaction.
_PG_CLASSES = ("08", "53")
_PG_STATES = {"57P01", "57P02", "57P03", "25006"}


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or written to right now; retrying later may work.
    The message is a short safe description; the driver's error is its `__cause__`."""


class _Pool(AsyncAdaptedQueuePool):
    """The default async pool; running out of connections means the database is
    unavailable (every connection is stuck on it), not a bug."""

    _sqla_logger_namespace = "sqlalchemy.pool.impl.AsyncAdaptedQueuePool"  # its log levels

    def connect(self) -> PoolProxiedConnection:
        try:
            return super().connect()
        except exc.TimeoutError as error:
            raise DatabaseUnavailable("no database connection became free in time") from error


def create_engine(database_url: str) -> AsyncEngine:
    """An async engine for `sqlite+aiosqlite://...` or `postgresql+asyncpg://...`."""
    backend = make_url(database_url).get_backend_name()
    if backend == "sqlite":
        engine = _sqlite_engine(database_url)
    elif backend == "postgresql":
        engine = create_async_engine(database_url, poolclass=_Pool, **POSTGRES_ENGINE)
        event.listen(engine.sync_engine, "do_connect", _postgres_connect)
    else:
        raise ValueError(f"unsupported database URL (backend {backend!r})")
    event.listen(engine.sync_engine, "handle_error", _translate_error)
    return engine


def is_postgres(engine: AsyncEngine | AsyncConnection) -> bool:
    """The one test of the backend: PostgreSQL, else SQLite (the only two supported)."""
    return engine.dialect.name == "postgresql"


def utc(value: datetime) -> datetime:
    """A timestamp read back from the store, as UTC: SQLite returns naive datetimes, and
    everything is written in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def utc_or_none(value: datetime | None) -> datetime | None:
    return None if value is None else utc(value)


async def connect_for_write(engine: AsyncEngine) -> AsyncConnection:
    """A connection whose next transaction takes the write lock up front (SQLite)."""
    connection = await engine.connect()
    return await connection.execution_options(**{WRITE_LOCK: True})


def for_lookups(engine: AsyncEngine) -> AsyncEngine:
    """The engine (same pool) for single lookups outside any command's transaction.

    On PostgreSQL its connections run in AUTOCOMMIT, which spares the BEGIN and ROLLBACK
    round trips SQLAlchemy's implicit transaction sends around one SELECT; SQLite
    transactions cost no round trip, so it is the engine itself there.
    """
    return engine.execution_options(isolation_level="AUTOCOMMIT") if is_postgres(engine) else engine


async def check_ready(engine: AsyncEngine) -> dict[str, Any]:
    """For `/ready`: the events table can be read and written; raises DatabaseUnavailable
    otherwise. Writes nothing (a DELETE of no row, rolled back)."""
    conn = await connect_for_write(engine)
    try:
        await _probe(conn, select(events.c.seq).limit(1), "the events table cannot be read")
        # A read-only file or transaction, a missing privilege or a full disk refuse the
        # statement itself, before any row is looked at.
        await _probe(conn, delete(events).where(false()), "the events table cannot be written")
    finally:
        await conn.close()  # rolls back
    return {"backend": engine.dialect.name, "writable": True}


async def _probe(conn: AsyncConnection, statement: Executable, failure: str) -> None:
    try:
        await conn.execute(statement)
    except exc.DBAPIError as error:  # e.g. no such table on PostgreSQL, permission denied
        raise DatabaseUnavailable(failure) from error


def unavailable_reason(error: BaseException) -> tuple[str, bool] | None:
    """(safe description, connection unusable) when `error` means the database is out of
    reach or cannot write; None for any other error (a bug, a constraint, bad SQL)."""
    if isinstance(error, sqlite3.Error):
        if error.sqlite_errorcode & 0xFF in _SQLITE_BUSY:
            return "the database is busy", False
        if error.sqlite_errorcode & 0xFF in _SQLITE_BROKEN:
            return f"the database file cannot be used ({error.sqlite_errorname})", True
        if str(error).startswith("no such table"):  # another (empty) file at the path
            return "the database has no tables (wrong or missing file)", True
        return None
    state = getattr(error, "sqlstate", None)
    if isinstance(state, str) and (state[:2] in _PG_CLASSES or state in _PG_STATES):
        return f"the database refused the connection or the write (SQLSTATE {state})", True
    if isinstance(error, OSError | TimeoutError):
        return "the database is unreachable", True
    return None


def _translate_error(context: ExceptionContext) -> BaseException | None:
    """SQLAlchemy's `handle_error` hook: mark unusable connections for invalidation and
    raise DatabaseUnavailable in place of the driver's error."""
    if not isinstance(context.original_exception, Exception):
        return None  # a cancelled task (SQLAlchemy invalidates its connection): stays as is
    found = unavailable_reason(context.original_exception)
    if found is None and not context.is_disconnect:
        return None
    reason, unusable = found or ("the database connection was lost", True)
    context.is_disconnect = context.is_disconnect or unusable
    if context.is_pre_ping:  # the pool reconnects by itself after a failed ping
        return None
    return DatabaseUnavailable(reason)


def _postgres_connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
    # asyncpg raises a refused or timed-out connect as OSError/TimeoutError, which
    # SQLAlchemy passes on untranslated: translated here, like every other failure.
    try:
        return dialect.connect(*cargs, **cparams)
    except (OSError, TimeoutError) as error:
        raise DatabaseUnavailable("the database is unreachable") from error


def _sqlite_engine(database_url: str) -> AsyncEngine:
    database = make_url(database_url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        engine = create_async_engine(database_url)  # in memory, or the caller's URI
    else:
        engine = create_async_engine(database_url, poolclass=_Pool)
        _SqliteFile(Path(database).absolute()).watch(engine)
    event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
    event.listen(engine.sync_engine, "begin", _sqlite_on_begin)
    return engine


class _SqliteFile:
    """Binds each pooled connection to the file it opened (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.opened = path.exists()  # once true, connections never create the file

    def watch(self, engine: AsyncEngine) -> None:
        event.listen(engine.sync_engine, "do_connect", self._do_connect)
        event.listen(engine.sync_engine, "connect", self._on_connect)
        event.listen(engine.sync_engine, "checkout", self._on_checkout)
        event.listen(engine.sync_engine, "begin", self._on_begin)  # before the BEGIN itself

    def identity(self) -> tuple[int, int, bool] | None:
        try:
            found = os.stat(self.path)
        except OSError:
            return None
        return found.st_dev, found.st_ino, os.access(self.path, os.W_OK)

    def _do_connect(self, _dialect: Any, _record: Any, cargs: Any, cparams: Any) -> None:
        if self.opened:
            cargs[:] = [f"{self.path.as_uri()}?mode=rw"]
            cparams["uri"] = True

    def _on_connect(self, _dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        self.opened = True
        record.info["orders_file"] = self.identity()

    def _on_checkout(self, _dbapi: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        if record.info.get("orders_file") != self.identity():
            # The pool discards this connection (and older ones) and opens a fresh one.
            raise exc.InvalidatePoolError("the database file changed")

    def _on_begin(self, connection: Connection) -> None:
        # SQLite hands a new connection the descriptor of a closed one while the process
        # holds locks on the file, so a file made read-only may still be written: the
        # file's mode decides, as it would for a fresh process.
        if connection.get_execution_options().get(WRITE_LOCK) and not os.access(self.path, os.W_OK):
            raise DatabaseUnavailable("the database file is read-only")


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own implicit BEGIN is switched off; `_sqlite_on_begin` emits it,
    # which is SQLAlchemy's documented recipe for choosing the BEGIN mode.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    immediate = connection.get_execution_options().get(WRITE_LOCK, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
