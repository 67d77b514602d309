"""Forged and stale cursors over GraphQL: a cursor carries the fingerprint of its sort and
one value per sort field; values the engine would refuse are BAD_USER_INPUT, and every
value the cursor check lets through is one the engine takes (a page, never an error)."""

from __future__ import annotations

import base64
import itertools
import json
from typing import Any

import httpx
import pytest

from queries.search_request import (
    Direction,
    OrderSearch,
    SortField,
    SortSpec,
    cursor_fingerprint,
    effective_sort,
    tiebreakers,
)
from tests.e2e.fuzz.checks import checked_body
from tests.e2e.fuzz.operations import seed
from tests.e2e.fuzz.wire import post

# The read side never touches the database: one backend is enough.
pytestmark = [
    pytest.mark.search,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

PAGE = """
query($search: String, $sort: [OrderSort!], $after: String) {
  orders(search: $search, sort: $sort, first: 2, after: $after) {
    totalCount edges { cursor node { id } }
  }
}"""
LONG = 2**63
# (sort field, direction, with search text): every sort, so every kind of sort value.
SORTS: list[tuple[SortField, Direction, bool]] = [
    ("PLACED_AT", "DESC", False), ("UPDATED_AT", "ASC", False), ("TOTAL", "ASC", False),
    ("TOTAL", "DESC", False), ("RELEVANCE", "DESC", True)]  # fmt: skip
EDGES: dict[str, list[Any]] = {
    "date": [LONG - 1, -LONG, 0, -1, 253402300799999],
    "number": [1.7976931348623157e308, -1.7976931348623157e308, 5e-324, -0.0, LONG - 1, -LONG],
    "keyword": ["", "\uffff", "\U0010ffff", "x" * 100, "zz"],
}
REFUSED: dict[str, list[Any]] = {
    "date": [1.5, LONG, -LONG - 1, "2024-01-01", None, True],
    "number": ["1", LONG, None, False, [1]],
    "keyword": [1, None, "x" * 101, "o\x00", {"a": "b"}],
}


def forged(field: SortField, direction: Direction, text: bool, values: list[Any]) -> str:
    sort = effective_sort(
        OrderSearch(text="ann" if text else None, sort=[SortSpec(field, direction)])
    )
    raw = json.dumps({"s": cursor_fingerprint(sort), "v": values})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def kinds(field: SortField, direction: Direction, text: bool) -> list[str]:
    """The kind of each value a cursor of this sort carries: the field's, then each
    tiebreaker's (a relevance sort breaks ties by placedAt, then id)."""
    sort = effective_sort(
        OrderSearch(text="ann" if text else None, sort=[SortSpec(field, direction)])
    )
    own = "date" if field.endswith("_AT") else "number"
    return [own, *(kind for _, _, kind in tiebreakers(sort))]


def page(
    api: httpx.Client, field: str, direction: str, text: bool, after: str | None
) -> dict[str, Any]:
    variables = {"search": "ann" if text else None,
                 "sort": [{"field": field, "direction": direction}], "after": after}  # fmt: skip
    return checked_body(post(api, PAGE, variables), f"{field} {direction} {after}")


def test_a_cursor_from_the_service_still_pages(api: httpx.Client) -> None:
    seed(api)
    first = page(api, "PLACED_AT", "DESC", False, None)
    cursor = first["data"]["orders"]["edges"][0]["cursor"]
    assert "errors" not in page(api, "PLACED_AT", "DESC", False, cursor)


@pytest.mark.parametrize(("field", "direction", "text"), SORTS)
def test_every_value_the_check_lets_through_is_one_the_engine_takes(
    api: httpx.Client, field: SortField, direction: Direction, text: bool
) -> None:
    seed(api)
    for values in itertools.product(*(EDGES[kind] for kind in kinds(field, direction, text))):
        body = page(api, field, direction, text, forged(field, direction, text, list(values)))
        assert "errors" not in body, (values, body)
        assert body["data"]["orders"]["totalCount"] >= 0


@pytest.mark.parametrize(("field", "direction", "text"), SORTS)
def test_values_of_the_wrong_kind_or_count_are_bad_user_input(
    api: httpx.Client, field: SortField, direction: Direction, text: bool
) -> None:
    wanted = kinds(field, direction, text)
    good = [*(EDGES[kind][0] for kind in wanted[:-1]), "o-1"]
    forgeries = [
        [*good[:i], bad, *good[i + 1 :]] for i, kind in enumerate(wanted) for bad in REFUSED[kind]
    ]
    forgeries += [good[:-1], [*good, "o-2"], []]
    for values in forgeries:
        body = page(api, field, direction, text, forged(field, direction, text, values))
        assert body["data"] is None and [e["extensions"]["code"] for e in body["errors"]] == [
            "BAD_USER_INPUT"
        ], (values, body)
        assert body["errors"][0]["message"] == "invalid cursor"
