"""Row counts of the write tables, to prove a refused request wrote nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from sqlalchemy import Table, func, select

from database.engine import create_engine
from database.tables import customers, events, idempotency_keys, order_lines, orders, products

WRITE_TABLES = (customers, products, orders, order_lines, events, idempotency_keys)


def row_counts(database_url: str, tables: Iterable[Table] = WRITE_TABLES) -> dict[str, int]:
    """Rows in each of `tables`, by name."""

    async def count() -> dict[str, int]:
        engine = create_engine(database_url)
        try:
            async with engine.connect() as conn:
                return {
                    t.name: (await conn.execute(select(func.count()).select_from(t))).scalar_one()
                    for t in tables
                }
        finally:
            await engine.dispose()

    return asyncio.run(count())
