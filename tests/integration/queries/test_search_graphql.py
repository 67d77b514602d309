"""What a GraphiQL user sees: one filtered, faceted, sorted, paged search, and suggestions,
executed by the real schema on a real index."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from queries.handlers import OrderQueries
from schema.build import build_schema
from schema.context import Context
from search_engine.client import SearchClient
from tests.integration.queries.relevance_testdata import BY_KEY, key_of
from tests.support.actors import STAFF

pytestmark = pytest.mark.anyio

SEARCH_PAGE = """
query Page($after: String) {
  orders(
    search: "Anna"
    filter: {status: [PLACED, PAID, SHIPPED], country: "DE", totalMin: "5.00"}
    sort: [{field: TOTAL, direction: DESC}]
    first: 2
    after: $after
  ) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      node { id status total customer { name } shippingAddress { city country } }
      highlights { field fragments }
    }
    facets {
      status { value count }
      country { value count }
      category { value count }
      placedMonth { value count }
      totalRange { value count }
    }
  }
}
"""
SUGGEST = """
query Suggest($prefix: String!, $first: Int) {
  orderSuggestions(prefix: $prefix, first: $first) { kind value orderCount orderId }
}
"""


@pytest.fixture
def run(relevance: tuple[SearchClient, str]) -> Any:
    schema = build_schema(query_cache_size=8)
    services = SimpleNamespace(queries=OrderQueries(*relevance))

    async def execute(query: str, **variables: Any) -> tuple[Any, list[Any]]:
        context = Context(api=services, request=None, principal=STAFF)  # type: ignore[arg-type]
        result = await schema.execute(query, variable_values=variables, context_value=context)
        return result.data, [error.formatted for error in result.errors or []]

    return execute


async def test_one_query_filters_facets_sorts_and_pages(run: Any) -> None:
    data, errors = await run(SEARCH_PAGE)
    assert errors == []
    first = data["orders"]
    # Anna Schmidt's and Anna Becker's orders shipped to Germany (Berlin).
    assert first["totalCount"] == 3
    assert first["pageInfo"]["hasNextPage"] is True
    totals = [edge["node"]["total"] for edge in first["edges"]]
    assert totals == sorted(totals, key=float, reverse=True)
    edge = first["edges"][0]
    assert edge["node"]["shippingAddress"] == {"city": "Berlin", "country": "DE"}
    assert {"field": "customer.name", "fragments": ["<em>Anna</em> Schmidt"]} in edge[
        "highlights"
    ] or {"field": "customer.name", "fragments": ["<em>Anna</em> Becker"]} in edge["highlights"]
    facets = first["facets"]
    # Country ignores its own filter: Anna's Gdańsk and London orders still count.
    assert {b["value"]: b["count"] for b in facets["country"]} == {"DE": 3, "PL": 1, "GB": 1}
    assert sum(b["count"] for b in facets["status"]) == 3

    data, errors = await run(SEARCH_PAGE, after=first["pageInfo"]["endCursor"])
    assert errors == []
    rest = data["orders"]
    assert rest["pageInfo"] == {"hasNextPage": False, "endCursor": rest["edges"][0]["cursor"]}
    keys = {key_of(e["node"]["id"]) for e in first["edges"] + rest["edges"]}
    assert keys == {"anna-1", "anna-2", "annab-1"}


async def test_suggestions_through_graphql(run: Any) -> None:
    data, errors = await run(SUGGEST, prefix="jos")
    assert errors == []
    assert data["orderSuggestions"] == [
        {"kind": "CUSTOMER_NAME", "value": "José Müller", "orderCount": 2, "orderId": None},
        {"kind": "CUSTOMER_NAME", "value": "Josef Mueller", "orderCount": 1, "orderId": None},
        {"kind": "EMAIL", "value": "josef.mueller@example.com", "orderCount": 1, "orderId": None},
    ]
    order_id = BY_KEY["marg-1"]["id"]
    data, errors = await run(SUGGEST, prefix=order_id[:8], first=1)
    assert errors == []
    assert data["orderSuggestions"] == [
        {"kind": "ORDER_ID", "value": order_id, "orderCount": 1, "orderId": order_id}
    ]


async def test_bad_suggestion_input_is_a_user_error(run: Any) -> None:
    data, errors = await run(SUGGEST, prefix="a", first=0)
    assert data is None
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
