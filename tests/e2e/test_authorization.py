"""Every operation x {anonymous, customer A, customer B, staff}, over HTTP with real tokens.

Allowed calls succeed; denied ones get their code and write nothing (rows and events
counted before and after); reads of customer A count only A's orders.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support.graphql_ws import open_live
from tests.support.tables import row_counts
from tests.support.tokens import bearer_headers, customer

pytestmark = [pytest.mark.search]

ADDRESS = {"name": "A", "line1": "1 Road", "city": "Oslo", "postalCode": "0150", "country": "NO"}
PAYLOAD = "version userErrors { code field message }"
WAIT = "consistency: {atLeast: $token, timeoutMs: 10000}"


def mutation(name: str, id_field: str) -> str:
    kind = name[0].upper() + name[1:]
    return f"mutation($input: {kind}Input!) {{ {name}(input: $input) {{ {id_field} {PAYLOAD} }} }}"


@dataclass
class World:
    api: httpx.Client
    ana: str
    bea: str
    product: str

    def as_(self, role: str) -> dict[str, str]:
        if role == "staff":
            return dict(self.api.headers)
        if role == "anonymous":
            return {"Authorization": ""}  # httpx drops an empty header: no token at all
        return bearer_headers(customer(self.ana if role == "ana" else self.bea))

    def post(self, role: str, query: str, **variables: Any) -> dict[str, Any]:
        headers = {k: v for k, v in self.as_(role).items() if v}
        client = httpx.Client(base_url=self.api.base_url, timeout=30, headers=headers)
        with client:
            response = client.post("/graphql", json={"query": query, "variables": variables})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def staff(self, mutation_name: str, id_field: str, **fields: Any) -> dict[str, Any]:
        body = self.post("staff", mutation(mutation_name, id_field), input=fields)
        payload: dict[str, Any] = body["data"][mutation_name]
        assert payload["userErrors"] == [], payload
        return payload

    def order_for(self, customer_id: str, state: str = "PLACED") -> str:
        lines = [{"productId": self.product, "quantity": 1}]
        placed = self.staff(
            "placeOrder", "orderId", customerId=customer_id, lines=lines, shippingAddress=ADDRESS
        )
        if state in ("PAID", "SHIPPED"):
            self.staff("payOrder", "orderId", orderId=placed["orderId"], amount="12.50")
        if state == "SHIPPED":
            self.staff(
                "shipOrder",
                "orderId",
                orderId=placed["orderId"],
                carrier="DHL",
                trackingNumber="T1",
            )
        return str(placed["orderId"])


@pytest.fixture
def world(api: httpx.Client) -> World:
    w = World(api, ana="", bea="", product="")
    w.ana = w.staff("registerCustomer", "customerId", name="Ana Alves", email="ana@example.com")[
        "customerId"
    ]
    w.bea = w.staff("registerCustomer", "customerId", name="Bea Berg", email="bea@example.com")[
        "customerId"
    ]
    product = w.staff("addProduct", "productId", sku="MUG-1", name="Mug", price="12.50",
                      currency="EUR")  # fmt: skip
    w.product = product["productId"]
    return w


# Each case: the mutation, the id field of its payload, a builder of its input from the
# world (run before the call, so a fresh order is in the state the command needs), and the
# outcome per role: "ok", a userError code, or "UNAUTHENTICATED" (a GraphQL error).
Inputs = Callable[[World], dict[str, Any]]
CASES: list[tuple[str, str, Inputs, dict[str, str]]] = [
    (
        "registerCustomer",
        "customerId",
        lambda w: {"name": "New Person", "email": f"new-{uuid.uuid4().hex[:8]}@example.com"},
        {"anonymous": "ok", "ana": "ok", "bea": "ok", "staff": "ok"},
    ),
    (
        "updateCustomer",
        "customerId",
        lambda w: {"id": w.ana, "name": "Ana Renamed"},
        {"anonymous": "UNAUTHENTICATED", "ana": "ok", "bea": "NOT_FOUND", "staff": "ok"},
    ),
    (
        "addProduct",
        "productId",
        lambda w: {
            "sku": f"SKU-{uuid.uuid4().hex[:8]}",
            "name": "Pen",
            "price": "1.00",
            "currency": "EUR",
        },
        {"anonymous": "UNAUTHENTICATED", "ana": "FORBIDDEN", "bea": "FORBIDDEN", "staff": "ok"},
    ),
    (
        "updateProduct",
        "productId",
        lambda w: {"id": w.product, "price": "13.00"},
        {"anonymous": "UNAUTHENTICATED", "ana": "FORBIDDEN", "bea": "FORBIDDEN", "staff": "ok"},
    ),
    (
        "placeOrder",
        "orderId",
        lambda w: {
            "customerId": w.ana,
            "lines": [{"productId": w.product, "quantity": 2}],
            "shippingAddress": ADDRESS,
        },
        {"anonymous": "UNAUTHENTICATED", "ana": "ok", "bea": "FORBIDDEN", "staff": "ok"},
    ),
    (
        "updateShippingAddress",
        "orderId",
        lambda w: {"orderId": w.order_for(w.ana), "address": {**ADDRESS, "city": "Bergen"}},
        {"anonymous": "UNAUTHENTICATED", "ana": "ok", "bea": "NOT_FOUND", "staff": "ok"},
    ),
    (
        "cancelOrder",
        "orderId",
        lambda w: {"orderId": w.order_for(w.ana), "reason": "changed my mind"},
        {"anonymous": "UNAUTHENTICATED", "ana": "ok", "bea": "NOT_FOUND", "staff": "ok"},
    ),
    (
        "payOrder",
        "orderId",
        lambda w: {"orderId": w.order_for(w.ana), "amount": "12.50"},
        {"anonymous": "UNAUTHENTICATED", "ana": "FORBIDDEN", "bea": "FORBIDDEN", "staff": "ok"},
    ),
    (
        "shipOrder",
        "orderId",
        lambda w: {
            "orderId": w.order_for(w.ana, "PAID"),
            "carrier": "DHL",
            "trackingNumber": "T2",
        },
        {"anonymous": "UNAUTHENTICATED", "ana": "FORBIDDEN", "bea": "FORBIDDEN", "staff": "ok"},
    ),
    (
        "deliverOrder",
        "orderId",
        lambda w: {"orderId": w.order_for(w.ana, "SHIPPED")},
        {"anonymous": "UNAUTHENTICATED", "ana": "FORBIDDEN", "bea": "FORBIDDEN", "staff": "ok"},
    ),
]
ROLES = ("anonymous", "ana", "bea", "staff")


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_each_mutation_for_each_role(
    world: World, database_url: str, case: tuple[str, str, Inputs, dict[str, str]]
) -> None:
    name, id_field, inputs, outcomes = case
    for role in ROLES:
        fields = inputs(world)
        before = row_counts(database_url)
        body = world.post(role, mutation(name, id_field), input=fields)
        expected = outcomes[role]
        if expected == "UNAUTHENTICATED":
            assert body["data"] is None, (role, body)
            assert [e["extensions"]["code"] for e in body["errors"]] == [expected], (role, body)
        else:
            assert "errors" not in body, (role, body)
            payload = body["data"][name]
            got = [error["code"] for error in payload["userErrors"]] or ["ok"]
            assert got == [expected], (role, payload)
            if expected == "ok":
                assert payload[id_field] is not None
                continue
            assert payload[id_field] is None
        assert row_counts(database_url) == before, (name, role)  # a denial writes nothing


ORDER = f"query($id: ID!, $token: String!) {{ order(id: $id, {WAIT}) {{ id customer {{ id }} }} }}"
SEARCH = (
    f"query($token: String!) {{ orders(first: 50, {WAIT}) {{"
    " totalCount edges { node { id customer { id } } }"
    " facets { status { value count } country { value count } } } }"
)
SUGGEST = 'query { orderSuggestions(prefix: "Be") { kind value orderCount } }'


def test_reads_show_a_customer_only_their_own_orders(world: World) -> None:
    ana_orders = {world.order_for(world.ana) for _ in range(2)}
    bea_order = world.order_for(world.bea, "PAID")
    third = world.order_for(world.ana)
    ana_orders.add(third)
    paid = world.staff("payOrder", "orderId position", orderId=third, amount="12.50")
    token = paid["position"]

    def search(role: str) -> dict[str, Any]:
        body = world.post(role, SEARCH, token=token)
        assert "errors" not in body, body
        return dict(body["data"]["orders"])

    everything, ana_view, bea_view = search("staff"), search("ana"), search("bea")
    assert everything["totalCount"] == 4
    assert ana_view["totalCount"] == 3
    assert {e["node"]["customer"]["id"] for e in ana_view["edges"]} == {world.ana}
    assert {e["node"]["customer"]["id"] for e in bea_view["edges"]} == {world.bea}
    assert sum(b["count"] for b in ana_view["facets"]["status"]) == 3
    assert {b["value"]: b["count"] for b in bea_view["facets"]["status"]} == {"PAID": 1}
    assert sum(b["count"] for b in bea_view["facets"]["country"]) == 1

    for role, order_id, visible in [
        ("ana", bea_order, False),
        ("bea", bea_order, True),
        ("staff", bea_order, True),
        *[("ana", oid, True) for oid in ana_orders],
    ]:
        body = world.post(role, ORDER, id=order_id, token=token)
        assert "errors" not in body, body
        assert (body["data"]["order"] is not None) == visible, (role, order_id)

    def suggested(role: str) -> set[str]:
        body = world.post(role, SUGGEST)
        assert "errors" not in body, body
        return {s["value"] for s in body["data"]["orderSuggestions"]}

    assert "Bea Berg" in suggested("staff")
    assert "Bea Berg" in suggested("bea")
    assert "Bea Berg" not in suggested("ana")  # nothing of B's orders reaches A


@pytest.mark.parametrize(
    "query",
    ["query($id: ID!) { order(id: $id) { id } }", SEARCH, SUGGEST],
    ids=["order", "orders", "orderSuggestions"],
)
def test_anonymous_reads_are_unauthenticated(world: World, query: str) -> None:
    body = world.post("anonymous", query, id=world.ana, token="MDow")
    assert not any((body["data"] or {}).values()), body  # null, or {"order": null}
    assert {e["extensions"]["code"] for e in body["errors"]} == {"UNAUTHENTICATED"}


@pytest.mark.parametrize(
    ("authorization", "reason"),
    [
        ("Bearer not-a-jwt", "invalid"),
        ("Basic dXNlcjpwdw==", "Bearer"),
        ("Bearer " + "e" * 5000, "longer"),
    ],
)
def test_a_bad_token_fails_every_operation(world: World, authorization: str, reason: str) -> None:
    with httpx.Client(base_url=world.api.base_url, timeout=30) as client:
        response = client.post(
            "/graphql",
            json={"query": "{ __typename }"},
            headers={"Authorization": authorization},
        )
    body = response.json()
    assert body.get("data") is None, body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert reason in error["message"]


def test_an_idempotency_key_belongs_to_its_principal(world: World) -> None:
    """The same key from two customers places two orders: neither sees the other's result."""
    results = []
    for who, customer_id in (("ana", world.ana), ("bea", world.bea)):
        lines = [{"productId": world.product, "quantity": 1}]
        fields = {"customerId": customer_id, "lines": lines, "shippingAddress": ADDRESS}
        fields["idempotencyKey"] = "cart-1"
        body = world.post(who, mutation("placeOrder", "orderId"), input=fields)
        assert body["data"]["placeOrder"]["userErrors"] == [], body
        results.append(body["data"]["placeOrder"]["orderId"])
    assert results[0] != results[1]


ORDERS_CHANGED = (
    "subscription($c: ID) { ordersChanged(customerId: $c) { order { id customer { id } } } }"
)
ORDER_CHANGED = "subscription($id: ID!) { orderChanged(id: $id) { order { id customer { id } } } }"


def _subscribe(ws: Any, op_id: str, query: str, **variables: Any) -> None:
    payload = {"query": query, "variables": variables}
    ws.send(json.dumps({"id": op_id, "type": "subscribe", "payload": payload}))


def test_subscriptions_send_a_customer_only_their_own_orders(world: World) -> None:
    bea_order = world.order_for(world.bea)
    with open_live(world.api, {"Authorization": world.as_("ana")["Authorization"]}) as ws:
        _subscribe(ws, "mine", ORDERS_CHANGED)
        _subscribe(ws, "peek", ORDER_CHANGED, id=bea_order)
        _subscribe(ws, "theirs", ORDERS_CHANGED, c=world.bea)
        refused = json.loads(ws.recv(timeout=15))
        assert (refused["id"], refused["type"]) == ("theirs", "next"), refused
        assert refused["payload"]["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        world.staff("payOrder", "orderId", orderId=bea_order, amount="12.50")  # not for A
        world.order_for(world.bea)
        ana_order = world.order_for(world.ana)  # after B's changes in the log
        seen = []
        while True:
            message = json.loads(ws.recv(timeout=15))
            if message["type"] == "complete" and message["id"] == "theirs":
                continue  # the refused subscription's end
            seen.append(message)
            if message["type"] == "next" and message["id"] == "mine":
                order = message["payload"]["data"]["ordersChanged"]["order"]
                if order["id"] == ana_order:
                    break
        assert all(m["id"] == "mine" for m in seen), seen
        assert {m["payload"]["data"]["ordersChanged"]["order"]["customer"]["id"] for m in seen} == {
            world.ana
        }


def test_registration_can_be_for_staff_only(
    database_url: str, search_url: str, index_prefix: str
) -> None:
    from tests.e2e.conftest import serve

    query = mutation("registerCustomer", "customerId")
    fields = {"name": "New Person", "email": "new@example.com"}
    with serve(database_url, search_url, index_prefix, registration="staff") as api:
        before = row_counts(database_url)
        anonymous = httpx.post(
            f"{api.base_url}/graphql", json={"query": query, "variables": {"input": fields}}
        ).json()
        as_customer = api.post(
            "/graphql",
            json={"query": query, "variables": {"input": fields}},
            headers=bearer_headers(customer("someone")),
        ).json()
        assert [e["extensions"]["code"] for e in anonymous["errors"]] == ["UNAUTHENTICATED"]
        assert [e["code"] for e in as_customer["data"]["registerCustomer"]["userErrors"]] == [
            "FORBIDDEN"
        ]
        assert row_counts(database_url) == before
        staff = api.post("/graphql", json={"query": query, "variables": {"input": fields}})
        assert staff.json()["data"]["registerCustomer"]["userErrors"] == []
