"""The dead-letter table: documents the search engine rejected for good, parked so the
projector can go on (docs/ARCHITECTURE.md §2, invariant 6).

One row per physical index and order, with the batch position and the engine's reason;
which failures are permanent is decided by `projections.writer`, which parks them here.
`projections.dead_letter_retry` re-projects them after a fix; a later successful write of
the same order also clears its row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine

from database.engine import connect_for_write, is_postgres, utc
from database.tables import dead_letters
from positions import Position
from projections import source


@dataclass(frozen=True)
class DeadLetter:
    id: int
    index_name: str
    order_id: str
    position: Position
    reason: str
    created_at: datetime


async def record(
    engine: AsyncEngine, projection: str, index: str, rejected: dict[str, str], at: Position
) -> None:
    """Park rejected orders (a replayed batch updates its rows instead of duplicating them)."""
    if not rejected:
        return
    insert = pg_insert if is_postgres(engine) else sqlite_insert
    now = datetime.now(UTC)
    rows = [
        {
            "projection": projection,
            "index_name": index,
            "order_id": order_id,
            "txid": at.txid,
            "seq": at.seq,
            "reason": reason[:2000],
            "created_at": now,
        }
        for order_id, reason in sorted(rejected.items())
    ]
    statement = insert(dead_letters)
    statement = statement.on_conflict_do_update(
        index_elements=["index_name", "order_id"],
        set_={
            "txid": statement.excluded.txid,
            "seq": statement.excluded.seq,
            "reason": statement.excluded.reason,
        },
    )
    conn = await connect_for_write(engine)
    try:
        async with conn.begin():
            await conn.execute(statement, rows)
    finally:
        await conn.close()


async def resolve(engine: AsyncEngine, index: str, order_ids: Iterable[str]) -> None:
    """Orders written successfully to `index` are no longer dead letters there."""
    conn = await connect_for_write(engine)
    try:
        async with conn.begin():
            for chunk in source.chunks(order_ids):
                await conn.execute(
                    delete(dead_letters).where(
                        dead_letters.c.index_name == index, dead_letters.c.order_id.in_(chunk)
                    )
                )
    finally:
        await conn.close()


async def drop_other_indices(engine: AsyncEngine, projection: str, keep: str) -> None:
    """After a rebuild's swap: rows about the old index are moot (the new one has its own)."""
    conn = await connect_for_write(engine)
    try:
        async with conn.begin():
            await conn.execute(
                delete(dead_letters).where(
                    dead_letters.c.projection == projection, dead_letters.c.index_name != keep
                )
            )
    finally:
        await conn.close()


async def parked_ids(engine: AsyncEngine, index: str) -> set[str]:
    async with engine.connect() as conn:
        query = select(dead_letters.c.order_id).where(dead_letters.c.index_name == index)
        return set((await conn.execute(query)).scalars())


async def count(engine: AsyncEngine, projection: str) -> int:
    async with engine.connect() as conn:
        query = select(func.count()).where(dead_letters.c.projection == projection)
        return int((await conn.execute(query)).scalar_one())


async def listing(engine: AsyncEngine, projection: str, limit: int = 1000) -> list[DeadLetter]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(dead_letters)
            .where(dead_letters.c.projection == projection)
            .order_by(dead_letters.c.id)
            .limit(limit)
        )
        return [
            DeadLetter(
                r.id,
                r.index_name,
                r.order_id,
                Position(r.txid, r.seq),
                r.reason,
                utc(r.created_at),
            )
            for r in rows
        ]


async def delete_rows(engine: AsyncEngine, row_ids: Sequence[int]) -> None:
    """Delete dead letters by row id."""
    conn = await connect_for_write(engine)
    try:
        async with conn.begin():
            for start in range(0, len(row_ids), source.CHUNK):
                chunk = row_ids[start : start + source.CHUNK]
                await conn.execute(delete(dead_letters).where(dead_letters.c.id.in_(chunk)))
    finally:
        await conn.close()
