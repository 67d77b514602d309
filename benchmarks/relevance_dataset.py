"""The fixed dataset the relevance judgments are written against: seed 2024, 2,000
orders, two years up to 2026-11-01, all through the real command path.

The judgments name orders by predicates (an email, a tracking number, a name and a
city...) resolved against the write tables, so they survive a re-seed; they do rely on
this exact seed, so a change to the demo-data generator shows up as judgments that
resolve to nothing (the benchmark and the tests check for that).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from demo.seed import DEFAULT_UNTIL, SeedReport, count_orders, seed_demo_data
from projections import source
from read_model.document import OrderDocument

SEED = 2024
ORDERS = 2000
UNTIL = DEFAULT_UNTIL


async def seed_dataset(
    engine: AsyncEngine, *, concurrency: int = 1, progress: bool = False
) -> SeedReport | None:
    """Seed the dataset into an empty database; None when it is there already."""
    present = await count_orders(engine)
    if present == ORDERS:
        return None
    if present:
        raise RuntimeError(f"the database holds {present} orders, not the {ORDERS} of the dataset")
    return await seed_demo_data(
        engine, orders=ORDERS, seed=SEED, until=UNTIL, concurrency=concurrency, progress=progress
    )


async def oracle(engine: AsyncEngine) -> dict[str, OrderDocument]:
    """Every order document as computed from the write tables (what relevance is judged on)."""
    async with engine.connect() as conn:
        return await source.load_documents(conn, await source.all_order_ids(conn))
