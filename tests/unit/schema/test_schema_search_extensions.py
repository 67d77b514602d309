"""The search additions to the schema: `orderSuggestions` and the `category` filter."""

from __future__ import annotations

import pytest

from queries.results import OrderPage
from queries.search_request import OrderFilter, OrderSearch
from queries.suggestions import Suggestion
from tests.unit.schema.schema_fakes import Api

pytestmark = pytest.mark.anyio

SUGGEST = """
query($prefix: String!, $first: Int) {
  orderSuggestions(prefix: $prefix, first: $first) { kind value orderCount orderId }
}"""


async def test_suggestions_translate_the_request_and_the_typed_answer(api: Api) -> None:
    api.services.queries.suggestions = [
        Suggestion("CUSTOMER_NAME", "José Müller", 4),
        Suggestion("SKU", "KTL-100", 12),
        Suggestion("ORDER_ID", "6f1c-42", 1, "6f1c-42"),
    ]
    data, errors = await api.run(SUGGEST, prefix="jo")
    assert errors == []
    assert data == {
        "orderSuggestions": [
            {"kind": "CUSTOMER_NAME", "value": "José Müller", "orderCount": 4, "orderId": None},
            {"kind": "SKU", "value": "KTL-100", "orderCount": 12, "orderId": None},
            {"kind": "ORDER_ID", "value": "6f1c-42", "orderCount": 1, "orderId": "6f1c-42"},
        ]
    }
    await api.run(SUGGEST, prefix="jo", first=None)
    await api.run(SUGGEST, prefix="k", first=3)
    assert api.services.queries.suggested == [("jo", 10), ("jo", 10), ("k", 3)]


async def test_bad_suggestion_input_is_bad_user_input(api: Api) -> None:
    data, errors = await api.run(SUGGEST, prefix="jo", first=51)
    assert data is None
    assert errors[0]["extensions"] == {"code": "BAD_USER_INPUT"}
    assert "first" in errors[0]["message"]


async def test_every_kind_is_in_the_enum(api: Api) -> None:
    data, errors = await api.run('{ __type(name: "OrderSuggestionKind") { enumValues { name } } }')
    assert errors == []
    names = [value["name"] for value in data["__type"]["enumValues"]]
    assert names == ["CUSTOMER_NAME", "EMAIL", "PRODUCT_NAME", "SKU", "ORDER_ID"]


async def test_category_filter_reaches_the_search(api: Api) -> None:
    api.services.queries.page = OrderPage(
        edges=[], has_next_page=False, end_cursor=None, total_count=0, facets={}
    )
    query = "query($f: OrderFilter) { orders(filter: $f) { totalCount } }"
    data, errors = await api.run(query, f={"category": ["books", "garden"], "country": "DE"})
    assert data == {"orders": {"totalCount": 0}}
    assert errors == []
    assert api.services.queries.searches == [
        OrderSearch(
            filter=OrderFilter(category=["books", "garden"], country="DE"),
            facets=False,  # only totalCount is selected
            highlights=False,
        )
    ]
