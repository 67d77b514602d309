"""The running worlds (database, search node, projector; tests/support/world.py) most of
the integration tests start from."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.world import World, running_world


@pytest.fixture
async def world(database_url: str, search_url: str, index_prefix: str) -> AsyncIterator[World]:
    async with running_world(database_url, search_url, index_prefix) as w:
        yield w


@pytest.fixture
async def pg_world(postgres_url: str, search_url: str, index_prefix: str) -> AsyncIterator[World]:
    async with running_world(postgres_url, search_url, index_prefix) as w:
        yield w
