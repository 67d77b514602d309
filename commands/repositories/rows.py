"""Helpers shared by the repositories: guarded writes and error translation."""

from __future__ import annotations

from typing import Any, NoReturn

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from commands.messages import CONFLICT, DUPLICATE, NOT_FOUND, CommandRejected, UserError
from commands.model.aggregate import Aggregate
from database.tables import customers, orders, products


def _guarded_update(table: Table) -> Any:
    """UPDATE ... WHERE id = :b_id AND version = :b_version; SET columns come with the call."""
    return update(table).where(
        table.c.id == bindparam("b_id"), table.c.version == bindparam("b_version")
    )


_TABLES = (customers, products, orders)
_INSERTS = {table.name: insert(table) for table in _TABLES}
_UPDATES = {table.name: _guarded_update(table) for table in _TABLES}


def not_found(kind: str, aggregate_id: str, field: str) -> NoReturn:
    error = UserError(NOT_FOUND, f"{kind} {aggregate_id!r} does not exist", (field,))
    raise CommandRejected([error])


async def write_row(
    connection: AsyncConnection, table: Table, aggregate: Aggregate, row: dict[str, Any]
) -> None:
    """Insert a new aggregate's row, or update it if nobody changed it since it was loaded."""
    if aggregate.is_new:
        await connection.execute(_INSERTS[table.name], {"id": aggregate.id, **row})
        return
    guard = {"b_id": aggregate.id, "b_version": aggregate.stored_version}
    result = await connection.execute(_UPDATES[table.name], {**guard, **row})
    if result.rowcount != 1:
        message = f"{aggregate.STREAM} {aggregate.id} was changed by another command"
        raise CommandRejected([UserError(CONFLICT, message, ("expectedVersion",))])


def raise_if_duplicate(error: IntegrityError, column: str, message: str) -> None:
    """A unique violation on `column` (a concurrent writer won the race) is DUPLICATE."""
    if column in str(error.orig):
        raise CommandRejected([UserError(DUPLICATE, message, (column,))]) from None
