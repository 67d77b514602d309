"""The read restriction is part of the engine request: hits, counts, facets alike."""

from __future__ import annotations

import pytest

from identity import ANONYMOUS, NotSignedIn, Principal
from queries.access import may_read, restricted
from queries.search_request import OrderSearch, build_search_body

ANA = Principal.customer("user-ana", "ana")
STAFF = Principal.staff("sam")


def test_staff_requests_are_unchanged() -> None:
    body = build_search_body(OrderSearch(text="mug"))
    assert restricted(body, STAFF) is body


def test_a_customers_request_keeps_its_query_and_adds_their_filter() -> None:
    body = build_search_body(OrderSearch(text="mug"))
    scoped = restricted(body, ANA)
    assert scoped["query"] == {
        "bool": {"filter": [{"term": {"customer.id": "ana"}}], "must": [body["query"]]}
    }
    assert {k: v for k, v in scoped.items() if k != "query"} == {
        k: v for k, v in body.items() if k != "query"
    }  # aggregations, post_filter, sort, size untouched


def test_a_body_without_query_is_restricted_too() -> None:
    assert restricted({"size": 0}, ANA)["query"]["bool"]["must"] == [{"match_all": {}}]


def test_anonymous_callers_read_nothing() -> None:
    with pytest.raises(NotSignedIn):
        restricted({"size": 0}, ANONYMOUS)
    with pytest.raises(NotSignedIn):
        may_read(ANONYMOUS, {"customer": {"id": "ana"}})


def test_a_customer_may_read_only_their_documents() -> None:
    assert may_read(ANA, {"customer": {"id": "ana"}})
    assert not may_read(ANA, {"customer": {"id": "bea"}})
    assert not may_read(ANA, {})
    assert may_read(STAFF, {"customer": {"id": "bea"}})
