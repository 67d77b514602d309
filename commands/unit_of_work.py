"""One database transaction per command: rows and their events commit together or not at all."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from commands import idempotency, outbox
from commands.messages import CommandResult
from commands.model.aggregate import Aggregate
from commands.repositories import CustomerRepository, OrderRepository, ProductRepository
from database.engine import connect_for_write
from identity import Principal
from positions import encode_token

Clock = Callable[[], datetime]
IdFactory = Callable[[], str]


@dataclass(frozen=True)
class Audit:
    """Who caused a command's events, and in which request: kept in each event's metadata."""

    actor: Principal
    request_id: str | None = None

    def metadata(self) -> dict[str, object]:
        found: dict[str, object] = {"actor": self.actor.audit()}
        if self.request_id is not None:
            found["requestId"] = self.request_id
        return found


def utc_now() -> datetime:
    return datetime.now(UTC)


def random_id() -> str:
    return str(uuid.uuid4())


class UnitOfWork:
    """`async with uow:` opens the transaction; leaving without `commit` rolls it back."""

    customers: CustomerRepository
    products: ProductRepository
    orders: OrderRepository
    now: datetime

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        clock: Clock = utc_now,
        new_id: IdFactory = random_id,
        claim: idempotency.Claim | None = None,
        audit: Audit,
    ) -> None:
        self._engine = engine
        self.audit = audit
        self._clock = clock
        self.new_id = new_id
        self._claim = claim
        self._connection: AsyncConnection | None = None

    async def __aenter__(self) -> UnitOfWork:
        connection = await connect_for_write(self._engine)
        try:
            await connection.begin()
        except BaseException:
            await connection.close()
            raise
        self._connection = connection
        self.customers = CustomerRepository(connection)
        self.products = ProductRepository(connection)
        self.orders = OrderRepository(connection)
        # Taken once the write lock is held, so one command has one timestamp.
        self.now = self._clock()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            if connection.in_transaction():
                await connection.rollback()
        finally:
            await connection.close()

    @property
    def connection(self) -> AsyncConnection:
        """The transaction's connection, for repositories and the outbox."""
        if self._connection is None:
            raise RuntimeError("the unit of work is not open: use `async with uow`")
        return self._connection

    async def commit(self, aggregate: Aggregate) -> CommandResult:
        """Append the aggregate's new events, store the idempotent result, and commit."""
        connection = self.connection
        if aggregate.events:
            position = await outbox.append(connection, aggregate.events, self.audit.metadata())
        else:  # nothing changed: point at the state the aggregate already had
            position = await outbox.last_position(connection, aggregate.STREAM, aggregate.id)
        result = CommandResult(aggregate.id, aggregate.version, encode_token(position))
        if self._claim is not None:
            await idempotency.store_result(connection, self._claim, result, self.now)
        await connection.commit()
        aggregate.events.clear()
        return result
