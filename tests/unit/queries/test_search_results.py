"""Mapping a raw search response to an OrderPage; the consistency input checks."""

from __future__ import annotations

from typing import Any

import pytest

from positions import Position, encode_token
from queries.consistency import MAX_TIMEOUT_MS, wait_for
from queries.results import merge_highlights, to_order_page
from queries.search_request import OrderSearch, SortSpec, build_search_body


def hit(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "_id": f"o{n}",
        "_source": {"id": f"o{n}"},
        "sort": [1700000000000 + n, f"o{n}"],
        **extra,
    }


def response(hits: list[dict[str, Any]], total: Any = None, aggs: Any = None) -> dict[str, Any]:
    if total is None:
        total = {"value": 42, "relation": "eq"}
    raw: dict[str, Any] = {"hits": {"total": total, "hits": hits}}
    if aggs is not None:
        raw["aggregations"] = aggs
    return raw


def test_extra_hit_means_next_page_and_is_not_an_edge() -> None:
    search = OrderSearch(first=2)
    page = to_order_page(response([hit(1), hit(2), hit(3)]), search)
    assert [e.document["id"] for e in page.edges] == ["o1", "o2"]
    assert page.has_next_page is True
    assert page.end_cursor == page.edges[-1].cursor
    assert page.total_count == 42
    # The end cursor continues right after the last edge.
    follow = build_search_body(OrderSearch(first=2, after=page.end_cursor))
    assert follow["search_after"] == hit(2)["sort"]


def test_last_page_and_empty_page() -> None:
    page = to_order_page(response([hit(1)], total={"value": 1}), OrderSearch(first=2))
    assert page.has_next_page is False and page.end_cursor == page.edges[0].cursor
    empty = to_order_page(response([], total=0), OrderSearch())
    assert (empty.edges, empty.has_next_page, empty.end_cursor, empty.total_count) == (
        [],
        False,
        None,
        0,
    )
    assert empty.facets == {
        name: [] for name in ("status", "country", "category", "placedMonth", "totalRange")
    }


def test_cursor_carries_the_sort() -> None:
    search = OrderSearch(sort=[SortSpec("TOTAL", "ASC")], first=1)
    page = to_order_page(response([hit(1)]), search)
    with pytest.raises(ValueError):
        build_search_body(OrderSearch(first=1, after=page.end_cursor))


def facet(buckets: list[dict[str, Any]]) -> dict[str, Any]:
    """A facet as the engine answers it: a `filter` aggregation around the buckets."""
    return {"doc_count": sum(b["doc_count"] for b in buckets), "values": {"buckets": buckets}}


def test_facets_keep_order_labels_and_drop_empty_buckets() -> None:
    aggs = {
        "status": facet([{"key": "PAID", "doc_count": 5}, {"key": "PLACED", "doc_count": 2}]),
        "country": facet([{"key": "DE", "doc_count": 4}]),
        "category": facet([]),
        "placedMonth": facet(
            [
                {"key": 1704067200000, "key_as_string": "2024-01", "doc_count": 3},
                {"key": 1706745600000, "key_as_string": "2024-02", "doc_count": 4},
            ]
        ),
        "totalRange": facet(
            [
                {"key": "0-25", "to": 25.0, "doc_count": 0},
                {"key": "25-100", "from": 25.0, "to": 100.0, "doc_count": 7},
            ]
        ),
    }
    page = to_order_page(response([], aggs=aggs), OrderSearch())
    assert page.facets == {
        "status": [("PAID", 5), ("PLACED", 2)],
        "country": [("DE", 4)],
        "category": [],
        "placedMonth": [("2024-01", 3), ("2024-02", 4)],
        "totalRange": [("25-100", 7)],
    }


def test_highlights_use_document_paths_and_the_preferred_field() -> None:
    raw = {
        "customer.name.prefix": ["<em>Ali</em>ce Smith"],
        "customer.email": ["<em>alice@example.com</em>"],
        "customer.email.prefix": ["<em>alice@example.com</em>"],
        "lines.sku.parts": ["SKU-<em>RED</em>-1", "SKU-<em>RED</em>-2"],
        "shippingAddress.city": ["<em>Berlin</em>"],
        "shippingAddress.city.prefix": ["<em>Ber</em>lin"],
        "id": [],
    }
    assert merge_highlights(raw) == [
        ("customer.name", ["<em>Ali</em>ce Smith"]),
        ("customer.email", ["<em>alice@example.com</em>"]),
        ("lines.sku", ["SKU-<em>RED</em>-1", "SKU-<em>RED</em>-2"]),
        ("shippingAddress.city", ["<em>Berlin</em>"]),
    ]


def test_hit_highlights_reach_the_edge() -> None:
    raw = response([hit(1, highlight={"customer.name": ["<em>Alice</em> Smith"]})])
    page = to_order_page(raw, OrderSearch(text="alice"))
    assert page.edges[0].highlights == [("customer.name", ["<em>Alice</em> Smith"])]


@pytest.mark.anyio
@pytest.mark.parametrize("token", ["", "garbage!", encode_token(Position(1, 2))[:-1] + "*"])
async def test_wait_for_rejects_bad_tokens_before_any_io(token: str) -> None:
    with pytest.raises(ValueError):
        await wait_for(None, "orders", token, 100)  # type: ignore[arg-type]


@pytest.mark.anyio
@pytest.mark.parametrize("timeout_ms", [-1, MAX_TIMEOUT_MS + 1])
async def test_wait_for_bounds_the_timeout(timeout_ms: int) -> None:
    with pytest.raises(ValueError, match="timeoutMs"):
        await wait_for(None, "orders", encode_token(Position(1, 2)), timeout_ms)  # type: ignore[arg-type]
