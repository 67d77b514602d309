"""Append events to the outbox table inside the command's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, insert, literal_column, select
from sqlalchemy.ext.asyncio import AsyncConnection

from commands.model.aggregate import Event
from database.engine import is_postgres
from database.tables import events
from positions import ORIGIN, Position

_APPEND_SQLITE = insert(events).returning(events.c.seq, events.c.txid)
# Evaluated by the server for each row: the id of the transaction doing the insert,
# which the projector uses to wait for slower transactions holding lower seqs.
_APPEND_POSTGRES = _APPEND_SQLITE.values(txid=literal_column("pg_current_xact_id()::text::bigint"))
_LAST_OF_STREAM = (
    select(events.c.txid, events.c.seq)
    .where(
        events.c.stream_type == bindparam("stream_type"),
        events.c.stream_id == bindparam("stream_id"),
    )
    .order_by(events.c.stream_version.desc())
    .limit(1)
)


async def append(
    connection: AsyncConnection, batch: Sequence[Event], metadata: dict[str, Any] | None = None
) -> Position:
    """Insert `batch` in one executemany; returns the position of its last event.

    `metadata` (who acted, the request id) is stored with each event, beside its data."""
    postgres = is_postgres(connection)
    rows = [_row(event, postgres, metadata) for event in batch]
    statement = _APPEND_POSTGRES if postgres else _APPEND_SQLITE
    result = await connection.execute(statement, rows)
    return max(Position(txid, seq) for seq, txid in result.all())


async def last_position(connection: AsyncConnection, stream_type: str, stream_id: str) -> Position:
    """Where a stream's latest event sits: the token for a command that changed nothing."""
    params = {"stream_type": stream_type, "stream_id": stream_id}
    row = (await connection.execute(_LAST_OF_STREAM, params)).first()
    return ORIGIN if row is None else Position(row.txid, row.seq)


def _row(event: Event, postgres: bool, metadata: dict[str, Any] | None) -> dict[str, Any]:
    row = {
        "stream_type": event.stream_type,
        "stream_id": event.stream_id,
        "stream_version": event.stream_version,
        "type": event.type,
        "data": event.data,
        "occurred_at": event.occurred_at,
        "metadata": metadata,
    }
    if not postgres:
        row["txid"] = 0  # one writer at a time: seq alone orders the log
    return row
