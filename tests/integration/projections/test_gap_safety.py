"""Invariant 2 on PostgreSQL: concurrent transactions commit out of `seq` order,
and the projector still never skips an event."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from decimal import Decimal

import asyncpg
import pytest

from commands.messages import (
    Address,
    CancelOrder,
    PayOrder,
    ShipOrder,
    UpdateProduct,
    UpdateShippingAddress,
)
from positions import decode_token
from projections.projector import Projector
from read_model.progress import read_progress
from tests.integration.projections.test_projector import catch_up
from tests.support.actors import STAFF
from tests.support.world import World, running_world

pytestmark = [pytest.mark.anyio, pytest.mark.search, pytest.mark.postgres]

HOLD_LOCK = 4242

# Test-only triggers that stretch the window between taking a `seq` and committing.
BLOCK_ADDRESS_CHANGES = f"""
CREATE FUNCTION hold_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.type = 'ShippingAddressUpdated' THEN
    PERFORM pg_advisory_xact_lock_shared({HOLD_LOCK});
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER hold_event AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION hold_event();
"""
RANDOM_COMMIT_DELAY = """
CREATE FUNCTION delay_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_sleep(random() * 0.02); RETURN NEW; END $$;
CREATE TRIGGER delay_event AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION delay_event();
"""


def plain_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


@pytest.fixture
async def world(postgres_url: str, search_url: str, index_prefix: str) -> AsyncIterator[World]:
    async with running_world(postgres_url, search_url, index_prefix) as w:
        yield w


async def test_a_slow_transaction_holding_a_lower_seq_is_not_skipped(
    world: World, postgres_url: str
) -> None:
    customer = await world.customer("Cleo Park", "cleo@example.com")
    lamp = await world.product("LAMP-1", "Desk Lamp", "30.00", "home")
    slow_order = (await world.order(customer, [(lamp, 1)])).id
    fast_order = (await world.order(customer, [(lamp, 2)])).id
    await catch_up(world)

    admin = await asyncpg.connect(plain_dsn(postgres_url))
    try:
        await admin.execute(BLOCK_ADDRESS_CHANGES)
        await admin.execute(f"SELECT pg_advisory_lock({HOLD_LOCK})")
        new_address = Address(
            name="Cleo", line1="9 Elm St", city="Oslo", postal_code="0150", country="NO"
        )
        slow = asyncio.create_task(
            world.bus.dispatch(
                UpdateShippingAddress(order_id=slow_order, address=new_address), STAFF
            )
        )
        await wait_until_blocked(admin)
        fast = await world.bus.dispatch(CancelOrder(order_id=fast_order, reason="too slow"), STAFF)

        await world.projector.run_until_caught_up()
        progress = await read_progress(world.search, world.prefix)
        assert progress < decode_token(fast.position), "must wait for the open transaction"

        await admin.execute(f"SELECT pg_advisory_unlock({HOLD_LOCK})")
        slow_result = await slow
    finally:
        await admin.close()

    await catch_up(world)
    progress = await read_progress(world.search, world.prefix)
    assert progress >= decode_token(fast.position)
    assert progress >= decode_token(slow_result.position)
    docs = await world.indexed()
    assert docs[slow_order]["shippingAddress"]["city"] == "Oslo"
    assert docs[fast_order]["status"] == "CANCELLED"
    assert docs == await world.oracle()


async def wait_until_blocked(admin: asyncpg.Connection) -> None:
    for _ in range(200):
        waiting = await admin.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        )
        if waiting:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the slow command never reached its event insert")


async def test_eight_concurrent_writers_with_the_projector_running(
    world: World, postgres_url: str
) -> None:
    await eight_writers_while_projecting(world, postgres_url, world.projector)
    docs = await world.indexed()
    assert len(docs) == 8 * 6
    assert docs == await world.oracle()


async def eight_writers_while_projecting(
    world: World, postgres_url: str, projector: Projector
) -> None:
    """Eight writers commit out of seq order (random commit delays) while `projector`
    runs; returns once it has published the newest of their positions."""
    admin = await asyncpg.connect(plain_dsn(postgres_url))
    try:
        await admin.execute(RANDOM_COMMIT_DELAY)
    finally:
        await admin.close()
    shared = await world.product("SHARED-1", "Shared Widget", "5.00", "misc")
    stop = asyncio.Event()
    running = asyncio.create_task(projector.run_forever(stop))

    results = await asyncio.gather(*(writer(world, n, shared) for n in range(8)))

    head = max(decode_token(p) for positions in results for p in positions)
    for _ in range(600):
        if await read_progress(world.search, projector.prefix) >= head:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await running
    assert await read_progress(world.search, projector.prefix) >= head


async def writer(world: World, n: int, shared: str) -> list[str]:
    """One writer's story: a customer, a product, orders moved through their lifecycle."""
    rng = random.Random(n)
    customer = await world.customer(f"Writer {n}", f"writer{n}@example.com")
    own = await world.product(f"OWN-{n}", f"Own Thing {n}", "2.50", "misc")
    positions = []
    for i in range(6):
        placed = await world.order(customer, [(own, 1 + i), (shared, 1)])
        positions.append(placed.position)
        total = Decimal("2.50") * (1 + i) + Decimal("5.00")
        step = rng.choice(["pay", "ship", "cancel", "none"])
        if step in ("pay", "ship"):
            positions.append(
                (await world.bus.dispatch(PayOrder(placed.id, amount=total), STAFF)).position
            )
        if step == "ship":
            ship = ShipOrder(placed.id, carrier="UPS", tracking_number=f"1Z{n}{i}")
            positions.append((await world.bus.dispatch(ship, STAFF)).position)
        if step == "cancel":
            cancel = CancelOrder(placed.id, reason="no longer needed")
            positions.append((await world.bus.dispatch(cancel, STAFF)).position)
    rename = UpdateProduct(shared, name=f"Shared Widget by {n}")
    positions.append((await world.bus.dispatch(rename, STAFF)).position)
    return positions
