"""The search DSL builder: filters, sorting, cursors, bounds and how user text is used."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from queries.cursors import encode_cursor
from queries.search_request import (
    OrderFilter,
    OrderSearch,
    SortSpec,
    build_search_body,
    cursor_fingerprint,
    effective_sort,
)
from queries.text_query import EXACT_FIELDS, MAX_TEXT_LENGTH

SPECIAL_TEXTS = [
    '"',
    "(",
    ":",
    "/",
    "\\",
    "*",
    'name:"Smith',
    "a/b\\c*",
    "(x OR y) AND z:*",
    "~1^2",
]


def walk(node: Any, parent: str = "") -> list[tuple[str, Any]]:
    """Every (key, value) pair anywhere in a nested body."""
    found: list[tuple[str, Any]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            found.append((key, value))
            found += walk(value, key)
    elif isinstance(node, list):
        for item in node:
            found += walk(item, parent)
    return found


def test_no_text_sorts_newest_first_and_matches_everything() -> None:
    body = build_search_body(OrderSearch())
    assert body["query"] == {"bool": {"filter": []}}
    assert body["sort"] == [{"placedAt": {"order": "desc"}}, {"id": {"order": "asc"}}]
    assert body["size"] == 21
    assert body["track_total_hits"] is True
    assert "highlight" not in body
    assert "search_after" not in body
    assert set(body["aggs"]) == {"status", "country", "category", "placedMonth", "totalRange"}


def test_text_sorts_by_relevance_and_highlights() -> None:
    body = build_search_body(OrderSearch(text="  alice  "))
    assert body["sort"] == [{"_score": {"order": "desc"}}, {"id": {"order": "asc"}}]
    assert len(body["query"]["bool"]["must"]) == 1
    highlight = body["highlight"]
    assert highlight["pre_tags"] == ["<em>"] and highlight["post_tags"] == ["</em>"]
    assert "customer.name" in highlight["fields"]
    assert highlight["highlight_query"] == body["query"]["bool"]["must"][0]


def test_blank_text_is_no_text() -> None:
    assert build_search_body(OrderSearch(text="   ")) == build_search_body(OrderSearch())


def test_too_long_text_is_rejected() -> None:
    with pytest.raises(ValueError, match="longer"):
        build_search_body(OrderSearch(text="x" * (MAX_TEXT_LENGTH + 1)))


def test_text_query_ranks_exact_identifiers_first() -> None:
    clauses = build_search_body(OrderSearch(text="SKU-1"))["query"]["bool"]["must"][0]["bool"]
    exact, fuzzy, prefix = clauses["should"]
    assert clauses["minimum_should_match"] == 1
    terms = exact["constant_score"]["filter"]["bool"]["should"]
    assert [next(iter(t["term"])) for t in terms] == list(EXACT_FIELDS)
    assert all(next(iter(t["term"].values())) == {"value": "SKU-1"} for t in terms)
    assert exact["constant_score"]["boost"] >= 100
    assert fuzzy["multi_match"]["fuzziness"] == "AUTO"
    assert fuzzy["multi_match"]["operator"] == "and"
    assert "fuzziness" not in prefix["multi_match"]
    assert all(f.endswith(".prefix") for f in prefix["multi_match"]["fields"])


def test_several_words_may_match_in_different_fields() -> None:
    should = build_search_body(OrderSearch(text="alice munchen"))["query"]["bool"]["must"][0]
    spread = should["bool"]["should"][-1]["bool"]["must"]
    assert len(spread) == 2
    assert spread[0]["dis_max"]["queries"][0]["multi_match"]["query"] == "alice"
    assert spread[1]["dis_max"]["queries"][0]["multi_match"]["query"] == "munchen"


@pytest.mark.parametrize("text", SPECIAL_TEXTS)
def test_user_text_is_only_a_match_or_term_value(text: str) -> None:
    body = build_search_body(OrderSearch(text=text))
    keys = {key for key, _ in walk(body)}
    assert not keys & {"query_string", "simple_query_string", "wildcard", "regexp", "prefix"}
    words = set(text.split()) | {text}
    # Wherever user text appears, it is the `query` of a match or the `value` of a term.
    holders = {key for key, value in walk(body) if isinstance(value, str) and value in words}
    assert holders <= {"query", "value"}
    assert holders


@pytest.mark.parametrize("first", [0, -1, 101, 1000])
def test_first_out_of_bounds(first: int) -> None:
    with pytest.raises(ValueError, match="first"):
        build_search_body(OrderSearch(first=first))


@pytest.mark.parametrize("first", [1, 100])
def test_first_bounds_are_inclusive(first: int) -> None:
    assert build_search_body(OrderSearch(first=first))["size"] == first + 1


def test_explicit_sorts_keep_order_drop_repeats_and_end_with_id() -> None:
    search = OrderSearch(
        sort=[
            SortSpec("TOTAL", "ASC"),
            SortSpec("UPDATED_AT", "DESC"),
            SortSpec("TOTAL", "DESC"),
            SortSpec("RELEVANCE", "DESC"),
        ]
    )
    assert build_search_body(search)["sort"] == [
        {"total": {"order": "asc"}},
        {"updatedAt": {"order": "desc"}},
        {"_score": {"order": "desc"}},
        {"id": {"order": "asc"}},
    ]


@pytest.mark.parametrize("spec", [SortSpec("PRICE", "ASC"), SortSpec("TOTAL", "UP")])  # type: ignore[arg-type]
def test_unknown_sort_is_rejected(spec: SortSpec) -> None:
    with pytest.raises(ValueError, match="sort"):
        build_search_body(OrderSearch(sort=[spec]))


def test_every_filter_lands_in_bool_filter() -> None:
    order_filter = OrderFilter(
        status=["SHIPPED", "PAID", "PAID"],
        customer_id="c-1",
        product_id="p-1",
        sku="SKU-1",
        country="de",
        placed_from=datetime(2024, 1, 1),  # naive: taken as UTC
        placed_to=datetime(2024, 2, 1, 2, 0, tzinfo=timezone(timedelta(hours=2))),
        total_min=Decimal("25"),
        total_max=Decimal("1E+2"),
    )
    body = build_search_body(OrderSearch(text="x", filter=order_filter))
    assert body["query"]["bool"]["filter"] == [
        {"terms": {"status": ["PAID", "SHIPPED"]}},
        {"term": {"customer.id": {"value": "c-1"}}},
        {"term": {"lines.productId": {"value": "p-1"}}},
        {"term": {"lines.sku": {"value": "SKU-1"}}},
        {"term": {"shippingAddress.country": {"value": "de"}}},
        {
            "range": {
                "placedAt": {"gte": "2024-01-01T00:00:00.000Z", "lte": "2024-02-01T00:00:00.000Z"}
            }
        },
        {"range": {"total": {"gte": "25", "lte": "100"}}},
    ]


def test_open_ranges_and_empty_status_list() -> None:
    order_filter = OrderFilter(
        status=[], placed_to=datetime(2024, 3, 1, tzinfo=UTC), total_min=Decimal("0.50")
    )
    assert build_search_body(OrderSearch(filter=order_filter))["query"]["bool"]["filter"] == [
        {"range": {"placedAt": {"lte": "2024-03-01T00:00:00.000Z"}}},
        {"range": {"total": {"gte": "0.50"}}},
    ]


@pytest.mark.parametrize(
    "order_filter",
    [
        OrderFilter(status=["SHIPPED", "LOST"]),
        OrderFilter(total_min=Decimal("NaN")),
        OrderFilter(total_max=Decimal("Infinity")),
    ],
)
def test_bad_filter_values_are_rejected(order_filter: OrderFilter) -> None:
    with pytest.raises(ValueError):
        build_search_body(OrderSearch(filter=order_filter))


def test_cursor_round_trips_into_search_after() -> None:
    search = OrderSearch(sort=[SortSpec("TOTAL", "ASC")])
    cursor = encode_cursor(cursor_fingerprint(effective_sort(search)), [12.5, "order-9"])
    body = build_search_body(OrderSearch(sort=[SortSpec("TOTAL", "ASC")], after=cursor))
    assert body["search_after"] == [12.5, "order-9"]


def test_cursor_from_another_sort_is_rejected() -> None:
    cursor = encode_cursor(cursor_fingerprint([SortSpec("TOTAL", "ASC")]), [12.5, "order-9"])
    with pytest.raises(ValueError, match="different sort"):
        build_search_body(OrderSearch(sort=[SortSpec("TOTAL", "DESC")], after=cursor))
    with pytest.raises(ValueError, match="different sort"):
        build_search_body(OrderSearch(after=cursor))  # default sort: PLACED_AT DESC


def test_default_sort_depends_on_text() -> None:
    assert effective_sort(OrderSearch()) == [SortSpec("PLACED_AT", "DESC")]
    assert effective_sort(OrderSearch(text="x")) == [SortSpec("RELEVANCE", "DESC")]


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "not a cursor!",
        "e30",
        "W10",
        "bnVsbA",  # "", garbage, {}, [], null
        encode_cursor(cursor_fingerprint([SortSpec("PLACED_AT", "DESC")]), [1]),  # too short
        encode_cursor(cursor_fingerprint([SortSpec("PLACED_AT", "DESC")]), [True, "x"]),
        encode_cursor(cursor_fingerprint([SortSpec("PLACED_AT", "DESC")]), [{"a": 1}, "x"]),
    ],
)
def test_bad_cursors_are_rejected(cursor: str) -> None:
    with pytest.raises(ValueError):
        build_search_body(OrderSearch(after=cursor))
