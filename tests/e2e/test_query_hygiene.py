"""Read-side input hygiene over GraphQL: search text, suggestion prefixes and filter
strings with refused characters, or too long, and lists past their limits, are
BAD_USER_INPUT with a message naming the argument."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.fuzz.checks import checked_body
from tests.e2e.fuzz.wire import post

# The read side never touches the database: one backend is enough.
pytestmark = [
    pytest.mark.search,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

ORDERS = """
query($search: String, $filter: OrderFilter, $sort: [OrderSort!]) {
  orders(search: $search, filter: $filter, sort: $sort) { totalCount }
}"""
SUGGEST = "query($prefix: String!) { orderSuggestions(prefix: $prefix) { value } }"
REFUSED = ["\x00", "\t", "\n", "\x1b", "\x7f", "\x9b", "\u2028", "\u202e", "\u2067", "\u200f"]
# (what the message names, variables with a bad text put in by `bad`)
ARGUMENTS = [
    ("search text", lambda bad: (ORDERS, {"search": f"an{bad}n"})),
    ("prefix", lambda bad: (SUGGEST, {"prefix": f"an{bad}n"})),
    ("sku", lambda bad: (ORDERS, {"filter": {"sku": f"K{bad}1"}})),
    ("country", lambda bad: (ORDERS, {"filter": {"country": f"D{bad}"}})),
    ("customerId", lambda bad: (ORDERS, {"filter": {"customerId": f"c{bad}1"}})),
    ("productId", lambda bad: (ORDERS, {"filter": {"productId": f"p{bad}1"}})),
    ("category", lambda bad: (ORDERS, {"filter": {"category": ["kitchen", f"b{bad}d"]}})),
]


def refused(api: httpx.Client, query: str, variables: dict[str, Any]) -> str:
    body = checked_body(post(api, query, variables), repr(variables)[:200])
    assert body["data"] is None, body
    ((error),) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", body
    return str(error["message"])


@pytest.mark.parametrize(("what", "request_with"), ARGUMENTS, ids=[a[0] for a in ARGUMENTS])
def test_refused_characters_in_query_text_are_bad_user_input(
    api: httpx.Client, what: str, request_with: Any
) -> None:
    for bad in REFUSED:
        if what == "country" and bad.isspace():
            continue  # at the edge of two letters: trimmed like any surrounding whitespace
        message = refused(api, *request_with(bad))
        assert message.startswith(f"{what} must not contain"), message
        assert f"U+{ord(bad):04X}" in message


@pytest.mark.parametrize(("what", "request_with"), ARGUMENTS, ids=[a[0] for a in ARGUMENTS])
def test_a_megabyte_of_query_text_is_refused_by_its_length(
    api: httpx.Client, what: str, request_with: Any
) -> None:
    message = refused(api, *request_with("x" * 1_000_000))
    assert message.startswith(f"{what} is longer than"), message


def test_lists_past_their_limits_are_bad_user_input(api: httpx.Client) -> None:
    many_categories = {"filter": {"category": [f"c{n}" for n in range(51)]}}
    assert "at most 50" in refused(api, ORDERS, many_categories)
    many_statuses = {"filter": {"status": ["PAID"] * 51}}
    assert "at most 50" in refused(api, ORDERS, many_statuses)
    sorts = {"sort": [{"field": "TOTAL"}] * 5}
    assert "at most 4 entries" in refused(api, ORDERS, sorts)
    ok = checked_body(post(api, ORDERS, {"sort": [{"field": "TOTAL"}] * 4}), "four sorts")
    assert ok["data"]["orders"]["totalCount"] == 0
