"""Facet aggregations of an order search, computed disjunctively, and their buckets.

Each facet counts the orders matching the text and every filter *except its own*, so a
frontend can show, next to each checkbox, how many orders ticking it would add:

| facet         | ignores the filter        |
|---------------|---------------------------|
| `status`      | `status`                  |
| `country`     | `country`                 |
| `category`    | `category`                |
| `placedMonth` | `placedFrom`, `placedTo`  |
| `totalRange`  | `totalMin`, `totalMax`    |

`customerId`, `productId` and `sku` belong to no facet, so every facet applies them
(`productId`/`sku` narrow the orders, not the categories counted on them: an order with
that product counts for all of its categories). The hits themselves get every filter
through `post_filter`, which leaves the aggregations alone.

As cheaply as these semantics allow: every facet whose own filter is not set counts
exactly the hits, so those facets share one `filter` aggregation (SHARED) applying every
faceted filter, and with no faceted filter at all they are top-level aggregations of the
query itself. Only a facet with a filter of its own gets a `filter` aggregation of its
own; the engine then evaluates one filter per facet filter set, plus one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

FACET_NAMES = ("status", "country", "category", "placedMonth", "totalRange")
BUCKETS = "values"  # the sub-aggregation under a facet's own `filter` aggregation
SHARED = "unfiltered"  # the `filter` aggregation of the facets whose own filter is unset

# (label, from, to): `from` inclusive, `to` exclusive, in the order currency.
TOTAL_RANGES: tuple[tuple[str, float | None, float | None], ...] = (
    ("0-25", None, 25),
    ("25-100", 25, 100),
    ("100-500", 100, 500),
    ("500+", 500, None),
)

Facets = dict[str, list[tuple[str, int]]]
Clauses = Sequence[dict[str, Any]]


def bucket_aggregations() -> dict[str, dict[str, Any]]:
    """The bucketing aggregation of each facet (counts are orders, not lines)."""
    return {
        "status": {"terms": {"field": "status", "size": 10}},
        # 250 covers every ISO 3166 country: a ticked country always keeps its bucket.
        "country": {"terms": {"field": "shippingAddress.country", "size": 250}},
        "category": {"terms": {"field": "lines.category", "size": 100}},
        "placedMonth": {
            "date_histogram": {
                "field": "placedAt",
                "calendar_interval": "month",
                "format": "yyyy-MM",
                "time_zone": "UTC",
                "min_doc_count": 1,
            }
        },
        "totalRange": {"range": {"field": "total", "ranges": [_range(*r) for r in TOTAL_RANGES]}},
    }


def aggregations(filters_by_facet: Mapping[str, Clauses]) -> dict[str, Any]:
    """Per facet, its buckets over the query and the other facets' filter clauses.

    `filters_by_facet` maps a facet name to the clauses of the filter it owns; clauses
    every facet applies belong in the main query instead.
    """
    every = [c for clauses in filters_by_facet.values() for c in clauses]
    aggs: dict[str, Any] = {}
    shared: dict[str, Any] = {}
    for name, bucketing in bucket_aggregations().items():
        if not filters_by_facet.get(name):  # ignores nothing that is set: counts the hits
            shared[name] = bucketing
            continue
        others = [c for owner, cs in filters_by_facet.items() if owner != name for c in cs]
        aggs[name] = {"filter": {"bool": {"filter": others}}, "aggs": {BUCKETS: bucketing}}
    if shared and every:
        aggs[SHARED] = {"filter": {"bool": {"filter": every}}, "aggs": shared}
    else:
        aggs |= shared
    return aggs


def facet_buckets(aggs: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    """A facet's raw buckets, wherever `aggregations` put it."""
    if name in aggs:
        node = aggs[name]
        node = node.get(BUCKETS, node)
    else:
        node = aggs.get(SHARED, {}).get(name, {})
    return list(node.get("buckets", []))


def _range(label: str, start: float | None, end: float | None) -> dict[str, Any]:
    bucket: dict[str, Any] = {"key": label}
    if start is not None:
        bucket["from"] = start
    if end is not None:
        bucket["to"] = end
    return bucket


def facets_from(aggs: dict[str, Any] | None) -> Facets:
    """Non-empty buckets per facet: terms by count, months and ranges in order."""
    aggs = aggs or {}
    facets: Facets = {}
    for name in FACET_NAMES:
        facets[name] = [
            (str(b.get("key_as_string", b["key"])), int(b["doc_count"]))
            for b in facet_buckets(aggs, name)
            if b["doc_count"] > 0
        ]
    return facets
