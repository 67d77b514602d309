"""GraphQL over HTTP and WebSocket as the spec and a frontend expect, on a real server.

`application/graphql-response+json`: status codes tell a request that could not run;
`application/json`: 200 with the errors. Request errors are JSON with a code, never plain
text; a bad `subscribe` ends only its own operation.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection

from tests.e2e.test_subscriptions import (
    ADD_PRODUCT,
    ORDERS_CHANGED,
    PLACE_ORDER,
    REGISTER_CUSTOMER,
    WAIT,
    mutate,
    next_change,
    subscribe,
)
from tests.support.graphql_ws import open_live

pytestmark = [pytest.mark.search]

GRAPHQL_RESPONSE = "application/graphql-response+json"
MODERN = {"Accept": f"{GRAPHQL_RESPONSE}, application/json;q=0.9"}
LEGACY = {"Accept": "application/json"}


def post(api: httpx.Client, body: Any, headers: dict[str, str]) -> httpx.Response:
    return api.post("/graphql", json=body, headers=headers)


def codes(response: httpx.Response) -> list[str]:
    return [error["extensions"]["code"] for error in response.json()["errors"]]


def test_a_successful_query_in_either_media_type(api: httpx.Client) -> None:
    for headers, media in ((MODERN, GRAPHQL_RESPONSE), (LEGACY, "application/json")):
        response = post(api, {"query": "{ __typename }"}, headers)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(media)
        assert response.json() == {"data": {"__typename": "Query"}}
    anything = post(api, {"query": "{ __typename }"}, {"Accept": "*/*"})
    assert anything.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"query": "{ orders { "}, "GRAPHQL_PARSE_FAILED"),
        ({"query": "{ nope }"}, "GRAPHQL_VALIDATION_FAILED"),
        ({"query": "query A { __typename }", "operationName": "B"}, "BAD_USER_INPUT"),
        ({"query": "query A { __typename } query B { __typename }"}, "BAD_USER_INPUT"),
        ({"query": "subscription { ordersChanged { version } }"}, "BAD_USER_INPUT"),
    ],
    ids=["syntax", "validation", "unknown-operation", "two-operations", "subscription"],
)
def test_request_errors(api: httpx.Client, body: dict[str, Any], code: str) -> None:
    modern = post(api, body, MODERN)
    assert modern.status_code == 400
    assert modern.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert "data" not in modern.json()  # the request did not run
    assert codes(modern) == [code]
    legacy = post(api, body, LEGACY)
    assert legacy.status_code == 200
    assert legacy.headers["content-type"].startswith("application/json")
    assert codes(legacy) == [code]


def test_the_named_operation_of_several_runs(api: httpx.Client) -> None:
    body = {"query": "query A { a: __typename } query B { b: __typename }", "operationName": "B"}
    assert post(api, body, MODERN).json() == {"data": {"b": "Query"}}


def test_a_refused_token_is_401_and_a_missing_one_a_field_error(api: httpx.Client) -> None:
    forged = post(api, {"query": "{ __typename }"}, {**MODERN, "Authorization": "Bearer x.y.z"})
    assert (forged.status_code, codes(forged)) == (401, ["UNAUTHENTICATED"])
    anonymous = httpx.post(
        f"{api.base_url}/graphql", json={"query": "{ orders { totalCount } }"}, headers=MODERN
    )
    # The operation ran and its field failed: 200 with data null (a field error).
    assert (anonymous.status_code, anonymous.json()["data"]) == (200, None)
    assert codes(anonymous) == ["UNAUTHENTICATED"]


@pytest.mark.parametrize(
    ("content", "status"),
    [(b"{not json", 400), (b'{"variables": {}}', 400)],
    ids=["invalid-json", "no-query"],
)
def test_unreadable_bodies_are_json_errors_with_a_code(
    api: httpx.Client, content: bytes, status: int
) -> None:
    for headers in (MODERN, LEGACY):
        response = api.post(
            "/graphql", content=content, headers={**headers, "Content-Type": "application/json"}
        )
        assert response.status_code == status
        assert codes(response) == ["BAD_USER_INPUT"]
        assert response.json()["errors"][0]["message"]


def test_a_put_is_refused_with_a_json_error(api: httpx.Client) -> None:
    response = api.put("/graphql", json={"query": "{ __typename }"}, headers=MODERN)
    assert response.status_code == 405
    assert codes(response) == ["BAD_USER_INPUT"]


def _error_of(ws: ClientConnection, op_id: str) -> list[dict[str, Any]]:
    deadline = time.monotonic() + WAIT
    while True:
        message = json.loads(ws.recv(timeout=max(deadline - time.monotonic(), 0.01)))
        if message.get("id") == op_id:
            assert message["type"] == "error", message
            return list(message["payload"])


def test_a_bad_subscribe_ends_only_its_own_operation(api: httpx.Client) -> None:
    customer = mutate(api, REGISTER_CUSTOMER, name="Ada Live", email="ada@live.example")
    product = mutate(api, ADD_PRODUCT, sku="LIVE-1", name="Lamp", price="20.00", currency="EUR")
    address = {"name": "Ada", "line1": "1 Road", "city": "Lyon", "postalCode": "69001"}
    with open_live(api) as ws:
        subscribe(ws, "good", ORDERS_CHANGED, customerId=customer["customerId"])
        subscribe(ws, "also-good", ORDERS_CHANGED)
        subscribe(ws, "typo", "subscription { ordersChanged { version ")
        [syntax] = _error_of(ws, "typo")
        assert syntax["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
        message = {
            "id": "unnamed",
            "type": "subscribe",
            "payload": {"query": "subscription A { ordersChanged { version } }",
                        "operationName": "B"},
        }  # fmt: skip
        ws.send(json.dumps(message))
        [unknown] = _error_of(ws, "unnamed")
        assert unknown["extensions"]["code"] == "BAD_USER_INPUT"
        placed = mutate(
            api,
            PLACE_ORDER,
            customerId=customer["customerId"],
            lines=[{"productId": product["productId"], "quantity": 1}],
            shippingAddress={**address, "country": "FR"},
        )
        change = next_change(ws, "good")  # the socket and the good subscriptions live on
        assert change["order"]["id"] == placed["orderId"]
