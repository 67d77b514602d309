"""Live updates as a frontend sees them: a WebSocket subscription, then a query on receipt."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection

from positions import decode_token
from tests.support.graphql_ws import open_live

pytestmark = [pytest.mark.search]

WAIT = 15.0  # seconds: the longest a test waits for one message

REGISTER_CUSTOMER = """
mutation($input: RegisterCustomerInput!) {
  registerCustomer(input: $input) { customerId position userErrors { code } }
}"""
UPDATE_CUSTOMER = """
mutation($input: UpdateCustomerInput!) {
  updateCustomer(input: $input) { customerId position userErrors { code } }
}"""
ADD_PRODUCT = """
mutation($input: AddProductInput!) {
  addProduct(input: $input) { productId position userErrors { code } }
}"""
PLACE_ORDER = """
mutation($input: PlaceOrderInput!) {
  placeOrder(input: $input) { orderId version position userErrors { code } }
}"""
PAY_ORDER = """
mutation($input: PayOrderInput!) {
  payOrder(input: $input) { orderId version position userErrors { code } }
}"""
ORDER_NOW = """
query($id: ID!, $token: String!) {
  order(id: $id, consistency: {atLeast: $token, timeoutMs: 0}) { id status version }
}"""
ORDER_CHANGED = """
subscription($id: ID!, $after: String) {
  orderChanged(id: $id, after: $after) { version position order { id status version } }
}"""
ORDERS_CHANGED = """
subscription($customerId: ID, $after: String) {
  ordersChanged(customerId: $customerId, after: $after) {
    version position order { id customer { name } }
  }
}"""


def call(api: httpx.Client, query: str, **variables: Any) -> dict[str, Any]:
    response = api.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


def mutate(api: httpx.Client, query: str, **fields: Any) -> dict[str, Any]:
    payload: dict[str, Any] = next(iter(call(api, query, input=fields).values()))
    assert payload["userErrors"] == []
    return payload


@pytest.fixture
def live(api: httpx.Client) -> Iterator[ClientConnection]:
    """A graphql-transport-ws connection to the same server, acknowledged."""
    with open_live(api) as ws:
        yield ws


def subscribe(ws: ClientConnection, op_id: str, query: str, **variables: Any) -> None:
    message = {
        "id": op_id,
        "type": "subscribe",
        "payload": {"query": query, "variables": variables},
    }
    ws.send(json.dumps(message))


def next_change(ws: ClientConnection, op_id: str) -> dict[str, Any]:
    """The next `next` message of subscription `op_id` (bounded wait)."""
    deadline = time.monotonic() + WAIT
    while True:
        message = json.loads(ws.recv(timeout=max(deadline - time.monotonic(), 0.01)))
        assert message["type"] != "error", message
        if message["type"] == "next" and message["id"] == op_id:
            assert "errors" not in message["payload"], message["payload"]
            return dict(next(iter(message["payload"]["data"].values())))


def place_an_order(api: httpx.Client) -> tuple[str, str, dict[str, Any]]:
    customer = mutate(api, REGISTER_CUSTOMER, name="Ada Live", email="ada@live.example")
    product = mutate(api, ADD_PRODUCT, sku="LIVE-1", name="Lamp", price="20.00", currency="EUR")
    address = {"name": "Ada", "line1": "1 Road", "city": "Lyon", "postalCode": "69001"}
    order = mutate(
        api,
        PLACE_ORDER,
        customerId=customer["customerId"],
        lines=[{"productId": product["productId"], "quantity": 1}],
        shippingAddress={**address, "country": "FR"},
    )
    return customer["customerId"], order["orderId"], order


def test_a_subscriber_hears_of_a_payment_and_a_query_on_receipt_sees_it(
    api: httpx.Client, live: ClientConnection
) -> None:
    _, order_id, placed = place_an_order(api)
    # `after` the placement: the payment is delivered however fast it is projected.
    subscribe(live, "1", ORDER_CHANGED, id=order_id, after=placed["position"])
    paid = mutate(api, PAY_ORDER, orderId=order_id, amount="20.00")

    change = next_change(live, "1")
    while change["version"] < paid["version"]:  # the placement, if projected with the payment
        change = next_change(live, "1")
    seen = call(api, ORDER_NOW, id=order_id, token=change["position"])["order"]

    assert change["version"] == paid["version"] == 2
    assert change["order"] == {"id": order_id, "status": "PAID", "version": 2}
    assert decode_token(change["position"]) >= decode_token(paid["position"])
    assert seen == {"id": order_id, "status": "PAID", "version": 2}


def test_a_customer_subscriber_hears_of_a_rename_on_each_of_their_orders(
    api: httpx.Client, live: ClientConnection
) -> None:
    customer_id, first, _ = place_an_order(api)
    product = mutate(api, ADD_PRODUCT, sku="LIVE-2", name="Desk", price="5.00", currency="EUR")
    address = {"name": "Ada", "line1": "1 Road", "city": "Lyon", "postalCode": "69001"}
    second = mutate(
        api,
        PLACE_ORDER,
        customerId=customer_id,
        lines=[{"productId": product["productId"], "quantity": 1}],
        shippingAddress={**address, "country": "FR"},
    )
    subscribe(live, "all", ORDERS_CHANGED, customerId=customer_id, after=second["position"])
    renamed = mutate(api, UPDATE_CUSTOMER, id=customer_id, name="Ada Lovelace")

    changes = [next_change(live, "all") for _ in range(2)]

    assert {c["order"]["id"] for c in changes} == {first, second["orderId"]}
    assert {c["order"]["customer"]["name"] for c in changes} == {"Ada Lovelace"}
    for c in changes:  # a fan-out changes the document, not the order's version
        assert c["version"] == 1
        assert decode_token(c["position"]) >= decode_token(renamed["position"])
        assert call(api, ORDER_NOW, id=c["order"]["id"], token=c["position"])["order"]
