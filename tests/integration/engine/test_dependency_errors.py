"""The adapters' translation of dependency failures, on real servers: only a database out of
reach or unwritable becomes DatabaseUnavailable (a constraint or a bug stays what it is),
and the search engine's health tells a missing or unsearchable index."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import anyio
import pytest
from sqlalchemy import exc, insert, text

from database.engine import DatabaseUnavailable, check_ready, connect_for_write, create_engine
from database.tables import customers
from search_engine.client import SearchClient

pytestmark = [pytest.mark.anyio]


async def test_a_constraint_or_bad_sql_is_not_unavailability(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        now = datetime.now(UTC)
        row = {"name": "A", "email": "a@example.com", "version": 1}
        conn = await connect_for_write(engine)
        async with conn.begin():
            await conn.execute(
                insert(customers).values(id="c-1", **row, created_at=now, updated_at=now)
            )
            with pytest.raises(exc.IntegrityError):  # the same id (and email) twice
                await conn.execute(
                    insert(customers).values(id="c-1", **row, created_at=now, updated_at=now)
                )
        await conn.close()
        async with engine.connect() as conn:
            with pytest.raises(exc.DBAPIError):  # a syntax error, not the database's fault
                await conn.execute(text("SELEKT 1"))
        assert (await check_ready(engine))["writable"] is True
    finally:
        await engine.dispose()


async def test_a_sqlite_file_gone_is_unavailable_and_never_recreated(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    path = Path(sqlite_url.split("///", 1)[1])
    try:
        await check_ready(engine)
        os.rename(path, path.with_suffix(".away"))
        with pytest.raises(DatabaseUnavailable, match="SQLITE_CANTOPEN"):
            await check_ready(engine)
        assert not await anyio.Path(path).exists()
        os.rename(path.with_suffix(".away"), path)
        assert (await check_ready(engine))["writable"] is True
    finally:
        await engine.dispose()


@pytest.mark.search
async def test_health_is_red_for_a_missing_index(search_url: str, index_prefix: str) -> None:
    search = await SearchClient.connect(search_url)
    try:
        await search.create_index(f"{index_prefix}-here", {})
        assert await search.health([f"{index_prefix}-here"]) in ("green", "yellow")
        assert await search.health([f"{index_prefix}-here", f"{index_prefix}-gone"]) == "red"
    finally:
        await search.close()
