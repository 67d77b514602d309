"""Disjunctive facets: each facet applies every filter except its own; hits get them all."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from queries.facets import (
    BUCKETS,
    FACET_NAMES,
    SHARED,
    aggregations,
    bucket_aggregations,
    facets_from,
)
from queries.search_request import OrderFilter, OrderSearch, build_search_body, filter_groups

ALL = OrderFilter(
    status=["PAID"],
    category=["books"],
    customer_id="c-1",
    product_id="p-1",
    sku="S-1",
    country="DE",
    placed_from=datetime(2024, 1, 1, tzinfo=UTC),
    total_max=Decimal("100"),
)
# The filter clause each facet owns (and ignores), in FACET_NAMES order.
OWN = {
    "status": {"terms": {"status": ["PAID"]}},
    "country": {"term": {"shippingAddress.country": {"value": "DE"}}},
    "category": {"terms": {"lines.category": ["books"]}},
    "placedMonth": {"range": {"placedAt": {"gte": "2024-01-01T00:00:00.000Z"}}},
    "totalRange": {"range": {"total": {"lte": "100"}}},
}


def facet_filter(body: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return applied_to(body["aggs"], name)


def applied_to(aggs: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """The filter clauses a facet's buckets are counted under, wherever it sits: a
    `filter` aggregation of its own, the SHARED one, or the top level (none)."""
    if name in aggs and set(aggs[name]) == {"filter", "aggs"}:
        assert aggs[name]["aggs"][BUCKETS] == bucket_aggregations()[name]
        return list(aggs[name]["filter"]["bool"]["filter"])
    if name in aggs.get(SHARED, {}).get("aggs", {}):
        assert aggs[SHARED]["aggs"][name] == bucket_aggregations()[name]
        return list(aggs[SHARED]["filter"]["bool"]["filter"])
    assert aggs[name] == bucket_aggregations()[name]
    return []


@pytest.mark.parametrize("name", FACET_NAMES)
def test_each_facet_ignores_its_own_filter_only(name: str) -> None:
    body = build_search_body(OrderSearch(text="kettle", filter=ALL))
    applied = facet_filter(body, name)
    assert OWN[name] not in applied
    assert applied == [clause for other, clause in OWN.items() if other != name]
    # Filters no facet owns are in the main query, so every facet and the hits get them.
    assert {"term": {"customer.id": {"value": "c-1"}}} in body["query"]["bool"]["filter"]
    assert {"term": {"lines.productId": {"value": "p-1"}}} in body["query"]["bool"]["filter"]
    assert {"term": {"lines.sku": {"value": "S-1"}}} in body["query"]["bool"]["filter"]


def test_hits_get_every_faceted_filter_through_post_filter() -> None:
    body = build_search_body(OrderSearch(filter=ALL))
    assert body["post_filter"]["bool"]["filter"] == list(OWN.values())


def test_without_filters_every_facet_counts_the_whole_query() -> None:
    body = build_search_body(OrderSearch(text="kettle"))
    for name in FACET_NAMES:
        assert facet_filter(body, name) == []


def test_one_facet_filter_leaves_its_own_facet_unfiltered() -> None:
    groups = filter_groups(OrderFilter(status=["PLACED"]))
    aggs = aggregations({k: v for k, v in groups.items() if k})
    assert aggs["status"]["filter"] == {"bool": {"filter": []}}
    for name in ("country", "category", "placedMonth", "totalRange"):
        assert applied_to(aggs, name) == [{"terms": {"status": ["PLACED"]}}]
    # The four count the hits: one shared filter, not one each (the engine filters once).
    assert set(aggs) == {"status", SHARED}


def test_facets_read_back_from_every_layout() -> None:
    bucket = {"key": "PAID", "doc_count": 3}
    layouts: list[dict[str, Any]] = [
        {"status": {BUCKETS: {"buckets": [bucket]}}},
        {SHARED: {"doc_count": 9, "status": {"buckets": [bucket]}}},
        {"status": {"buckets": [bucket]}},
    ]
    for raw in layouts:
        assert facets_from(raw)["status"] == [("PAID", 3)]


def test_bucketing_is_exact_and_in_utc() -> None:
    buckets = bucket_aggregations()
    assert buckets["country"]["terms"]["size"] >= 249  # every ISO 3166 code fits
    assert buckets["placedMonth"]["date_histogram"]["time_zone"] == "UTC"
    assert buckets["placedMonth"]["date_histogram"]["calendar_interval"] == "month"
    ranges = buckets["totalRange"]["range"]["ranges"]
    assert [r["key"] for r in ranges] == ["0-25", "25-100", "100-500", "500+"]
    assert all(a["to"] == b["from"] for a, b in itertools.pairwise(ranges))
