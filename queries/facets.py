"""Facet aggregations of an order search and the mapping of their buckets."""

from __future__ import annotations

from typing import Any

FACET_NAMES = ("status", "country", "category", "placedMonth", "totalRange")

# (label, from, to): `from` inclusive, `to` exclusive, in the order currency.
TOTAL_RANGES: tuple[tuple[str, float | None, float | None], ...] = (
    ("0-25", None, 25),
    ("25-100", 25, 100),
    ("100-500", 100, 500),
    ("500+", 500, None),
)

Facets = dict[str, list[tuple[str, int]]]


def aggregations() -> dict[str, Any]:
    """Aggregations computed on the filtered query (counts are orders, not lines)."""
    return {
        "status": {"terms": {"field": "status", "size": 10}},
        "country": {"terms": {"field": "shippingAddress.country", "size": 50}},
        "category": {"terms": {"field": "lines.category", "size": 50}},
        "placedMonth": {
            "date_histogram": {
                "field": "placedAt",
                "calendar_interval": "month",
                "format": "yyyy-MM",
                "min_doc_count": 1,
            }
        },
        "totalRange": {"range": {"field": "total", "ranges": [_range(*r) for r in TOTAL_RANGES]}},
    }


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
        buckets = aggs.get(name, {}).get("buckets", [])
        facets[name] = [
            (str(b.get("key_as_string", b["key"])), int(b["doc_count"]))
            for b in buckets
            if b["doc_count"] > 0
        ]
    return facets
