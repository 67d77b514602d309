"""Resolvers only translate: GraphQL input → command or search request, and back."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from commands import messages as m
from queries.results import OrderPage
from queries.search_request import OrderFilter, OrderSearch, SortSpec
from tests.unit.schema.schema_fakes import Api, FakeServices

ADDRESS = {
    "name": "Front Door",
    "line1": "12 Main St",
    "city": "Bergen",
    "postalCode": "5003",
    "country": "NO",
}
COMMAND_ADDRESS = m.Address("Front Door", "12 Main St", "Bergen", "5003", "NO")

CASES = [
    ("registerCustomer", "RegisterCustomerInput", {"name": "Jo", "email": "jo@example.org"},
     m.RegisterCustomer("Jo", "jo@example.org")),
    ("updateCustomer", "UpdateCustomerInput",
     {"id": "c-1", "email": "j@x.io", "expectedVersion": 2},
     m.UpdateCustomer("c-1", email="j@x.io", expected_version=2)),
    ("addProduct", "AddProductInput",
     {"sku": "KTL-100", "name": "Kettle", "price": "39.90", "currency": "EUR"},
     m.AddProduct("KTL-100", "Kettle", Decimal("39.90"), "EUR")),
    ("updateProduct", "UpdateProductInput", {"id": "p-1", "category": "cookware", "price": "41"},
     m.UpdateProduct("p-1", category="cookware", price=Decimal(41))),
    ("placeOrder", "PlaceOrderInput",
     {"customerId": "c-1", "lines": [{"productId": "p-1", "quantity": 2}],
      "shippingAddress": ADDRESS, "idempotencyKey": "k-1"},
     m.PlaceOrder("c-1", (m.OrderLineRequest("p-1", 2),), COMMAND_ADDRESS, "k-1")),
    ("updateShippingAddress", "UpdateShippingAddressInput",
     {"orderId": "o-1", "address": {**ADDRESS, "line2": "Flat 3"}, "expectedVersion": 1},
     m.UpdateShippingAddress(
         "o-1", m.Address("Front Door", "12 Main St", "Bergen", "5003", "NO", "Flat 3"), 1)),
    ("payOrder", "PayOrderInput", {"orderId": "o-1", "amount": "79.80"},
     m.PayOrder("o-1", Decimal("79.80"))),
    ("shipOrder", "ShipOrderInput",
     {"orderId": "o-1", "carrier": "DHL", "trackingNumber": "JD01", "expectedVersion": 3},
     m.ShipOrder("o-1", "DHL", "JD01", 3)),
    ("deliverOrder", "DeliverOrderInput", {"orderId": "o-1"}, m.DeliverOrder("o-1")),
    ("cancelOrder", "CancelOrderInput", {"orderId": "o-1", "reason": "twice"},
     m.CancelOrder("o-1", "twice")),
]  # fmt: skip


@pytest.mark.anyio
@pytest.mark.parametrize(("mutation", "input_type", "fields", "command"), CASES)
async def test_each_mutation_dispatches_its_command(
    api: Api, mutation: str, input_type: str, fields: dict[str, object], command: m.Command
) -> None:
    query = f"mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ version }} }}"
    data, errors = await api.run(query, input=fields)
    assert errors == []
    assert data == {mutation: {"version": 1}}
    assert api.services.bus.commands == [command]


SEARCH = """
query($search: String, $filter: OrderFilter, $sort: [OrderSort!], $first: Int, $after: String) {
  orders(search: $search, filter: $filter, sort: $sort, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
  }
}"""
EMPTY_PAGE = OrderPage(edges=[], has_next_page=False, end_cursor=None, total_count=0, facets={})


@pytest.mark.anyio
async def test_orders_builds_the_search_request(api: Api) -> None:
    api.services.queries.page = EMPTY_PAGE
    data, errors = await api.run(
        SEARCH,
        search="kettle",
        filter={
            "status": ["PLACED", "PAID"],
            "customerId": "c-1",
            "placedFrom": "2024-05-01T02:00:00+02:00",
            "totalMin": "10.00",
        },
        sort=[{"field": "TOTAL", "direction": "ASC"}, {"field": "PLACED_AT"}],
        first=7,
        after="cur",
    )
    assert errors == []
    assert data == {"orders": {"totalCount": 0, "pageInfo": {"hasNextPage": False,
                                                             "endCursor": None}}}  # fmt: skip
    assert api.services.queries.searches == [
        OrderSearch(
            text="kettle",
            filter=OrderFilter(
                status=["PLACED", "PAID"],
                customer_id="c-1",
                placed_from=datetime(2024, 5, 1, tzinfo=UTC),
                total_min=Decimal("10.00"),
            ),
            sort=[SortSpec("TOTAL", "ASC"), SortSpec("PLACED_AT", "DESC")],
            first=7,
            after="cur",
            facets=False,  # the query selects neither facets nor highlights
            highlights=False,
        )
    ]


@pytest.mark.anyio
async def test_orders_defaults_and_explicit_nulls(api: Api) -> None:
    api.services.queries.page = EMPTY_PAGE
    await api.run("{ orders { totalCount } }")
    await api.run("{ orders(first: null, sort: [{field: TOTAL, direction: null}]) { totalCount } }")
    assert api.services.queries.searches == [
        OrderSearch(sort=[], first=20, after=None, facets=False, highlights=False),
        OrderSearch(sort=[SortSpec("TOTAL", "DESC")], first=20, facets=False, highlights=False),
    ]
    assert api.services.queries.waits == []


@pytest.mark.anyio
async def test_consistency_waits_before_reading(api: Api) -> None:
    await api.run('{ order(id: "o-1", consistency: {atLeast: "MDo3"}) { id } }')
    await api.run('{ order(id: "o-1", consistency: {atLeast: "MDo3", timeoutMs: null}) { id } }')
    assert api.services.queries.waits == [("MDo3", 2000), ("MDo3", 2000)]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("selection", "facets", "highlights"),
    [
        ("totalCount edges { node { id } }", False, False),
        ("facets { status { value count } }", True, False),
        ("edges { highlights { field } }", False, True),
        ("...Page", True, True),
    ],
)
async def test_the_engine_computes_only_the_facets_and_highlights_selected(
    selection: str, facets: bool, highlights: bool
) -> None:
    api = Api(FakeServices())
    api.services.queries.page = EMPTY_PAGE
    fragment = (
        " fragment Page on OrderConnection { facets { country { value } } "
        "edges { highlights { fragments } } }"
    )
    await api.run(f'{{ orders(search: "x") {{ {selection} }} }}' + fragment * ("..." in selection))
    (request,) = api.services.queries.searches
    assert (request.facets, request.highlights) == (facets, highlights)
