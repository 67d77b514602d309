"""The customer search request: sorts and ties, filters, the text query over the customer
document's fields with the order search's rules, cursors and the read restriction."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from identity import ANONYMOUS, NotSignedIn, Principal
from queries.access import restricted
from queries.cursors import SortValue, encode_cursor
from queries.customer_search import (
    CustomerFilter,
    CustomerSearch,
    CustomerSort,
    build_customer_search_body,
    cursor_fingerprint,
    effective_sort,
)
from queries.errors import InvalidQuery


def body(**kwargs: Any) -> dict[str, Any]:
    return build_customer_search_body(CustomerSearch(**kwargs))


def fields_in(tree: Any) -> set[str]:
    """Every field name a query tree mentions (keys of match/term clauses, field lists)."""
    found: set[str] = set()
    if isinstance(tree, dict):
        for key, value in tree.items():
            if key in ("term", "match", "match_phrase", "range") and isinstance(value, dict):
                found.update(value)
            if key == "fields" and isinstance(value, list):
                found.update(value)
            found |= fields_in(value)
    elif isinstance(tree, list):
        for item in tree:
            found |= fields_in(item)
    return found


def fuzzy_clauses(tree: Any) -> list[dict[str, Any]]:
    text = json.dumps(tree)
    return [m for m in _walk(json.loads(text)) if "fuzziness" in m]


def _walk(tree: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if isinstance(tree, dict):
        if "multi_match" in tree:
            out.append(tree["multi_match"])
        for value in tree.values():
            out += _walk(value)
    elif isinstance(tree, list):
        for item in tree:
            out += _walk(item)
    return out


def test_without_text_customers_list_by_name_then_id() -> None:
    assert body()["sort"] == [{"name.key": {"order": "asc"}}, {"id": {"order": "asc"}}]
    assert body()["query"] == {"bool": {"filter": []}}


def test_with_text_relevance_comes_first_and_ties_go_by_name_then_id() -> None:
    assert body(text="ana")["sort"] == [
        {"_score": {"order": "desc"}},
        {"name.key": {"order": "asc"}},
        {"id": {"order": "asc"}},
    ]


def test_each_sort_field_and_customers_without_orders_last() -> None:
    sorts = [
        CustomerSort("LIFETIME_VALUE", "DESC"),
        CustomerSort("LAST_ORDER_AT", "ASC"),
        CustomerSort("ORDER_COUNT", "DESC"),
        CustomerSort("LIFETIME_VALUE", "ASC"),  # a repeat is dropped
    ]
    assert body(sort=sorts)["sort"] == [
        {"mainValue": {"order": "desc"}},
        {"lastOrderAt": {"order": "asc", "missing": "_last"}},
        {"orderCount": {"order": "desc"}},
        {"name.key": {"order": "asc"}},
        {"id": {"order": "asc"}},
    ]
    by_name = body(sort=[CustomerSort("NAME", "DESC")])["sort"]
    assert by_name == [{"name.key": {"order": "desc"}}, {"id": {"order": "asc"}}]


def test_bad_sorts_and_page_sizes_are_refused() -> None:
    with pytest.raises(InvalidQuery):
        body(sort=[CustomerSort("PLACED_AT")])  # type: ignore[arg-type]
    with pytest.raises(InvalidQuery):
        body(sort=[CustomerSort("NAME", "UP")])  # type: ignore[arg-type]
    for first in (0, 101):
        with pytest.raises(InvalidQuery):
            body(first=first)
    assert body(first=100)["size"] == 101


def test_filters_by_country_order_count_and_last_order() -> None:
    f = CustomerFilter(
        country=" pl ",
        min_orders=3,
        last_order_from=datetime(2026, 1, 1, tzinfo=UTC),
        last_order_to=datetime(2026, 2, 1),  # naive: UTC
    )
    assert body(filter=f)["query"]["bool"]["filter"] == [
        {"term": {"countries": {"value": "pl"}}},  # the field's normaliser upper-cases it
        {"range": {"orderCount": {"gte": 3}}},
        {
            "range": {
                "lastOrderAt": {
                    "gte": "2026-01-01T00:00:00.000Z",
                    "lte": "2026-02-01T00:00:00.000Z",
                }
            }
        },
    ]


@pytest.mark.parametrize(
    "bad",
    [CustomerFilter(country="POL"), CustomerFilter(country="P\x00"), CustomerFilter(min_orders=-1)],
)
def test_bad_filter_values_are_refused(bad: CustomerFilter) -> None:
    with pytest.raises(InvalidQuery):
        body(filter=bad)


def test_the_text_searches_customer_fields_only() -> None:
    searched = fields_in(body(text="ana.lima@example.com")["query"])
    assert searched <= {
        "id",
        "id.prefix",
        "name",
        "name.spelled",
        "name.prefix",
        "email",
        "email.local",
        "email.domain",
        "email.parts",
        "email.prefix",
        "countries",
    }
    assert {"id", "email", "email.local", "email.domain"} <= searched


def test_a_whole_email_or_customer_id_is_the_exact_tier() -> None:
    query = body(text="Ana@Example.com")["query"]["bool"]["must"][0]
    exact = query["bool"]["should"][0]["constant_score"]
    assert exact["boost"] == 10_000.0
    assert exact["filter"]["bool"]["should"] == [
        {"term": {"id": {"value": "ana@example.com"}}},
        {"term": {"email": {"value": "Ana@Example.com"}}},
    ]


def test_typos_follow_the_order_search_limits() -> None:
    assert fuzzy_clauses(body(text="luca")["query"]) == []  # below five letters
    (typo,) = fuzzy_clauses(body(text="mueller")["query"])
    assert (typo["fuzziness"], typo["prefix_length"]) == ("AUTO:5,9", 1)
    assert typo["fields"] == ["name"]
    assert fuzzy_clauses(body(text="ab12345")["query"]) == []  # a digit: an identifier


def test_city_names_are_no_synonyms_here() -> None:
    for text in ("munich", "the hague"):
        request = json.dumps(body(text=text), ensure_ascii=False)
        assert "München" not in request and "Den Haag" not in request
        assert "shippingAddress" not in request


def test_highlights_mark_customer_fields_only_when_asked() -> None:
    marked = body(text="ana")["highlight"]["fields"]
    assert set(marked) == {"name", "name.prefix", "email.parts", "email.prefix"}
    email = body(text="ana@example.com")["highlight"]["fields"]
    assert {"email", "email.local", "email.domain"} <= set(email)
    assert "highlight" not in body(text="ana", highlights=False)


def test_cursors_continue_their_own_sort_only() -> None:
    search = CustomerSearch(sort=[CustomerSort("ORDER_COUNT")])
    values: list[SortValue] = [3, "ana lima", "c-1"]
    cursor = encode_cursor(cursor_fingerprint(effective_sort(search)), values)
    continued = build_customer_search_body(CustomerSearch(sort=search.sort, after=cursor))
    assert continued["search_after"] == values
    with pytest.raises(InvalidQuery):
        body(sort=[CustomerSort("LIFETIME_VALUE")], after=cursor)
    with pytest.raises(InvalidQuery):
        body(after="not a cursor")


def test_a_name_cursor_carries_a_whole_long_name() -> None:
    name = "ł" * 200  # does not fold to ASCII: a long cursor
    search = CustomerSearch(sort=[CustomerSort("NAME", "ASC")])
    cursor = encode_cursor(cursor_fingerprint(effective_sort(search)), [name, "c-1"])
    assert len(cursor) > 512
    continued = build_customer_search_body(CustomerSearch(sort=search.sort, after=cursor))
    assert continued["search_after"] == [name, "c-1"]


def test_a_customer_reads_only_their_own_document() -> None:
    request = body(text="ana")
    scoped = restricted(request, Principal.customer("user-ana", "c-1"), owner_field="id")
    assert scoped["query"] == {
        "bool": {"filter": [{"term": {"id": "c-1"}}], "must": [request["query"]]}
    }
    assert restricted(request, Principal.staff("sam"), owner_field="id") is request
    with pytest.raises(NotSignedIn):
        restricted(request, ANONYMOUS, owner_field="id")
