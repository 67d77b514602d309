"""Facet counts with the other filters applied, checked against separate filtered searches."""

from __future__ import annotations

import calendar
import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TypedDict

import pytest

from queries.facets import TOTAL_RANGES
from queries.handlers import OrderQueries
from queries.search_request import OrderFilter, OrderSearch
from search_engine.client import SearchClient
from tests.integration.queries.queries_testdata import ORDER_DOCUMENTS, PRODUCTS
from tests.support.actors import STAFF

pytestmark = pytest.mark.anyio

CASES = [
    (
        None,
        OrderFilter(
            status=["PAID", "SHIPPED", "DELIVERED"],
            country="DE",
            category=["apparel", "books"],
            total_min=Decimal("20"),
        ),
    ),
    (
        "example",
        OrderFilter(
            status=["PLACED", "CANCELLED"],
            category=["garden"],
            placed_from=datetime(2024, 1, 10, tzinfo=UTC),
            placed_to=datetime(2024, 3, 15, tzinfo=UTC),
            total_max=Decimal("300"),
        ),
    ),
    # productId belongs to no facet: every facet applies it.
    ("red", OrderFilter(country="FR", product_id=PRODUCTS[1]["id"], total_min=Decimal("1"))),
]
# The OrderFilter fields each facet owns (and ignores).
OWN_FIELDS = {
    "status": ("status",),
    "country": ("country",),
    "category": ("category",),
    "placedMonth": ("placed_from", "placed_to"),
    "totalRange": ("total_min", "total_max"),
}


@pytest.fixture
def queries(loaded: tuple[SearchClient, str]) -> OrderQueries:
    return OrderQueries(*loaded)


async def total(queries: OrderQueries, text: str | None, order_filter: OrderFilter) -> int:
    page = await queries.search_orders(OrderSearch(text=text, filter=order_filter, first=1), STAFF)
    return page.total_count


class FilterFields(TypedDict, total=False):
    """Some OrderFilter fields, as keywords for dataclasses.replace."""

    status: list[str]
    category: list[str]
    country: str
    placed_from: datetime
    placed_to: datetime
    total_min: Decimal | None
    total_max: Decimal | None


def selecting(facet: str, value: str) -> FilterFields:
    """The filter fields that select exactly one bucket of a facet."""
    if facet == "status":
        return {"status": [value]}
    if facet == "category":
        return {"category": [value]}
    if facet == "country":
        return {"country": value}
    if facet == "placedMonth":
        start = datetime.strptime(value, "%Y-%m").replace(tzinfo=UTC)
        days = calendar.monthrange(start.year, start.month)[1]
        end = start + timedelta(days=days) - timedelta(milliseconds=1)
        return {"placed_from": start, "placed_to": end}
    _, low, high = next(r for r in TOTAL_RANGES if r[0] == value)
    cent = Decimal("0.01")  # `to` is exclusive, totalMax inclusive; totals are in cents
    return {
        "total_min": None if low is None else Decimal(low),
        "total_max": None if high is None else Decimal(high) - cent,
    }


@pytest.mark.parametrize(("text", "order_filter"), CASES)
async def test_every_bucket_equals_a_search_with_the_other_filters_and_that_value(
    queries: OrderQueries, text: str | None, order_filter: OrderFilter
) -> None:
    page = await queries.search_orders(OrderSearch(text=text, filter=order_filter, first=1), STAFF)
    assert page.total_count == await total(queries, text, order_filter)
    checked = 0
    for facet, buckets in page.facets.items():
        without_own = dataclasses.replace(order_filter, **dict.fromkeys(OWN_FIELDS[facet], None))
        for value, count in buckets:
            selected = dataclasses.replace(without_own, **selecting(facet, value))
            assert count == await total(queries, text, selected), (facet, value)
            checked += 1
        if facet in ("status", "country", "placedMonth", "totalRange"):
            # One value per order: the buckets share out the orders without the own filter.
            assert sum(c for _, c in buckets) == await total(queries, text, without_own), facet
    assert checked >= 6


async def test_a_ticked_value_keeps_the_counts_of_its_siblings(queries: OrderQueries) -> None:
    everything = dict((await queries.search_orders(OrderSearch(first=1), STAFF)).facets["status"])
    ticked = await queries.search_orders(OrderSearch(filter=OrderFilter(status=["PAID"])), STAFF)
    assert dict(ticked.facets["status"]) == everything
    assert ticked.total_count == everything["PAID"]
    assert {d["status"] for d in ORDER_DOCUMENTS} == set(everything)
