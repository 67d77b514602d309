"""Write-side fixtures on top of the suite's `database_url` (a fresh, migrated database per test,
once on SQLite and once on PostgreSQL; see tests/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from commands.bus import CommandBus
from database.engine import create_engine
from tests.integration.commands.commands_testkit import Catalogue, seed_catalogue


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def bus(engine: AsyncEngine) -> CommandBus:
    return CommandBus(engine)


@pytest.fixture
async def catalogue(bus: CommandBus) -> Catalogue:
    """A customer and three products (two in EUR, one in USD)."""
    return await seed_catalogue(bus)
