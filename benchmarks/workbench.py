"""What both benchmarks share: connect to a database and a search engine, make sure
the demo data is there (seeding it through the command path once), and bring the
projection up to date."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from tqdm import tqdm

from database.engine import create_engine
from database.migrate import upgrade
from demo.seed import DEFAULT_UNTIL, SeedReport, count_orders, seed_demo_data
from projections.projector import Projector
from read_model.indices import drop_all, ensure_index
from read_model.mapping_state import mapping_state
from search_engine.client import SearchClient


@dataclass
class Bench:
    engine: AsyncEngine
    search: SearchClient
    prefix: str


def env_or(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name) or default


@asynccontextmanager
async def opened(database_url: str, search_url: str, prefix: str) -> AsyncIterator[Bench]:
    """A migrated database and a connected search client (closed afterwards)."""
    await upgrade(database_url)
    engine = create_engine(database_url)
    search = await SearchClient.connect(search_url)
    try:
        yield Bench(engine, search, prefix)
    finally:
        await search.close()
        await engine.dispose()


async def ensure_orders(
    bench: Bench,
    orders: int,
    *,
    seed: int,
    until: datetime = DEFAULT_UNTIL,
    concurrency: int = 1,
    processes: int = 1,
    progress: bool = True,
) -> SeedReport | None:
    """Seed `orders` orders into an empty database; reuse a database that has orders
    already (None then). Seeding is the slow part, so it happens once per database."""
    present = await count_orders(bench.engine)
    if present:
        if present < orders:
            print(f"note: the database holds {present} orders (asked for {orders}); using them")
        return None
    return await seed_demo_data(
        bench.engine,
        orders=orders,
        seed=seed,
        until=until,
        concurrency=concurrency,
        processes=processes,
        progress=progress,
    )


async def catch_up(
    bench: Bench, *, fresh: bool, batch_size: int = 1000, progress: bool = True
) -> float:
    """Project every event into the index (a new one when `fresh`, or when the index was
    made with another mapping than the code's); returns seconds taken."""
    state = await mapping_state(bench.search, bench.prefix)
    if not fresh and state.rebuild_needed:
        print(f"re-projecting into a new index: {state.describe()}")
        fresh = True
    if fresh:
        await drop_all(bench.search, bench.prefix)
    await ensure_index(bench.search, bench.prefix)
    projector = Projector(bench.engine, bench.search, bench.prefix, batch_size=batch_size)
    lag = await projector.lag()
    started = time.perf_counter()
    with tqdm(total=lag.events, desc="projecting", unit="event", disable=not progress) as bar:
        while n := await projector.step():
            bar.update(n)
    return time.perf_counter() - started


def seed_line(report: SeedReport | None) -> str:
    if report is None:
        return "reused the seeded database"
    return (
        f"seeded {report.orders} orders, {report.customers} customers: {report.commands} "
        f"commands in {report.seconds:.1f} s ({report.orders_per_second:.0f} orders/s)"
    )


def fail(message: str) -> None:
    print(message, file=sys.stderr)
    raise SystemExit(2)
