"""The sales view on real servers: its numbers follow placements, cancellations, address
and category changes; a replayed batch and a rebuild end in the same documents; and the
documents always equal the ones computed from the write tables (the oracle)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from commands.messages import Address, CancelOrder, PayOrder, UpdateProduct, UpdateShippingAddress
from positions import ORIGIN, Position
from projections import dead_letters, sales
from projections.projector import Projector
from projections.rebuild import Rebuild
from projections.registry import SALES
from queries.consistency import ConsistencyTimeout
from queries.sales import SalesQueries
from queries.sales_report import SalesGroup, SalesReport, SalesRequest
from read_model.indices import ensure_index, live_index
from read_model.stamps import STAMP
from tests.support.actors import STAFF
from tests.support.world import World

pytestmark = [pytest.mark.anyio, pytest.mark.search]

TODAY = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def projector(world: World, batch_size: int = 50) -> Projector:
    return Projector(
        world.engine,
        world.search,
        SALES.prefix(world.prefix),
        batch_size=batch_size,
        projection=SALES,
    )


async def indexed(world: World) -> dict[str, dict[str, Any]]:
    alias = SALES.prefix(world.prefix)
    await world.search.refresh(alias)
    body = {"query": {"match_all": {}}, "size": 10_000, "_source": {"excludes": [STAMP]}}
    response = await world.search.search(alias, body)
    return {hit["_id"]: hit["_source"] for hit in response["hits"]["hits"]}


async def oracle(world: World) -> dict[str, Any]:
    async with world.engine.connect() as conn:
        return dict(await sales.load_sales_after(conn, "", 100_000))


async def report(world: World, *groups: SalesGroup) -> SalesReport:
    queries = SalesQueries(world.search, SALES.prefix(world.prefix))
    request = SalesRequest(TODAY, TODAY + timedelta(days=1), group_by=groups)
    return await queries.report(request, STAFF)


def rows(found: SalesReport) -> list[tuple[Any, ...]]:
    return [
        (r.product, r.category, r.country, r.units, r.orders, str(r.revenue), r.currency)
        for r in found.rows
    ]


async def shop(world: World) -> tuple[str, str, str]:
    await ensure_index(world.search, SALES.prefix(world.prefix), SALES.view)
    customer = await world.customer("Ada Lovelace", "ada@example.com")
    kettle = await world.product("KTL-1", "Kettle", "39.90", category="kitchen")
    mug = await world.product("MUG-1", "Mug", "5.00")
    return customer, kettle, mug


async def test_sales_follow_placements_cancellations_and_address_and_category_changes(
    world: World,
) -> None:
    customer, kettle, mug = await shop(world)
    first = await world.order(customer, [(kettle, 2), (mug, 3)], country="PL")
    second = await world.order(customer, [(kettle, 1)], country="DE")
    live = projector(world)
    await live.run_until_caught_up()
    found = await report(world, SalesGroup.PRODUCT, SalesGroup.COUNTRY)
    assert rows(found) == [
        ("KTL-1", "kitchen", "DE", 1, 1, "39.90", "EUR"),
        ("KTL-1", "kitchen", "PL", 2, 1, "79.80", "EUR"),
        ("MUG-1", None, "PL", 3, 1, "15.00", "EUR"),
    ]
    assert (found.units, found.orders, found.totals) == (6, 2, [(Decimal("134.70"), "EUR")])
    assert await indexed(world) == await oracle(world)

    await world.bus.dispatch(CancelOrder(order_id=second.id, reason="changed mind"), STAFF)
    moved = Address(name="A", line1="1 Rue", city="Lyon", postal_code="69001", country="FR")
    await world.bus.dispatch(UpdateShippingAddress(order_id=first.id, address=moved), STAFF)
    await world.bus.dispatch(UpdateProduct(product_id=kettle, category="home"), STAFF)
    await world.bus.dispatch(PayOrder(order_id=first.id, amount=Decimal("94.80")), STAFF)
    await world.product("KTL-2", "Kettle", "99.00")  # a price change later: revenue stays
    await live.run_until_caught_up()
    found = await report(world, SalesGroup.PRODUCT, SalesGroup.COUNTRY)
    assert rows(found) == [
        ("KTL-1", "home", "FR", 2, 1, "79.80", "EUR"),
        ("MUG-1", None, "FR", 3, 1, "15.00", "EUR"),
    ]
    assert (found.units, found.orders, found.totals) == (5, 1, [(Decimal("94.80"), "EUR")])
    by_category = await report(world, SalesGroup.CATEGORY)
    assert [(r.category, r.units, r.orders) for r in by_category.rows] == [
        (None, 3, 1),  # no category sorts first
        ("home", 2, 1),
    ]
    assert await indexed(world) == await oracle(world)


async def test_a_cancelled_orders_bucket_stays_with_an_empty_breakdown(world: World) -> None:
    customer, kettle, _ = await shop(world)
    placed = await world.order(customer, [(kettle, 1)])
    live = projector(world)
    await live.run_until_caught_up()
    await world.bus.dispatch(CancelOrder(order_id=placed.id, reason="no"), STAFF)
    await live.run_until_caught_up()
    documents = await indexed(world)
    assert documents == await oracle(world)
    assert len(documents) == 2 and all(doc["sales"] == [] for doc in documents.values())
    found = await report(world)
    assert (found.rows, found.units, found.orders, found.totals) == ([], 0, 0, [])


async def test_replaying_the_log_in_other_batches_ends_in_the_same_numbers(world: World) -> None:
    customer, kettle, mug = await shop(world)
    for n in range(6):
        placed = await world.order(customer, [(kettle, n + 1), (mug, 1)], country="PL")
        if n % 2:
            await world.bus.dispatch(CancelOrder(order_id=placed.id, reason="no"), STAFF)
    live = projector(world)
    await live.run_until_caught_up()
    before, numbers = await indexed(world), rows(await report(world, SalesGroup.PRODUCT))

    replay = projector(world, batch_size=3)  # the whole log again, cut differently
    replay.index = await live_index(world.search, SALES.prefix(world.prefix))
    replay.checkpoint = ORIGIN
    await replay.run_until_caught_up()
    assert await indexed(world) == before == await oracle(world)
    assert rows(await report(world, SalesGroup.PRODUCT)) == numbers
    assert numbers == [
        ("KTL-1", "kitchen", None, 1 + 3 + 5, 3, "359.10", "EUR"),
        ("MUG-1", None, None, 3, 3, "15.00", "EUR"),
    ]


async def test_a_rebuild_of_the_sales_view_equals_the_live_projection(world: World) -> None:
    customer, kettle, mug = await shop(world)
    for n in range(5):
        placed = await world.order(customer, [(kettle, 1), (mug, n + 1)], country="PL")
        if n == 2:
            await world.bus.dispatch(CancelOrder(order_id=placed.id, reason="no"), STAFF)
    await projector(world).run_until_caught_up()
    live = await indexed(world)
    async with world.engine.connect() as conn:
        assert await sales.count_sales(conn) == 3  # a day and two buckets
    rebuild = Rebuild(
        world.engine,
        world.search,
        SALES.prefix(world.prefix),
        progress=False,
        load_chunk=2,
        swap_grace=0,
        projection=SALES,
    )
    await rebuild.run()
    assert await indexed(world) == live == await oracle(world)


async def test_a_rejected_sales_bucket_is_parked_under_its_whole_id(world: World) -> None:
    doc_id = "2026-12-01|" + "0" * 36  # a day, a bar and a product id: 47 characters
    prefix = SALES.prefix(world.prefix)
    at = Position(0, 1)
    await dead_letters.record(world.engine, prefix, "sales-index", {doc_id: "400 mapping"}, at)
    assert await dead_letters.parked_ids(world.engine, "sales-index") == {doc_id}


async def test_a_token_counts_as_reached_once_the_sales_view_has_it(world: World) -> None:
    customer, kettle, _ = await shop(world)
    placed = await world.order(customer, [(kettle, 4)])
    await world.projector.run_until_caught_up()  # the order view has it, the sales view not
    queries = SalesQueries(world.search, SALES.prefix(world.prefix))
    request = SalesRequest(TODAY, TODAY + timedelta(days=1))
    with pytest.raises(ConsistencyTimeout):
        await queries.report(request, STAFF, wait=(placed.position, 200))
    await projector(world).run_until_caught_up()
    found = await queries.report(request, STAFF, wait=(placed.position, 5000))
    assert (found.units, found.orders) == (4, 1)
