"""The one place database engines are created, with per-backend connection setup."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

# Execution option marking a connection that will write: on SQLite its transactions
# start with BEGIN IMMEDIATE so concurrent writers queue on the lock (busy_timeout)
# instead of failing with "database is locked" when a read lock upgrades.
WRITE_LOCK = "orders_write_lock"

SQLITE_PRAGMAS = ("journal_mode=WAL", "busy_timeout=5000", "foreign_keys=ON")
POSTGRES_POOL = {"pool_size": 10, "max_overflow": 20, "pool_recycle": 1800, "pool_timeout": 30}


def create_engine(database_url: str) -> AsyncEngine:
    """An async engine for `sqlite+aiosqlite://...` or `postgresql+asyncpg://...`."""
    backend = make_url(database_url).get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(database_url)
    if backend == "postgresql":
        return create_async_engine(database_url, **POSTGRES_POOL)
    raise ValueError(f"unsupported database URL (backend {backend!r})")


def is_postgres(engine: AsyncEngine | AsyncConnection) -> bool:
    return engine.dialect.name == "postgresql"


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


def _sqlite_engine(database_url: str) -> AsyncEngine:
    engine = create_async_engine(database_url)
    event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
    event.listen(engine.sync_engine, "begin", _sqlite_on_begin)
    return engine


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
