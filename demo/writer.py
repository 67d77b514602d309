"""The fast way to write the seed plan: many commands per transaction, multi-row inserts.

A batch of planned stories is played through the aggregates in memory, one command after
the other as the handlers in `commands.handlers` play them (the same aggregate methods
with the same arguments, so every rule still runs), with what the handlers would read
from the database looked up once per batch. The rows and events that result are written
in the batch's one transaction: COPY on PostgreSQL, one executemany per table elsewhere.

They are the rows and events the command path writes (same columns, versions, timestamps
from the plan's clock, event payloads; tests/integration/commands/test_seed_writer.py
compares both paths row by row): an aggregate created and changed within a batch is
inserted once in its final state, which is what the command path's insert and updates
leave behind. Events keep their order (a stream's versions ascending, a story's events
together, customers before the orders that name them, since phases are written one after
the other). On PostgreSQL every event's txid is the writing transaction's
pg_current_xact_id(), as in `commands.outbox`, and the transaction notifies the
projector's channel before it commits.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from commands.messages import (
    CancelOrder,
    DeliverOrder,
    PayOrder,
    PlaceOrder,
    RegisterCustomer,
    ShipOrder,
)
from commands.model.aggregate import Aggregate, Event
from commands.model.customer import Customer
from commands.model.order import Order, wanted_product_ids
from commands.model.product import Product
from commands.model.validation import normalise_email
from commands.repositories.orders import line_rows, order_row
from commands.repositories.products import product_from_row
from commands.unit_of_work import Audit
from database.engine import connect_for_write, is_postgres
from database.tables import customers, events, order_lines, orders, products
from demo.plan import Step, Story
from identity import Principal

SEED_ACTOR = Principal.staff("orders-seed")  # whom the demo data's events name as the actor
SEED_AUDIT = Audit(SEED_ACTOR)

BATCH_SIZE = 500  # stories per transaction

_TXID = text("SELECT pg_current_xact_id()::text::bigint")  # what commands.outbox stamps
_EMAILS_IN_USE = select(customers.c.email).where(
    customers.c.email.in_(bindparam("emails", expanding=True))
)
_CUSTOMERS_PRESENT = select(customers.c.id).where(
    customers.c.id.in_(bindparam("ids", expanding=True))
)
_PRODUCTS = select(products).where(products.c.id.in_(bindparam("ids", expanding=True)))


class UnsupportedStep(ValueError):
    """A command the batch writer cannot play (the command path can): the plan only ever
    registers customers and places orders that it then pays, ships, delivers or cancels
    within the same story."""


def batches(stories: Iterable[Story], size: int = BATCH_SIZE) -> Iterator[list[Story]]:
    iterator = iter(stories)
    while batch := list(islice(iterator, size)):
        yield batch


@dataclass
class Reads:
    """What the handlers would read in the batch's transaction, and what the batch has
    written so far (a transaction reads its own writes)."""

    emails_in_use: set[str]
    customer_ids: set[str]
    products: dict[str, Product]
    orders: dict[str, Order] = field(default_factory=dict)


@dataclass
class Played:
    """A batch played in memory: the aggregates it created (in their final state) and
    every event, in the order the command path appends them."""

    customers: list[Customer] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    commands: int = 0


def play(stories: Sequence[Story], reads: Reads) -> Played:
    """Each story's steps in order, each step like its handler: load, apply the rule
    (a rejection raises `CommandRejected`, as through the bus), save, commit."""
    played = Played()
    for story in stories:
        for step in story.steps:
            aggregate = _handle(step, reads, played)
            played.events.extend(aggregate.events)  # UnitOfWork.commit appends them...
            aggregate.events.clear()  # ...and the aggregate starts the next command clean
            played.commands += 1
    return played


def _handle(step: Step, reads: Reads, played: Played) -> Aggregate:
    command, now = step.command, step.at
    match command:
        case RegisterCustomer():
            taken = normalise_email(command.email) in reads.emails_in_use
            customer = Customer.register(
                _new_id(step), command.name, command.email, email_taken=taken, now=now
            )
            reads.emails_in_use.add(customer.email)
            reads.customer_ids.add(customer.id)
            played.customers.append(customer)
            return customer
        case PlaceOrder():
            if command.idempotency_key is not None:
                raise UnsupportedStep("idempotency keys go through the command bus")
            wanted = wanted_product_ids(command.lines)
            order = Order.place(
                _new_id(step),
                customer_id=command.customer_id,
                customer_exists=command.customer_id in reads.customer_ids,
                lines=command.lines,
                products={i: reads.products[i] for i in wanted if i in reads.products},
                address=command.shipping_address,
                now=now,
            )
            reads.orders[order.id] = order
            played.orders.append(order)
            return order
        case PayOrder():
            order = _order(reads, command.order_id)
            order.pay(command.amount, expected_version=command.expected_version, now=now)
            return order
        case ShipOrder():
            order = _order(reads, command.order_id)
            order.ship(
                command.carrier,
                command.tracking_number,
                expected_version=command.expected_version,
                now=now,
            )
            return order
        case DeliverOrder():
            order = _order(reads, command.order_id)
            order.deliver(expected_version=command.expected_version, now=now)
            return order
        case CancelOrder():
            order = _order(reads, command.order_id)
            order.cancel(command.reason, expected_version=command.expected_version, now=now)
            return order
    raise UnsupportedStep(f"{type(command).__name__} goes through the command bus")


def _new_id(step: Step) -> str:
    if step.new_id is None:
        raise RuntimeError(f"{type(step.command).__name__} asked for an unplanned id")
    return step.new_id


def _order(reads: Reads, order_id: str) -> Order:
    order = reads.orders.get(order_id)
    if order is None:
        raise UnsupportedStep(f"order {order_id} was not placed in this batch")
    return order


class SeedWriter:
    """Writes batches of stories, one transaction each; batches may run concurrently
    (one writer per process: it remembers the emails its batches registered)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._postgres = is_postgres(engine)
        self._registered: set[str] = set()
        # COPY takes JSON as text: serialised as SQLAlchemy would for the INSERT.
        serialise = events.c.data.type.dialect_impl(engine.dialect).bind_processor(engine.dialect)
        self._json: Callable[[Any], Any] = serialise or _unchanged

    async def write(self, stories: Sequence[Story]) -> Played:
        connection = await connect_for_write(self._engine)
        try:
            async with connection.begin():
                txid = int(await connection.scalar(_TXID) or 0) if self._postgres else 0
                reads = await self._reads(connection, stories)
                played = play(stories, reads)
                self._registered.update(customer.email for customer in played.customers)
                # COPY into events fires its NOTIFY trigger (migration 0003) like an INSERT.
                await self._insert(connection, played, txid)
        finally:
            await connection.close()
        return played

    async def _reads(self, connection: AsyncConnection, stories: Sequence[Story]) -> Reads:
        emails, customer_ids, product_ids = set(), set(), set()
        for story in stories:
            for step in story.steps:
                command = step.command
                if isinstance(command, RegisterCustomer):
                    emails.add(normalise_email(command.email))
                elif isinstance(command, PlaceOrder):
                    customer_ids.add(command.customer_id)
                    product_ids |= wanted_product_ids(command.lines)
        in_use = await _column(connection, _EMAILS_IN_USE, "emails", emails)
        present = await _column(connection, _CUSTOMERS_PRESENT, "ids", customer_ids)
        found: dict[str, Product] = {}
        if product_ids:
            result = await connection.execute(_PRODUCTS, {"ids": sorted(product_ids)})
            found = {row["id"]: product_from_row(row) for row in result.mappings()}
        return Reads(in_use | (emails & self._registered), present, found)

    async def _insert(self, connection: AsyncConnection, played: Played, txid: int) -> None:
        tables: list[tuple[Table, list[dict[str, Any]]]] = [
            (customers, [_customer_row(c) for c in played.customers]),
            (orders, [order_row(o) for o in played.orders]),
            (order_lines, [line for o in played.orders for line in line_rows(o)]),
            (events, [_event_row(e, txid) for e in played.events]),
        ]
        for table, rows in tables:
            if not rows:
                continue
            if not self._postgres:
                await connection.execute(insert(table), rows)
                continue
            if table is events:
                for row in rows:
                    row["data"] = self._json(row["data"])
                    row["metadata"] = self._json(row["metadata"])
            raw = (await connection.get_raw_connection()).driver_connection
            if raw is None:
                raise RuntimeError("the connection has no asyncpg connection behind it")
            await raw.copy_records_to_table(  # asyncpg, in this (already begun) transaction
                table.name, columns=list(rows[0]), records=[tuple(row.values()) for row in rows]
            )


async def _column(
    connection: AsyncConnection, query: Any, name: str, values: Collection[str]
) -> set[str]:
    if not values:
        return set()
    return set((await connection.execute(query, {name: sorted(values)})).scalars())


def _unchanged(value: Any) -> Any:
    return value


def _customer_row(customer: Customer) -> dict[str, Any]:
    return {
        "id": customer.id,
        "name": customer.name,
        "email": customer.email,
        "version": customer.version,
        "created_at": customer.created_at,
        "updated_at": customer.updated_at,
    }


def _event_row(event: Event, txid: int) -> dict[str, Any]:
    return {
        "txid": txid,
        "stream_type": event.stream_type,
        "stream_id": event.stream_id,
        "stream_version": event.stream_version,
        "type": event.type,
        "data": event.data,
        "occurred_at": event.occurred_at,
        "metadata": SEED_AUDIT.metadata(),
    }
