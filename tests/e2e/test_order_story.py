"""The whole CQRS path as a frontend sees it: mutations, then searches, over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

pytestmark = [pytest.mark.search]

REGISTER_CUSTOMER = """
mutation($input: RegisterCustomerInput!) {
  registerCustomer(input: $input) { customerId version position userErrors { code field message } }
}"""
UPDATE_CUSTOMER = """
mutation($input: UpdateCustomerInput!) {
  updateCustomer(input: $input) { customerId version position userErrors { code field message } }
}"""
ADD_PRODUCT = """
mutation($input: AddProductInput!) {
  addProduct(input: $input) { productId version position userErrors { code field message } }
}"""
UPDATE_PRODUCT = """
mutation($input: UpdateProductInput!) {
  updateProduct(input: $input) { productId version position userErrors { code field message } }
}"""
PLACE_ORDER = """
mutation($input: PlaceOrderInput!) {
  placeOrder(input: $input) { orderId version position userErrors { code field message } }
}"""
ORDER_MUTATIONS = {
    name: f"""
mutation($input: {name[0].upper() + name[1:]}Input!) {{
  {name}(input: $input) {{ orderId version position userErrors {{ code field message }} }}
}}"""
    for name in ("updateShippingAddress", "payOrder", "shipOrder", "deliverOrder", "cancelOrder")
}
ORDER = """
query($id: ID!, $token: String!) {
  order(id: $id, consistency: {atLeast: $token, timeoutMs: 10000}) {
    id status version total currency itemCount placedAt updatedAt
    customer { id name email }
    lines { productId sku productName category quantity unitPrice lineTotal }
    shippingAddress { name line1 line2 city postalCode country }
    payment { amount paidAt }
    shipment { carrier trackingNumber shippedAt deliveredAt }
    cancellation { reason cancelledAt }
  }
}"""
SEARCH = """
query($search: String, $filter: OrderFilter, $sort: [OrderSort!], $first: Int,
      $after: String, $token: String!) {
  orders(search: $search, filter: $filter, sort: $sort, first: $first, after: $after,
         consistency: {atLeast: $token, timeoutMs: 10000}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id status customer { name } total } highlights { field fragments } }
    facets { status { value count } country { value count } }
  }
}"""


class Frontend:
    """What a shop frontend does: send operations, remember the latest position token."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.token = ""

    def call(self, query: str, **variables: Any) -> dict[str, Any]:
        response = self.client.post("/graphql", json={"query": query, "variables": variables})
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    def mutate(self, query: str, **fields: Any) -> dict[str, Any]:
        payload: dict[str, Any]
        (payload,) = self.call(query, input=fields).values()
        assert payload["userErrors"] == [], payload["userErrors"]
        self.token = payload["position"]
        return payload

    def search(self, **variables: Any) -> dict[str, Any]:
        orders: dict[str, Any] = self.call(SEARCH, token=self.token, **variables)["orders"]
        return orders

    def ids(self, **variables: Any) -> list[str]:
        return [edge["node"]["id"] for edge in self.search(**variables)["edges"]]


def address(city: str, country: str, postal: str) -> dict[str, str]:
    return {
        "name": "Front Door",
        "line1": "12 Main St",
        "city": city,
        "postalCode": postal,
        "country": country,
    }


def test_order_story(api: httpx.Client) -> None:
    shop = Frontend(api)
    started = datetime.now(UTC) - timedelta(seconds=5)
    marta = shop.mutate(REGISTER_CUSTOMER, name="Marta Kowalski", email="marta@example.com")[
        "customerId"
    ]
    jonas = shop.mutate(REGISTER_CUSTOMER, name="Jonas Berg", email="jonas@example.org")[
        "customerId"
    ]
    kettle = shop.mutate(
        ADD_PRODUCT,
        sku="KTL-100",
        name="Steel Kettle",
        category="kitchen",
        price="39.90",
        currency="EUR",
    )["productId"]
    scarf = shop.mutate(
        ADD_PRODUCT,
        sku="SCF-7",
        name="Wool Scarf",
        category="apparel",
        price="24.50",
        currency="EUR",
    )["productId"]

    orders = []
    for i in range(52):
        customer = marta if i % 2 else jonas
        lines = [{"productId": kettle, "quantity": 1 + i % 3}] + (
            [{"productId": scarf, "quantity": 1}] if i % 5 == 0 else []
        )
        placed = shop.mutate(
            PLACE_ORDER,
            customerId=customer,
            lines=lines,
            shippingAddress=address(
                "Gdańsk" if i % 2 else "Bergen", "PL" if i % 2 else "NO", f"80-{i:03}"
            ),
        )
        assert placed["version"] == 1
        orders.append(placed["orderId"])

    first, second, third, fourth = orders[:4]
    moved = shop.mutate(
        ORDER_MUTATIONS["updateShippingAddress"],
        orderId=first,
        address=address("Kraków", "PL", "30-001"),
        expectedVersion=1,
    )
    assert moved["version"] == 2

    def total(n: int) -> str:
        return str(Decimal("39.90") * (1 + n % 3) + (Decimal("24.50") if n % 5 == 0 else 0))

    shop.mutate(ORDER_MUTATIONS["payOrder"], orderId=second, amount=total(1))
    shop.mutate(ORDER_MUTATIONS["payOrder"], orderId=third, amount=total(2))
    shop.mutate(
        ORDER_MUTATIONS["shipOrder"], orderId=third, carrier="DHL", trackingNumber="JD014600003828"
    )
    shop.mutate(ORDER_MUTATIONS["deliverOrder"], orderId=third)
    shop.mutate(ORDER_MUTATIONS["cancelOrder"], orderId=fourth, reason="ordered twice")
    shop.mutate(UPDATE_CUSTOMER, id=marta, name="Marta Nowak")
    shop.mutate(UPDATE_PRODUCT, id=kettle, name="Copper Kettle", category="cookware")

    third_doc = shop.call(ORDER, id=third, token=shop.token)["order"]
    assert third_doc["status"] == "DELIVERED"
    assert third_doc["shipment"]["trackingNumber"] == "JD014600003828"
    assert third_doc["shipment"]["deliveredAt"] is not None
    assert third_doc["payment"]["amount"] == total(2)
    assert third_doc["lines"][0]["productName"] == "Copper Kettle"
    assert third_doc["lines"][0]["unitPrice"] == "39.90"
    first_doc = shop.call(ORDER, id=first, token=shop.token)["order"]
    assert first_doc["shippingAddress"]["city"] == "Kraków"
    assert first_doc["version"] == 2

    # Customer name with a typo, after the rename.
    # A typo in a five-letter word (docs/ARCHITECTURE.md §4: none below five letters).
    nowak = shop.search(search="Marta Nowek", first=100)
    assert nowak["totalCount"] == 26
    assert all(edge["node"]["customer"]["name"] == "Marta Nowak" for edge in nowak["edges"])
    assert any(h["field"].startswith("customer.name") for h in nowak["edges"][0]["highlights"])
    # By SKU and by tracking number: the exact identifier finds them.
    assert len(shop.ids(search="SCF-7", first=100)) == 11
    assert shop.ids(search="JD014600003828")[0] == third
    # By status and date range.
    assert shop.ids(filter={"status": ["CANCELLED"]}) == [fourth]
    window = {
        "placedFrom": started.isoformat(),
        "placedTo": (datetime.now(UTC) + timedelta(minutes=1)).isoformat(),
    }
    in_window = shop.search(filter={**window, "status": ["PLACED", "PAID"]}, first=1)
    assert in_window["totalCount"] == 50
    last_year = {"placedTo": (started - timedelta(days=365)).isoformat()}
    assert shop.search(filter=last_year)["totalCount"] == 0
    facets = shop.search(first=1)["facets"]
    assert {b["value"]: b["count"] for b in facets["status"]} == {
        "PLACED": 49,
        "PAID": 1,
        "DELIVERED": 1,
        "CANCELLED": 1,
    }
    assert {b["value"]: b["count"] for b in facets["country"]} == {"PL": 27, "NO": 25}

    # Paging: 52 results in pages of 7 and of 13 give the same ordered set.
    for sort in (
        [{"field": "PLACED_AT", "direction": "DESC"}],
        [{"field": "TOTAL", "direction": "ASC"}],
    ):
        by_7, by_13 = walk(shop, 7, sort), walk(shop, 13, sort)
        assert by_7 == by_13
        assert len(by_7) == len(set(by_7)) == 52
        assert set(by_7) == set(orders)


def walk(shop: Frontend, size: int, sort: list[dict[str, str]]) -> list[str]:
    ids: list[str] = []
    after = None
    for _ in range(100):
        page = shop.search(first=size, after=after, sort=sort)
        ids.extend(edge["node"]["id"] for edge in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            return ids
        after = page["pageInfo"]["endCursor"]
    raise AssertionError("pagination did not end")
