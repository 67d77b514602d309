"""Read-side input hygiene: text, prefixes, filters, sorts and forged or stale cursors."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from queries.cursors import MAX_CURSOR_LENGTH, SortValue, encode_cursor
from queries.errors import InvalidQuery
from queries.search_request import (
    MAX_FILTER_VALUES,
    OrderFilter,
    OrderSearch,
    SortSpec,
    build_search_body,
    cursor_fingerprint,
)
from queries.suggestions import normalise_prefix
from queries.text_query import normalise_text

# One of each refused class: C0 (NUL, TAB, LF, ESC), DEL, C1, line separator, surrogate,
# bidirectional override and isolate, direction mark.
REFUSED = ["\x00", "\t", "\n", "\x1b", "\x7f", "\x9b", "\u2028", "\ud800", "\u202e", "\u2067",
           "\u200f"]  # fmt: skip
SORTS = {
    "PLACED_AT": [SortSpec("PLACED_AT", "DESC")],
    "TOTAL": [SortSpec("TOTAL", "ASC")],
    "RELEVANCE+UPDATED_AT": [SortSpec("RELEVANCE", "DESC"), SortSpec("UPDATED_AT", "ASC")],
}
GOOD_VALUES: dict[str, list[SortValue]] = {
    "PLACED_AT": [1714564800000, "0b7c4a0e-3d0e-4c39-9d6f-0a9e6f1b2c3d"],
    "TOTAL": [12.5, "o-1"],
    "RELEVANCE+UPDATED_AT": [10003.2, 1714564800000, "o-1"],
}


def forged(sort: list[SortSpec], values: Any) -> str:
    """A cursor with the right fingerprint and whatever values a client put in."""
    raw = json.dumps({"s": cursor_fingerprint(sort), "v": values}, allow_nan=True)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def filter_of(field: str, value: object) -> OrderFilter:
    """An OrderFilter with one field named at run time (so its value's type is unchecked)."""
    fields: dict[str, Any] = {field: value}
    return OrderFilter(**fields)


@pytest.mark.parametrize("char", REFUSED, ids=lambda c: f"U+{ord(c):04X}")
def test_search_text_and_prefix_refuse_each_class(char: str) -> None:
    with pytest.raises(InvalidQuery, match=f"search text must not contain .* U\\+{ord(char):04X}"):
        normalise_text(f"ann{char}lee")
    with pytest.raises(InvalidQuery, match="prefix must not contain"):
        normalise_prefix(f"ann{char}lee", 10)
    with pytest.raises(InvalidQuery):
        build_search_body(OrderSearch(text=f"ann{char}lee"))


def test_search_text_is_trimmed_collapsed_and_in_nfc() -> None:
    assert normalise_text("\t Jose\u0301   Mu\u0308ller \n") == "José Müller"
    assert normalise_prefix(" mu\u0308l ", 10) == "mül"


def test_a_megabyte_of_search_text_is_refused_by_its_length() -> None:
    with pytest.raises(InvalidQuery, match="longer than 200"):
        normalise_text("a" * 1_000_000 + "\x00")
    with pytest.raises(InvalidQuery, match="longer than 100"):
        normalise_prefix("a" * 1_000_000, 10)


@pytest.mark.parametrize(
    ("field", "limit"), [("customer_id", 36), ("product_id", 36), ("sku", 64), ("country", 2)]
)
@pytest.mark.parametrize("char", REFUSED[:1] + REFUSED[7:9], ids=repr)
def test_filter_strings_refuse_refused_characters_and_length(
    field: str, limit: int, char: str
) -> None:
    camel = {"customer_id": "customerId", "product_id": "productId"}.get(field, field)
    with pytest.raises(InvalidQuery, match=f"^{camel} must not contain"):
        build_search_body(OrderSearch(filter=filter_of(field, f"a{char}")))
    with pytest.raises(InvalidQuery, match=f"^{camel} is longer than {limit}"):
        build_search_body(OrderSearch(filter=filter_of(field, "x" * 1_000_000)))


def test_filter_strings_are_trimmed_and_in_nfc_in_the_request() -> None:
    search = OrderSearch(filter=OrderFilter(sku=" A\u0308-1 ", category=[" a "]), facets=False)
    clauses = build_search_body(search)["query"]["bool"]["filter"]
    assert {"term": {"lines.sku": {"value": "\u00c4-1"}}} in clauses
    assert {"terms": {"lines.category": ["a"]}} in clauses


@pytest.mark.parametrize("field", ["status", "category"])
def test_filter_lists_are_bounded(field: str) -> None:
    values = ["PAID"] * (MAX_FILTER_VALUES + 1)
    with pytest.raises(InvalidQuery, match=f"{field} takes at most {MAX_FILTER_VALUES}"):
        build_search_body(OrderSearch(filter=filter_of(field, values)))
    build_search_body(OrderSearch(filter=filter_of(field, values[:MAX_FILTER_VALUES])))


def test_categories_refuse_refused_characters_and_length() -> None:
    with pytest.raises(InvalidQuery, match="category must not contain"):
        build_search_body(OrderSearch(filter=OrderFilter(category=["ok", "b\u202ead"])))
    with pytest.raises(InvalidQuery, match="category is longer than 100"):
        build_search_body(OrderSearch(filter=OrderFilter(category=["x" * 101])))


def test_the_sort_list_takes_one_entry_per_field() -> None:
    four = [SortSpec("TOTAL"), SortSpec("PLACED_AT"), SortSpec("UPDATED_AT"), SortSpec("TOTAL")]
    build_search_body(OrderSearch(sort=four))
    with pytest.raises(InvalidQuery, match="at most 4 entries"):
        build_search_body(OrderSearch(sort=[*four, SortSpec("RELEVANCE")]))
    with pytest.raises(InvalidQuery, match="at most 4 entries"):
        build_search_body(OrderSearch(sort=[SortSpec("TOTAL")] * 100_000))


@pytest.mark.parametrize("name", sorted(SORTS))
def test_genuine_cursors_of_every_sort_kind_become_search_after(name: str) -> None:
    cursor = encode_cursor(cursor_fingerprint(SORTS[name]), GOOD_VALUES[name])
    body = build_search_body(OrderSearch(sort=SORTS[name], after=cursor))
    assert body["search_after"] == GOOD_VALUES[name]


FORGED = {
    "PLACED_AT": [
        [1714564800000.5, "o-1"],  # a date is a whole number of milliseconds
        ["2024-05-01", "o-1"],
        [None, "o-1"],
        [2**63, "o-1"],  # past a long
        [-(2**63) - 1, "o-1"],
        [True, "o-1"],
        [1714564800000, 7],  # the id is a keyword
        [1714564800000, None],
        [1714564800000, "x" * 101],
        [1714564800000, "o\x00"],
        [1714564800000, ["o-1"]],
        [1714564800000],
        [1714564800000, "o-1", "extra"],
    ],
    "TOTAL": [
        ["12.5", "o-1"],
        [float("nan"), "o-1"],
        [float("inf"), "o-1"],
        [float("-inf"), "o-1"],
        [{"a": 1}, "o-1"],
        [2**64, "o-1"],
    ],
}


@pytest.mark.parametrize(
    ("name", "values"),
    [(name, values) for name, cases in FORGED.items() for values in cases],
    ids=repr,
)
def test_forged_cursors_with_a_valid_fingerprint_are_refused(name: str, values: Any) -> None:
    with pytest.raises(InvalidQuery, match=r"^invalid cursor$"):
        build_search_body(OrderSearch(sort=SORTS[name], after=forged(SORTS[name], values)))


@pytest.mark.parametrize(
    "text",
    ['{"s":"%s","v":[1e400,"o-1"]}', '{"s":"%s","v":[NaN,"o-1"]}',
     '{"s":"%s","v":[Infinity,"o-1"]}', '{"s":"%s","v":[' + "9" * 5000 + ',"o-1"]}'],
)  # fmt: skip
def test_numbers_json_has_no_room_for_are_refused(text: str) -> None:
    sort = SORTS["TOTAL"]
    raw = text % cursor_fingerprint(sort)
    cursor = base64.urlsafe_b64encode(raw.encode()).decode()
    with pytest.raises(InvalidQuery, match=r"^invalid cursor$"):
        build_search_body(OrderSearch(sort=sort, after=cursor))


@pytest.mark.parametrize(
    "cursor", ["a" * (MAX_CURSOR_LENGTH + 1), "e30=", "e30 ", "e3\x000", "e3\ud8000", "é"]
)
def test_cursors_that_are_too_long_or_not_base64url_are_refused(cursor: str) -> None:
    with pytest.raises(InvalidQuery, match=r"^invalid cursor$"):
        build_search_body(OrderSearch(after=cursor))
