"""The batch seed writer writes exactly what the command path writes: the same seed
seeded through the CommandBus (one transaction per command) into one database and in
batches (many commands per transaction, multi-row inserts) into another gives equal rows
in every table and equal events, and the aggregates' rules still reject bad commands."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Text, cast, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from commands.messages import CommandRejected, OrderLineRequest, PayOrder, PlaceOrder
from database.engine import create_engine, is_postgres
from database.tables import customers, events, idempotency_keys, order_lines, orders, products
from demo.plan import Step
from demo.seed import DEFAULT_UNTIL, SeedPlan, Story, catalogue, plan_customers, seed_demo_data
from demo.writer import SeedWriter
from tests.conftest import migrate, scratch_database

pytestmark = pytest.mark.anyio

ORDERS, SEED, BATCH = 300, 5, 64
TABLES = (customers, products, orders, order_lines, idempotency_keys)


@pytest.fixture
def other_url(database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A second fresh, migrated database on the same backend as `database_url`."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        other = f"sqlite+aiosqlite:///{tmp_path / 'other.db'}"
        migrate(other)
        yield other
        return
    template = request.getfixturevalue("postgres_template")
    with scratch_database(database_url, template=template) as scratch:
        yield scratch


@pytest.fixture
async def engines(database_url: str, other_url: str) -> AsyncIterator[tuple[AsyncEngine, ...]]:
    pair = create_engine(database_url), create_engine(other_url)
    yield pair
    for engine in pair:
        await engine.dispose()


async def table_rows(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every write table, in primary-key order."""
    dump: dict[str, list[tuple[Any, ...]]] = {}
    async with engine.connect() as conn:
        for table in TABLES:
            query = select(table).order_by(*table.primary_key.columns)
            dump[table.name] = [tuple(row) for row in (await conn.execute(query)).all()]
    return dump


async def event_log(engine: AsyncEngine) -> list[dict[str, Any]]:
    """The events in log order, payloads as the stored JSON text; seq and txid left out."""
    columns = [c for c in events.c if c.name not in ("seq", "txid", "data")]
    query = select(*columns, cast(events.c.data, Text).label("data")).order_by(events.c.seq)
    async with engine.connect() as conn:
        return [dict(row) for row in (await conn.execute(query)).mappings()]


async def test_batches_write_the_rows_and_events_of_the_command_path(
    engines: tuple[AsyncEngine, AsyncEngine],
) -> None:
    through_bus, batched = engines
    slow = await seed_demo_data(
        through_bus, orders=ORDERS, seed=SEED, progress=False, writer="commands"
    )
    fast = await seed_demo_data(batched, orders=ORDERS, seed=SEED, progress=False, batch_size=BATCH)
    assert (fast.statuses, fast.commands, fast.customers) == (
        slow.statuses,
        slow.commands,
        slow.customers,
    )
    assert set(fast.statuses) == {"PLACED", "PAID", "SHIPPED", "DELIVERED", "CANCELLED"}
    expected_rows, rows = await table_rows(through_bus), await table_rows(batched)
    assert len(rows["orders"]) == ORDERS and len(rows["order_lines"]) > ORDERS
    for table in TABLES:
        assert rows[table.name] == expected_rows[table.name], table.name
    log = await event_log(batched)
    assert log == await event_log(through_bus)
    assert len(log) == fast.commands

    async with batched.connect() as conn:
        txids = (await conn.execute(select(events.c.txid).order_by(events.c.seq))).scalars().all()
        now = await conn.scalar(select(func.pg_current_xact_id())) if is_postgres(batched) else 0
    if is_postgres(batched):  # one real transaction id per batch (the catalogue: per command)
        batches = -(-fast.customers // BATCH) + -(-ORDERS // BATCH)
        assert len(set(txids)) == 71 + batches
        assert min(txids) > 0 and max(txids) < int(str(now))
        assert txids == sorted(txids)  # one writer at a time here: commit order = log order
    else:
        assert set(txids) == {0}


async def test_concurrent_batches_in_two_processes_write_the_same_data_in_a_valid_order(
    engines: tuple[AsyncEngine, AsyncEngine],
) -> None:
    through_bus, batched = engines
    options: dict[str, Any] = {"orders": 120, "seed": SEED, "progress": False}
    await seed_demo_data(through_bus, writer="commands", **options)
    processes = 2 if is_postgres(batched) else 1
    await seed_demo_data(batched, concurrency=3, processes=processes, batch_size=16, **options)
    assert await table_rows(batched) == await table_rows(through_bus)
    log = await event_log(batched)

    def by_stream(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(
            entries, key=lambda e: (e["stream_type"], e["stream_id"], e["stream_version"])
        )

    assert by_stream(log) == by_stream(await event_log(through_bus))
    versions: dict[tuple[str, str], int] = {}  # each stream's versions ascend in the log
    for event in log:
        stream = (event["stream_type"], event["stream_id"])
        assert event["stream_version"] == versions.get(stream, 0) + 1
        versions[stream] = event["stream_version"]
    async with batched.connect() as conn:
        orders_of = (await conn.execute(select(orders.c.id, orders.c.customer_id))).all()
        lines = (await conn.execute(select(order_lines.c.order_id, order_lines.c.product_id))).all()
    # Each order's first event comes after its customer's and its products' first events.
    first = {(e["stream_type"], e["stream_id"]): i for i, e in reversed(list(enumerate(log)))}
    for order_id, customer_id in orders_of:
        assert first[("customer", customer_id)] < first[("order", order_id)]
    for order_id, product_id in lines:
        assert first[("product", product_id)] < first[("order", order_id)]


async def test_the_aggregates_rules_still_reject_and_a_rejected_batch_writes_nothing(
    engines: tuple[AsyncEngine, AsyncEngine],
) -> None:
    _, engine = engines
    await seed_demo_data(engine, orders=10, seed=SEED, progress=False)
    people = plan_customers(SEED, 10, DEFAULT_UNTIL, set())
    plan = SeedPlan(SEED, 10, DEFAULT_UNTIL, people, catalogue())
    good = next(plan.stories("orders", 0, 1))
    place = good.steps[0].command
    assert isinstance(place, PlaceOrder)
    at = good.steps[0].at
    fresh = str(uuid.uuid4())
    placed = Step(at, place, new_id=fresh)
    wrong_amount = PayOrder(order_id=fresh, amount=place_total(place) + 1)
    unknown_customer = Step(at, PlaceOrder("nobody", place.lines, place.shipping_address), "x")
    nothing = (OrderLineRequest("nothing", 1),)
    unknown_product = Step(at, PlaceOrder(place.customer_id, nothing, place.shipping_address), "y")
    before = await table_rows(engine), await event_log(engine)
    writer = SeedWriter(engine)
    for bad, code in (
        (Story(fresh, (placed, Step(at + timedelta(minutes=1), wrong_amount))), "VALIDATION"),
        (Story("x", (unknown_customer,)), "NOT_FOUND"),
        (Story("y", (unknown_product,)), "NOT_FOUND"),
    ):
        with pytest.raises(CommandRejected) as rejected:
            await writer.write([Story(f"ok-{code}", (Step(at, place, str(uuid.uuid4())),)), bad])
        assert rejected.value.errors[0].code.startswith(code)
    assert (await table_rows(engine), await event_log(engine)) == before


def place_total(place: PlaceOrder) -> Any:
    prices = {p.id: p.price for p in catalogue()}
    return sum(prices[line.product_id] * line.quantity for line in place.lines)
