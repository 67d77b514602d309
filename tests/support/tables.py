"""Row counts of the write tables, to prove a refused request wrote nothing."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from database.engine import create_engine
from database.tables import customers, events, idempotency_keys, order_lines, orders, products

WRITE_TABLES = (customers, products, orders, order_lines, events, idempotency_keys)


def row_counts(database_url: str) -> dict[str, int]:
    async def count() -> dict[str, int]:
        engine = create_engine(database_url)
        try:
            async with engine.connect() as conn:
                return {
                    t.name: (await conn.execute(select(func.count()).select_from(t))).scalar_one()
                    for t in WRITE_TABLES
                }
        finally:
            await engine.dispose()

    return asyncio.run(count())
