"""`orders seed` writes through the real command path: the same seed gives the same
orders on SQLite one at a time and on PostgreSQL with concurrent workers in two
processes, and a seed is never applied twice."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from sqlalchemy import func, select

from benchmarks import relevance_dataset
from database.engine import create_engine
from database.tables import events, products
from demo.seed import SeedError, SeedReport, seed_demo_data
from read_model.document import OrderDocument

pytestmark = [pytest.mark.anyio, pytest.mark.postgres]

ORDERS = 40


async def seed_and_read(
    url: str, **options: Any
) -> tuple[SeedReport, dict[str, OrderDocument], Counter[str]]:
    engine = create_engine(url)
    try:
        report = await seed_demo_data(engine, orders=ORDERS, seed=11, progress=False, **options)
        async with engine.connect() as conn:
            rows = await conn.execute(select(events.c.type, func.count()).group_by(events.c.type))
            event_types = Counter({kind: n for kind, n in rows.all()})
        return report, await relevance_dataset.oracle(engine), event_types
    finally:
        await engine.dispose()


async def test_the_same_seed_writes_the_same_orders_whatever_the_backend_and_concurrency(
    sqlite_url: str, postgres_url: str
) -> None:
    one, documents, event_types = await seed_and_read(sqlite_url)
    many, concurrent_documents, _ = await seed_and_read(postgres_url, concurrency=4, processes=2)
    assert documents == concurrent_documents
    assert one.statuses == many.statuses and one.orders == ORDERS
    assert len(documents) == ORDERS
    assert one.commands == sum(event_types.values())  # one event per command
    assert event_types["OrderPlaced"] == ORDERS and event_types["ProductAdded"] == 71
    assert {"OrderPaid", "OrderShipped", "OrderDelivered"} <= set(event_types)


async def test_a_seed_is_applied_once_and_another_seed_reuses_the_catalogue(
    sqlite_url: str,
) -> None:
    engine = create_engine(sqlite_url)
    try:
        await seed_demo_data(engine, orders=5, seed=1, progress=False)
        with pytest.raises(SeedError, match="seed 1 was applied"):
            await seed_demo_data(engine, orders=5, seed=1, progress=False)
        second = await seed_demo_data(engine, orders=5, seed=2, progress=False)
        async with engine.connect() as conn:
            catalogue = await conn.scalar(select(func.count()).select_from(products))
    finally:
        await engine.dispose()
    assert second.products == 0 and catalogue == 71
