"""`salesReport` over orders spread across weeks and months equals the same report computed
from the write tables, for every interval and every grouping; the range's ends are whole
UTC days, `from` inclusive and `to` exclusive."""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, update

from commands.messages import CancelOrder
from database.tables import order_lines, orders, products
from demo.plan import DEFAULT_UNTIL, WINDOW
from demo.seed import seed_demo_data
from projections import sales
from projections.projector import Projector
from projections.rebuild import Rebuild
from projections.registry import SALES
from queries import sales_report
from queries.errors import InvalidQuery
from queries.sales import SalesQueries
from queries.sales_report import SalesGroup, SalesInterval, SalesRequest, SalesRow
from read_model.indices import ensure_index
from read_model.stamps import STAMP
from tests.integration.projections.test_projector import catch_up
from tests.support.actors import STAFF
from tests.support.world import World

pytestmark = [pytest.mark.anyio, pytest.mark.search]

FIRST_DAY = date(2026, 11, 24)  # orders from here, over 20 days (weeks 48 to 51, 2 months)
START = datetime(2026, 11, 26, tzinfo=UTC)  # a Thursday
END = datetime(2026, 12, 9, tzinfo=UTC)
GROUPINGS = [combo for n in range(4) for combo in itertools.combinations(list(SalesGroup), n)]


def period(day: date, interval: SalesInterval) -> str:
    if interval is SalesInterval.WEEK:
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return day.isoformat() if interval is SalesInterval.DAY else day.isoformat()[:7]


def none_first(value: Any) -> tuple[bool, Any]:
    return (value is not None, value)


async def expected(
    world: World,
    interval: SalesInterval,
    groups: tuple[SalesGroup, ...],
    start: datetime = START,
    end: datetime = END,
) -> list[SalesRow]:
    """The report from the write tables: lines of orders not cancelled in [start, end)."""
    query = (
        select(
            orders,
            order_lines.c.quantity,
            order_lines.c.line_total,
            products.c.sku,
            products.c.category,
        )
        .select_from(orders.join(order_lines).join(products))
        .where(orders.c.status != "CANCELLED")
    )
    by_product = SalesGroup.PRODUCT in groups or SalesGroup.CATEGORY in groups
    units: dict[tuple[Any, ...], int] = defaultdict(int)
    revenue: dict[tuple[Any, ...], Decimal] = defaultdict(Decimal)
    counted: dict[tuple[Any, ...], set[tuple[str, str]]] = defaultdict(set)
    async with world.engine.connect() as conn:
        for row in await conn.execute(query):
            placed = (
                row.placed_at.replace(tzinfo=UTC) if row.placed_at.tzinfo is None else row.placed_at
            )
            if not start <= placed < end:
                continue
            key = (
                period(placed.astimezone(UTC).date(), interval),
                row.sku if SalesGroup.PRODUCT in groups else None,
                row.category if by_product else None,
                row.ship_country if SalesGroup.COUNTRY in groups else None,
                row.currency,
            )
            units[key] += row.quantity
            revenue[key] += row.line_total
            # Product rows count an order per product line; the others each order once.
            counted[key].add((row.id, row.sku if by_product else ""))
    keys = sorted(units, key=lambda k: tuple(none_first(v) for v in k))
    return [
        SalesRow(
            period=k[0],
            product=k[1],
            category=k[2],
            country=k[3],
            units=units[k],
            orders=len(counted[k]),
            revenue=revenue[k],
            currency=k[4],
        )
        for k in keys
    ]


async def test_the_report_equals_the_write_tables_for_every_interval_and_grouping(
    world: World,
) -> None:
    prefix = SALES.prefix(world.prefix)
    await ensure_index(world.search, prefix, SALES.view)
    rng = random.Random(11)
    buyer = await world.customer("Ada", "ada@example.com")
    catalogue = [
        await world.product("KTL-1", "Kettle", "39.90", category="kitchen"),
        await world.product("PAN-1", "Pan", "24.50", category="kitchen"),
        await world.product("MUG-1", "Mug", "5.00"),
        await world.product("LMP-1", "Lamp", "61.25", category="home", currency="PLN"),
    ]
    for n in range(40):
        chosen = rng.sample(catalogue[:3], rng.randint(1, 3)) if n % 5 else catalogue[3:]
        placed = await world.order(
            buyer, [(p, rng.randint(1, 4)) for p in chosen], country=rng.choice(["PL", "DE", "FR"])
        )
        at = datetime.combine(FIRST_DAY, datetime.min.time(), tzinfo=UTC) + timedelta(
            days=n // 2, hours=rng.randint(0, 23), minutes=rng.randint(0, 59)
        )
        async with world.engine.begin() as conn:  # as if placed then: the view reads the rows
            await conn.execute(update(orders).where(orders.c.id == placed.id).values(placed_at=at))
        if n % 7 == 3:
            await world.bus.dispatch(CancelOrder(order_id=placed.id, reason="no"), STAFF)
    await Projector(world.engine, world.search, prefix, projection=SALES).run_until_caught_up()

    queries = SalesQueries(world.search, prefix)
    for interval, groups in itertools.product(SalesInterval, GROUPINGS):
        found = await queries.report(SalesRequest(START, END, interval, groups), STAFF)
        assert found.rows == await expected(world, interval, groups), (interval, groups)
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for row in await expected(world, interval, ()):
            totals[row.currency] += row.revenue
        assert found.totals == [(amount, currency) for currency, amount in sorted(totals.items())]
        assert found.units == sum(r.units for r in found.rows)
        assert found.orders == sum(r.orders for r in await expected(world, SalesInterval.DAY, ()))

    weeks = await queries.report(SalesRequest(START, END, SalesInterval.WEEK), STAFF)
    assert {r.period for r in weeks.rows} == {"2026-W48", "2026-W49", "2026-W50"}
    months = await queries.report(SalesRequest(START, END, SalesInterval.MONTH), STAFF)
    assert [(r.period, r.currency) for r in months.rows] == [
        ("2026-11", "EUR"),
        ("2026-11", "PLN"),
        ("2026-12", "EUR"),
        ("2026-12", "PLN"),
    ]
    only_pln = await queries.report(SalesRequest(START, END, currency="PLN"), STAFF)
    assert {r.currency for r in only_pln.rows} == {"PLN"}
    assert [c for _, c in only_pln.totals] == ["PLN"]


async def test_the_report_over_seeded_data_equals_the_write_tables(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 300 orders make at most ~500 rows: a lower limit here refuses the largest reports.
    monkeypatch.setattr(sales_report, "MAX_ROWS", 400)
    refused = 0
    prefix = SALES.prefix(world.prefix)
    await ensure_index(world.search, prefix, SALES.view)
    await seed_demo_data(world.engine, orders=300, seed=11, progress=False)
    await catch_up(world, Projector(world.engine, world.search, prefix, projection=SALES))
    queries = SalesQueries(world.search, prefix)
    whole = (DEFAULT_UNTIL - WINDOW, DEFAULT_UNTIL)
    last_quarter = (DEFAULT_UNTIL - timedelta(days=91), DEFAULT_UNTIL)
    combinations = list(itertools.product((whole, last_quarter), SalesInterval, GROUPINGS))
    for (start, end), interval, groups in combinations:
        wanted = await expected(world, interval, groups, start, end)
        request = SalesRequest(start, end, interval, groups)
        if len(wanted) > sales_report.MAX_ROWS:
            with pytest.raises(InvalidQuery, match="more than 400 rows"):
                await queries.report(request, STAFF)
            refused += 1
            continue
        found = await queries.report(request, STAFF)
        assert found.rows == wanted, (start, interval, groups)
        by_day = await expected(world, SalesInterval.DAY, (), start, end)
        assert found.orders == sum(r.orders for r in by_day)
        assert found.totals == [(sum((r.revenue for r in by_day), Decimal("0.00")), "EUR")]
    assert 0 < refused < len(combinations)  # both paths ran

    # The rebuild's id-ordered load, in small chunks across days, writes the same documents.
    live = await documents(world, prefix)
    async with world.engine.connect() as conn:
        assert await sales.count_sales(conn) == len(live)
    rebuild = Rebuild(
        world.engine,
        world.search,
        prefix,
        progress=False,
        load_chunk=37,
        swap_grace=0,
        projection=SALES,
    )
    await rebuild.run()
    assert await documents(world, prefix) == live


async def documents(world: World, prefix: str) -> dict[str, Any]:
    await world.search.refresh(prefix)
    body = {"query": {"match_all": {}}, "size": 10_000, "_source": {"excludes": [STAMP]}}
    response = await world.search.search(prefix, body)
    return {hit["_id"]: hit["_source"] for hit in response["hits"]["hits"]}
