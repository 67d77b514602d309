"""Projector invariants on SQLite and PostgreSQL with a real search node.

3: idempotent, crash-safe projection; 4: read model equals write model;
5: customer and product changes fan out; 6: queries need only the index.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import anyio
import pytest

from commands.messages import (
    Address,
    CancelOrder,
    PayOrder,
    ShipOrder,
    UpdateCustomer,
    UpdateProduct,
    UpdateShippingAddress,
)
from positions import Position, decode_token
from projections import source
from projections.projector import Loaded, Projector
from queries.consistency import ConsistencyTimeout
from queries.search_request import OrderSearch
from read_model.indices import drop_all, ensure_index
from read_model.progress import read_progress
from tests.support.actors import STAFF
from tests.support.world import World

pytestmark = [pytest.mark.anyio, pytest.mark.search]


async def catch_up(world: World, projector: Projector | None = None) -> int:
    """Project until the checkpoint passes the log's head; returns the events projected.

    `run_until_caught_up` alone can stop early on a shared PostgreSQL server: the snapshot
    horizon is cluster-wide, so another database's open transaction holds it back a moment.
    """
    projector = projector or world.projector
    async with world.engine.connect() as conn:
        target = await source.head(conn)
    total = 0
    for _ in range(1200):
        total += await projector.run_until_caught_up()
        if projector.checkpoint is not None and projector.checkpoint >= target:
            return total
        await anyio.sleep(0.05)
    raise AssertionError(f"the projector never reached {tuple(target)}")


async def make_history(w: World, orders: int = 12) -> list[str]:
    """Customers, products and orders in every state, through the real command path."""
    ana = await w.customer("Ana Souza", "ana@example.com")
    bob = await w.customer("Bob Stone", "bob@example.com")
    mug = await w.product("MUG-1", "Blue Mug", "9.50", "kitchen")
    tee = await w.product("TEE-2", "Plain Tee", "15.00", "apparel")
    ids = []
    for i in range(orders):
        placed = await w.order(ana if i % 2 else bob, [(mug, 1 + i % 3), (tee, 1)])
        ids.append(placed.id)
        total = Decimal("9.50") * (1 + i % 3) + Decimal("15.00")
        if i % 4 == 1:
            await w.bus.dispatch(PayOrder(order_id=placed.id, amount=total), STAFF)
        if i % 4 == 2:
            await w.bus.dispatch(PayOrder(order_id=placed.id, amount=total), STAFF)
            await w.bus.dispatch(
                ShipOrder(placed.id, carrier="DHL", tracking_number=f"TRK{i:04}"), STAFF
            )
        if i % 4 == 3:
            await w.bus.dispatch(CancelOrder(order_id=placed.id, reason="changed my mind"), STAFF)
    return ids


async def test_read_model_equals_write_model(world: World) -> None:
    ids = await make_history(world)
    new_address = Address(
        name="Ana", line1="2 Via Roma", city="Torino", postal_code="10121", country="IT"
    )
    await world.bus.dispatch(UpdateShippingAddress(order_id=ids[0], address=new_address), STAFF)

    projected = await catch_up(world)

    oracle = await world.oracle()
    indexed = await world.indexed()
    assert projected > len(ids)
    assert sorted(indexed) == sorted(ids)
    for order_id, expected in oracle.items():
        assert indexed[order_id] == expected, order_id
    assert indexed[ids[0]]["shippingAddress"]["city"] == "Torino"
    assert {d["status"] for d in indexed.values()} == {"PLACED", "PAID", "SHIPPED", "CANCELLED"}


async def test_customer_and_product_changes_reach_every_order(world: World) -> None:
    ids = await make_history(world, orders=8)
    await catch_up(world)
    docs = await world.indexed()
    ana_id = next(
        d["customer"]["id"] for d in docs.values() if d["customer"]["name"] == "Ana Souza"
    )
    mug_id = next(
        ln["productId"] for d in docs.values() for ln in d["lines"] if ln["sku"] == "MUG-1"
    )

    await world.bus.dispatch(
        UpdateCustomer(ana_id, name="Ana Lima", email="ana.lima@example.com"), STAFF
    )
    await world.bus.dispatch(
        UpdateProduct(mug_id, name="Green Mug", category="tableware", price=Decimal("12.00")), STAFF
    )
    await catch_up(world)

    docs = await world.indexed()
    ana_orders = [d for d in docs.values() if d["customer"]["id"] == ana_id]
    assert len(ana_orders) == len(ids) // 2
    assert all(d["customer"]["name"] == "Ana Lima" for d in ana_orders)
    assert all(d["customer"]["email"] == "ana.lima@example.com" for d in ana_orders)
    mug_lines = [ln for d in docs.values() for ln in d["lines"] if ln["productId"] == mug_id]
    assert len(mug_lines) == len(ids)
    assert {(ln["productName"], ln["category"]) for ln in mug_lines} == {("Green Mug", "tableware")}
    assert {ln["unitPrice"] for ln in mug_lines} == {"9.50"}, "placed prices never change"
    assert docs == await world.oracle()


class CrashAt(Exception):
    pass


class CrashingProjector(Projector):
    """Dies at a chosen point of its N-th batch, like a process killed there."""

    def __init__(self, *args: Any, point: str, on_batch: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.point, self.on_batch, self.batches = point, on_batch, 0

    async def _write(self, documents: Loaded) -> None:
        self.batches += 1
        if self.point == "before_write" and self.batches == self.on_batch:
            raise CrashAt(self.point)
        await super()._write(documents)
        if self.point == "after_write" and self.batches == self.on_batch:
            raise CrashAt(self.point)

    async def _commit(self, position: Position) -> None:
        await super()._commit(position)
        if self.point == "after_checkpoint" and self.batches == self.on_batch:
            raise CrashAt(self.point)


@pytest.mark.parametrize("point", ["before_write", "after_write", "after_checkpoint"])
async def test_crash_and_restart_ends_in_the_same_index(world: World, point: str) -> None:
    await make_history(world, orders=16)
    crashing = world.new_projector(CrashingProjector, point=point, on_batch=2, batch_size=7)
    with pytest.raises(CrashAt):
        await crashing.run_until_caught_up()
    before = await read_progress(world.search, world.prefix)

    restarted = world.new_projector(batch_size=7)
    await catch_up(world, restarted)

    after = await read_progress(world.search, world.prefix)
    assert after > before
    assert await world.indexed() == await world.oracle()
    assert await world.indexed() == await uninterrupted_run(world)


async def uninterrupted_run(world: World) -> dict[str, dict[str, object]]:
    """The documents a fresh projector writes into a second index in one clean run."""
    clean = World(**{**world.__dict__, "prefix": world.prefix + "-clean"})
    await ensure_index(world.search, clean.prefix)
    try:
        await catch_up(clean, clean.new_projector(batch_size=500))
        return await clean.indexed()
    finally:
        await drop_all(world.search, clean.prefix)


async def test_queries_answer_from_the_index_alone(
    world: World, database_url: str, index_prefix: str
) -> None:
    ids = await make_history(world, orders=4)
    last = await world.bus.dispatch(CancelOrder(order_id=ids[0], reason="duplicate order"), STAFF)

    with pytest.raises(ConsistencyTimeout):
        await world.queries.wait_for(last.position, timeout_ms=300)
    await catch_up(world)
    await world.engine.dispose()
    await drop_database(database_url)

    await world.queries.wait_for(last.position, timeout_ms=2000)
    order = await world.queries.get_order(ids[0], STAFF)
    assert order is not None and order["status"] == "CANCELLED"
    cancellation = order["cancellation"]
    assert cancellation is not None and cancellation["reason"] == "duplicate order"
    page = await world.queries.search_orders(
        OrderSearch(text="Ana Souza", filter=None, sort=[], first=20, after=None), STAFF
    )
    assert page.total_count == 2
    assert decode_token(last.position) <= await read_progress(world.search, index_prefix)


async def drop_database(database_url: str) -> None:
    """Make the write store truly unreachable: delete the SQLite file or the PG database."""
    if database_url.startswith("sqlite"):
        await anyio.Path(database_url.split("///", 1)[1]).unlink()
        return
    import asyncpg

    server, name = database_url.replace("postgresql+asyncpg", "postgresql").rsplit("/", 1)
    conn = await asyncpg.connect(server + "/postgres")
    try:
        await conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        await conn.close()
