"""Idempotency keys: a command sent twice with one key runs once.

docs/ARCHITECTURE.md, invariant 8.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from commands.messages import (
    DUPLICATE,
    VALIDATION_FAILED,
    CommandRejected,
    CommandResult,
    UserError,
)
from database.tables import idempotency_keys

KEY_MAX = 200
FIELD = ("idempotencyKey",)

_LOOKUP = select(idempotency_keys.c.command, idempotency_keys.c.result).where(
    idempotency_keys.c.key == bindparam("key")
)
_STORE = insert(idempotency_keys)


@dataclass(frozen=True)
class Claim:
    """The key a command runs under and the command's name, stored with its result."""

    key: str
    command: str


class KeyAlreadyStored(Exception):
    """A concurrent command with the same key committed first."""


def check_key(key: str) -> None:
    if not key.strip() or len(key) > KEY_MAX:
        message = f"idempotencyKey must be 1 to {KEY_MAX} characters"
        raise CommandRejected([UserError(VALIDATION_FAILED, message, FIELD)])


async def stored_result(connection: AsyncConnection, claim: Claim) -> CommandResult | None:
    """The first result stored under the key; DUPLICATE if another command used it."""
    row = (await connection.execute(_LOOKUP, {"key": claim.key})).first()
    if row is None:
        return None
    if row.command != claim.command:
        message = f"idempotencyKey was already used for {row.command}"
        raise CommandRejected([UserError(DUPLICATE, message, FIELD)])
    return CommandResult(**row.result)


async def store_result(
    connection: AsyncConnection, claim: Claim, result: CommandResult, now: datetime
) -> None:
    """Record the result in the command's own transaction; the key's primary key is the lock."""
    values = {"key": claim.key, "command": claim.command, "result": asdict(result)}
    try:
        await connection.execute(_STORE, {**values, "created_at": now})
    except IntegrityError:
        raise KeyAlreadyStored(claim.key) from None
