"""The customer view's resolvers only translate: GraphQL arguments → a CustomerSearch,
the customer document → CustomerSummary, read-side refusals → BAD_USER_INPUT."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from queries.customer_search import CustomerFilter, CustomerSearch, CustomerSort
from queries.customers import CustomerHit, CustomerPage
from queries.errors import InvalidQuery
from read_model.customers import CustomerDocument
from tests.unit.schema.schema_fakes import Api, FakeServices

pytestmark = pytest.mark.anyio

ANA = CustomerDocument(
    id="c-1",
    name="Ana Lima",
    email="ana@example.com",
    registeredAt="2026-01-02T03:04:05.000Z",
    version=2,
    orderCount=3,
    ordersByStatus=[{"status": "PAID", "count": 2}, {"status": "CANCELLED", "count": 1}],
    lifetimeValue=[{"currency": "CHF", "amount": "7.00"}, {"currency": "EUR", "amount": "19.50"}],
    mainCurrency="EUR",
    mainValue="19.50",
    firstOrderAt="2026-02-01T00:00:00.000Z",
    lastOrderAt="2026-03-01T12:00:00.000Z",
    countries=["CH", "PT"],
)
SUMMARY = """
  id name email registeredAt version orderCount ordersByStatus { value count }
  lifetimeValue { amount currency } firstOrderAt lastOrderAt countries
"""


async def test_customer_by_id_is_the_documents_summary(api: Api, services: FakeServices) -> None:
    services.customers.documents["c-1"] = ANA
    data, errors = await api.run(f'{{ customer(id: "c-1") {{ {SUMMARY} }} }}')
    assert errors == []
    assert data["customer"] == {
        "id": "c-1",
        "name": "Ana Lima",
        "email": "ana@example.com",
        "registeredAt": "2026-01-02T03:04:05.000Z",
        "version": 2,
        "orderCount": 3,
        "ordersByStatus": [{"value": "PAID", "count": 2}, {"value": "CANCELLED", "count": 1}],
        "lifetimeValue": [
            {"amount": "7.00", "currency": "CHF"},
            {"amount": "19.50", "currency": "EUR"},
        ],
        "firstOrderAt": "2026-02-01T00:00:00.000Z",
        "lastOrderAt": "2026-03-01T12:00:00.000Z",
        "countries": ["CH", "PT"],
    }


async def test_an_unknown_customer_is_null_and_a_token_is_waited_for(
    api: Api, services: FakeServices
) -> None:
    query = '{ customer(id: "nope", consistency: {atLeast: "MDox"}) { id } }'
    data, errors = await api.run(query)
    assert (data, errors) == ({"customer": None}, [])
    assert services.customers.waits == [("MDox", 2000)]


def _page(document: CustomerDocument) -> CustomerPage:
    hit = CustomerHit("cur-1", document, [("name", ["<em>Ana</em> Lima"])])
    return CustomerPage([hit], has_next_page=True, end_cursor="cur-1", total_count=7)


async def test_customers_translates_every_argument(api: Api, services: FakeServices) -> None:
    services.customers.page = _page(ANA)
    query = """
      query($after: String) {
        customers(search: "ana", first: 5, after: $after,
                  filter: {country: "PT", minOrders: 2, lastOrderFrom: "2026-01-01T00:00:00Z"},
                  sort: [{field: LIFETIME_VALUE}, {field: NAME, direction: ASC}]) {
          totalCount pageInfo { hasNextPage endCursor }
          edges { cursor node { id lifetimeValue { amount currency } }
                  highlights { field fragments } }
        }
      }
    """
    data, errors = await api.run(query, after="cur-0")
    assert errors == []
    assert services.customers.searches == [
        CustomerSearch(
            text="ana",
            filter=CustomerFilter(
                country="PT", min_orders=2, last_order_from=datetime(2026, 1, 1, tzinfo=UTC)
            ),
            sort=[CustomerSort("LIFETIME_VALUE", "DESC"), CustomerSort("NAME", "ASC")],
            first=5,
            after="cur-0",
            highlights=True,
        )
    ]
    connection = data["customers"]
    assert connection["totalCount"] == 7
    assert connection["pageInfo"] == {"hasNextPage": True, "endCursor": "cur-1"}
    (edge,) = connection["edges"]
    assert edge["cursor"] == "cur-1"
    assert edge["node"]["lifetimeValue"][1] == {"amount": "19.50", "currency": "EUR"}
    assert edge["highlights"] == [{"field": "name", "fragments": ["<em>Ana</em> Lima"]}]


async def test_highlights_are_asked_for_only_when_selected(
    api: Api, services: FakeServices
) -> None:
    services.customers.page = _page(ANA)
    _data, errors = await api.run("{ customers { totalCount edges { node { id } } } }")
    assert errors == []
    (search,) = services.customers.searches
    assert (search.text, search.first, search.highlights) == (None, 20, False)


async def test_read_side_refusals_are_bad_user_input(api: Api, services: FakeServices) -> None:
    def refuse(_: Any) -> Any:
        raise InvalidQuery("invalid cursor")

    services.customers.on_search = refuse
    data, errors = await api.run('{ customers(after: "x") { totalCount } }')
    assert data is None
    assert [e.get("extensions", {}).get("code") for e in errors] == ["BAD_USER_INPUT"]
    assert errors[0]["message"] == "invalid cursor"


def test_money_amounts_are_decimals() -> None:
    from schema.customers import CustomerSummary

    summary = CustomerSummary.from_document(ANA)
    assert [m.amount for m in summary.lifetime_value] == [Decimal("7.00"), Decimal("19.50")]
