"""Invariant 2 for the customer view on PostgreSQL: eight writers whose transactions
commit out of `seq` order, the customer projector running meanwhile, and every customer
document ends equal to the oracle."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.integration.projections.test_gap_safety import eight_writers_while_projecting
from tests.support.customer_view import customer_view
from tests.support.world import World, running_world

pytestmark = [pytest.mark.anyio, pytest.mark.search, pytest.mark.postgres]


@pytest.fixture
async def world(postgres_url: str, search_url: str, index_prefix: str) -> AsyncIterator[World]:
    async with running_world(postgres_url, search_url, index_prefix) as w:
        yield w


async def test_eight_concurrent_writers_with_the_customer_projector_running(
    world: World, postgres_url: str
) -> None:
    view = await customer_view(world, batch_size=20)
    await eight_writers_while_projecting(world, postgres_url, view.projector)
    docs = await view.indexed()
    assert len(docs) == 8
    assert all(doc["orderCount"] == 6 for doc in docs.values())
    assert docs == await view.oracle()
