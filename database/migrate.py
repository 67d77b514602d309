"""Bring a database to the latest schema with Alembic, configured in code (no alembic.ini)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection

from database.engine import connect_for_write, create_engine, is_postgres

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Several API instances may start at once; one migrates, the others wait, then find it done.
_MIGRATION_LOCK = text("SELECT pg_advisory_xact_lock(hashtext('orders-migrations'))")


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at our migrations, optionally bound to a connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


async def upgrade(database_url: str, revision: str = "head") -> None:
    """Run `alembic upgrade <revision>` in one transaction on the async engine."""
    engine = create_engine(database_url)
    try:
        connection = await connect_for_write(engine)
        try:
            await connection.begin()
            if is_postgres(connection):
                await connection.execute(_MIGRATION_LOCK)
            await connection.run_sync(_upgrade, revision)
            await connection.commit()
        finally:
            await connection.close()
    finally:
        await engine.dispose()


def upgrade_sync(database_url: str, revision: str = "head") -> None:
    """`upgrade` for callers without a running event loop (the CLI)."""
    asyncio.run(upgrade(database_url, revision))


def _upgrade(connection: Connection, revision: str) -> None:
    command.upgrade(alembic_config(connection), revision)
