"""A support agent's story over HTTP: find customers as they are remembered, see their
figures right after each write (consistency tokens), walk the best customers page by
page; a customer sees only their own summary, an anonymous caller nothing."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection

from positions import decode_token
from tests.support.graphql_ws import WAIT, open_live
from tests.support.tokens import bearer_headers, customer
from tests.support.writer import Writer, address

pytestmark = [pytest.mark.search]

REGISTER = "mutation($input: RegisterCustomerInput!) { registerCustomer(input: $input) { %s } }"
UPDATE = "mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { %s } }"
ADD_PRODUCT = "mutation($input: AddProductInput!) { addProduct(input: $input) { %s } }"
PLACE = "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { %s } }"
CANCEL = "mutation($input: CancelOrderInput!) { cancelOrder(input: $input) { %s } }"
SUMMARY = """
  id name email version orderCount ordersByStatus { value count }
  lifetimeValue { amount currency } firstOrderAt lastOrderAt countries
"""
CUSTOMER = f"""
query Customer($id: ID!, $token: String!) {{
  customer(id: $id, consistency: {{atLeast: $token, timeoutMs: 10000}}) {{ {SUMMARY} }}
}}"""
CUSTOMERS = """
query Customers($search: String, $filter: CustomerFilter, $sort: [CustomerSort!],
                $first: Int, $after: String, $token: String!) {
  customers(search: $search, filter: $filter, sort: $sort, first: $first, after: $after,
            consistency: {atLeast: $token, timeoutMs: 10000}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id name lifetimeValue { amount currency } }
            highlights { field fragments } }
  }
}"""
CUSTOMER_CHANGED = """
subscription Follow($id: ID!, $after: String) {
  customerChanged(id: $id, after: $after) {
    version position customer { id name orderCount lifetimeValue { amount currency } }
  }
}"""


class Agent(Writer):
    def read(self, query: str, **variables: Any) -> Any:
        body = self.post(query, {"token": self.token, **variables})
        assert "errors" not in body, body
        (found,) = body["data"].values()
        return found


def test_a_support_agent_finds_customers_and_their_figures(api: httpx.Client) -> None:
    agent = Agent(api)
    marta = agent.write(REGISTER, "customerId", name="Marta Kowalská", email="marta@example.pl")
    jan = agent.write(REGISTER, "customerId", name="Jan Nowak", email="jan.nowak@example.com")
    kettle = agent.write(
        ADD_PRODUCT, "productId", sku="KTL-1", name="Kettle", price="40.00", currency="EUR"
    )
    line = [{"productId": kettle, "quantity": 1}]
    agent.write(PLACE, "orderId", customerId=marta, lines=line, shippingAddress=address("PL"))
    agent.write(PLACE, "orderId", customerId=marta, lines=line, shippingAddress=address("DE"))
    doomed = agent.write(
        PLACE, "orderId", customerId=jan, lines=line, shippingAddress=address("PL")
    )
    agent.write(PLACE, "orderId", customerId=jan, lines=line, shippingAddress=address("PL"))

    summary = agent.read(CUSTOMER, id=marta)
    assert summary["name"] == "Marta Kowalská" and summary["orderCount"] == 2
    assert summary["lifetimeValue"] == [{"amount": "80.00", "currency": "EUR"}]
    assert summary["countries"] == ["DE", "PL"]
    assert summary["ordersByStatus"] == [{"value": "PLACED", "count": 2}]

    agent.write(CANCEL, "orderId", orderId=doomed, reason="duplicate")
    agent.write(UPDATE, "customerId", id=jan, name="Jan Nowakowski")
    jan_now = agent.read(CUSTOMER, id=jan)
    assert jan_now["name"] == "Jan Nowakowski"
    assert jan_now["lifetimeValue"] == [{"amount": "40.00", "currency": "EUR"}]
    assert jan_now["ordersByStatus"] == [
        {"value": "PLACED", "count": 1},
        {"value": "CANCELLED", "count": 1},
    ]

    # Accents folded, a typo in a long word, an email's local part, the whole email.
    for text, expected in (
        ("marta kowalska", marta),
        ("nowakowsky", jan),
        ("jan.nowak", jan),
        ("marta@example.pl", marta),
    ):
        found = agent.read(CUSTOMERS, search=text)
        assert [edge["node"]["id"] for edge in found["edges"]][:1] == [expected], text
    hit = agent.read(CUSTOMERS, search="kowalska")["edges"][0]
    assert {"field": "name", "fragments": ["Marta <em>Kowalská</em>"]} in hit["highlights"]

    in_poland = agent.read(CUSTOMERS, filter={"country": "PL", "minOrders": 2})
    assert in_poland["totalCount"] == 2

    # The best customers, one per page.
    sort = [{"field": "LIFETIME_VALUE", "direction": "DESC"}]
    first = agent.read(CUSTOMERS, sort=sort, first=1)
    assert first["totalCount"] == 2 and first["pageInfo"]["hasNextPage"]
    assert first["edges"][0]["node"]["id"] == marta
    after = first["pageInfo"]["endCursor"]
    second = agent.read(CUSTOMERS, sort=sort, first=1, after=after)
    assert [e["node"]["id"] for e in second["edges"]] == [jan]
    assert second["pageInfo"] == {"hasNextPage": False, "endCursor": second["edges"][0]["cursor"]}

    # A customer sees their own summary only; an anonymous caller is refused.
    as_marta = bearer_headers(customer(marta))
    own = agent.post(CUSTOMER, {"id": marta, "token": agent.token}, as_marta)
    assert own["data"]["customer"]["id"] == marta
    other = agent.post(CUSTOMER, {"id": jan, "token": agent.token}, as_marta)
    assert other == {"data": {"customer": None}}
    listed = agent.post(CUSTOMERS, {"token": agent.token}, as_marta)["data"]["customers"]
    assert listed["totalCount"] == 1
    assert [e["node"]["id"] for e in listed["edges"]] == [marta]
    with httpx.Client(base_url=api.base_url, timeout=30) as anonymous:
        response = anonymous.post(
            "/graphql", json={"query": CUSTOMERS, "variables": {"token": agent.token}}
        )
    codes = [error["extensions"]["code"] for error in response.json()["errors"]]
    assert codes == ["UNAUTHENTICATED"]


def subscribe(ws: ClientConnection, op_id: str, **variables: Any) -> None:
    payload = {"query": CUSTOMER_CHANGED, "variables": variables}
    ws.send(json.dumps({"id": op_id, "type": "subscribe", "payload": payload}))


def next_message(ws: ClientConnection, op_id: str) -> dict[str, Any]:
    """The next `next` or `error` message of subscription `op_id` (bounded wait)."""
    deadline = time.monotonic() + WAIT
    while True:
        message: dict[str, Any] = json.loads(
            ws.recv(timeout=max(deadline - time.monotonic(), 0.01))
        )
        if message.get("id") == op_id and message["type"] in ("next", "error"):
            return message


def test_a_customers_summary_is_followed_live(api: httpx.Client) -> None:
    agent = Agent(api)
    ada = agent.write(REGISTER, "customerId", name="Ada Live", email="ada@live.example")
    lamp = agent.write(
        ADD_PRODUCT, "productId", sku="LMP-1", name="Lamp", price="20.00", currency="EUR"
    )
    registered = agent.token
    with open_live(api) as ws:
        subscribe(ws, "ada", id=ada, after=registered)
        line = [{"productId": lamp, "quantity": 2}]
        agent.write(PLACE, "orderId", customerId=ada, lines=line, shippingAddress=address("FR"))
        placed = agent.token

        change = next_message(ws, "ada")["payload"]["data"]["customerChanged"]
        while decode_token(change["position"]) < decode_token(placed):
            change = next_message(ws, "ada")["payload"]["data"]["customerChanged"]
        assert change["customer"] == {
            "id": ada,
            "name": "Ada Live",
            "orderCount": 1,
            "lifetimeValue": [{"amount": "40.00", "currency": "EUR"}],
        }
        # A query sent on receipt with the change's position sees it.
        agent.token = change["position"]
        assert agent.read(CUSTOMER, id=ada)["orderCount"] == 1

    other = agent.write(REGISTER, "customerId", name="Bo Other", email="bo@live.example")
    as_ada = {"Authorization": bearer_headers(customer(ada))["Authorization"]}
    with open_live(api, as_ada) as ws:
        subscribe(ws, "other", id=other)
        refused = next_message(ws, "other")
        assert refused["type"] == "next" and refused["payload"]["data"] is None
        assert [e["extensions"]["code"] for e in refused["payload"]["errors"]] == ["FORBIDDEN"]
