"""The views section of `orders bench` times the views' queries next to "the same answer
computed from order documents" (benchmarks/order_answers.py). That comparison is only
fair if the answers are the same: on seeded data, each report kind the section times and a
customer search give the views' figures when computed from the order index."""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks import order_answers
from benchmarks.views import REPORTS
from demo.plan import DEFAULT_UNTIL
from demo.seed import seed_demo_data
from projections.projector import Projector
from projections.registry import CUSTOMERS, SALES
from queries.customer_search import CustomerSearch
from queries.customers import CustomerQueries
from queries.sales import SalesQueries
from queries.sales_report import SalesReport
from read_model.indices import ensure_index
from read_model.names import alias
from tests.integration.projections.test_projector import catch_up
from tests.support.actors import STAFF
from tests.support.world import World

pytestmark = [pytest.mark.anyio, pytest.mark.search]


async def seeded(world: World) -> None:
    await seed_demo_data(world.engine, orders=250, seed=5, progress=False)
    await catch_up(world)
    for projection in (SALES, CUSTOMERS):
        prefix = projection.prefix(world.prefix)
        await ensure_index(world.search, prefix, projection.view)
        projector = Projector(world.engine, world.search, prefix, projection=projection)
        await catch_up(world, projector)
    for prefix in (world.prefix, SALES.prefix(world.prefix), CUSTOMERS.prefix(world.prefix)):
        await world.search.refresh(alias(prefix))


def as_graphql(report: SalesReport) -> dict[str, Any]:
    """The report's rows as the GraphQL answer holds them (schema/sales.py)."""
    return {
        "rows": [
            {
                "period": r.period,
                "product": r.product,
                "country": r.country,
                "units": r.units,
                "orders": r.orders,
                "revenue": {"amount": str(r.revenue), "currency": r.currency},
            }
            for r in report.rows
        ]
    }


async def test_every_timed_report_is_the_same_from_order_documents(world: World) -> None:
    await seeded(world)
    sales = SalesQueries(world.search, alias(SALES.prefix(world.prefix)))
    orders = alias(world.prefix)

    async def search(body: dict[str, Any]) -> dict[str, Any]:
        return await world.search.search(orders, body)

    compared = 0
    for report in REPORTS:
        for variables in report.variables(DEFAULT_UNTIL)[:4]:
            view = order_answers.rows_of_report(
                as_graphql(await sales.report(report.request(variables), STAFF))
            )
            if variables["groupBy"] == ["PRODUCT"]:
                theirs = await order_answers.product_report(search, variables)
            else:
                answer = await search(order_answers.report_aggregation_body(variables))
                theirs = order_answers.rows_of_aggregation(answer, variables["interval"])
            assert view == theirs, (report.label, variables["from"])
            compared += len(view)
    assert compared > 40  # the ranges hold sales: the comparison compared something


async def test_a_customer_search_gives_the_views_figures_from_order_documents(
    world: World,
) -> None:
    await seeded(world)
    view = CustomerQueries(world.search, alias(CUSTOMERS.prefix(world.prefix)))
    page = await view.search_customers(CustomerSearch(text=None, first=30), STAFF)
    shared = agreeing = 0
    for hit in page.edges:
        name = hit.document["name"]
        found = await view.search_customers(CustomerSearch(text=name, first=20), STAFF)
        ours = order_answers.summaries_of_view(
            {"edges": [as_edge(h.document) for h in found.edges]}
        )
        answer = await world.search.search(
            alias(world.prefix), order_answers.customers_body(name, 20)
        )
        same, both = order_answers.summaries_agree(ours, order_answers.summaries_of_orders(answer))
        shared, agreeing = shared + both, agreeing + same
        if hit.document["orderCount"]:
            assert hit.document["id"] in order_answers.summaries_of_orders(answer)
    assert shared >= 20 and agreeing == shared


def as_edge(document: Any) -> dict[str, Any]:
    """A customer document as the GraphQL `customers` edge holds it (schema/customers.py)."""
    return {
        "node": {
            "id": document["id"],
            "orderCount": document["orderCount"],
            "ordersByStatus": [
                {"value": s["status"], "count": s["count"]} for s in document["ordersByStatus"]
            ],
            "lifetimeValue": document["lifetimeValue"],
            "lastOrderAt": document["lastOrderAt"],
            "countries": document["countries"],
        }
    }
