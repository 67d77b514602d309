"""Each request limit hit by a crafted request: refused with its code while normal
requests (and `/health`) keep being answered."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect as ws_connect

from positions import ORIGIN, Position, encode_token
from settings import load_settings
from tests.e2e.limits_server import (
    WAIT,
    closed_by_server,
    connect,
    head,
    read_response,
    readable,
    serving,
)
from tests.support.graphql_ws import GRAPHQL_TRANSPORT_WS, graphql_ws_url, open_live
from tests.unit.schema.schema_documents import fragment_bomb, spread_chain

pytestmark = [
    pytest.mark.search,
    # Limits are the HTTP layer's: one database engine is enough.
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

MB = 1024 * 1024
CHUNK = b"x" * 65_536
ORDER = '{ order(id: "nope") { id } }'
Limited = Callable[..., AbstractContextManager[httpx.Client]]


@pytest.fixture
def limited(api: httpx.Client, database_url: str, search_url: str, index_prefix: str) -> Limited:
    """Start a server on the same database and index with the given settings."""

    def start(**limits: Any) -> AbstractContextManager[httpx.Client]:
        settings = load_settings(
            database_url=database_url, search_url=search_url, index_prefix=index_prefix, **limits
        )
        return serving(settings, api.headers)

    return start


def rss() -> int:
    """This process' resident memory in bytes (the `api` server runs in a thread of it)."""
    status = Path("/proc/self/status").read_text()
    kilobytes = next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS"))
    return int(kilobytes) * 1024


def send(sock: Any, data: bytes) -> bool:
    """Send unless the server has already closed the connection."""
    try:
        sock.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        return False
    return True


def codes(response: httpx.Response) -> list[str]:
    return [error["extensions"]["code"] for error in response.json()["errors"]]


def query(client: httpx.Client, text: str, **variables: Any) -> httpx.Response:
    return client.post("/graphql", json={"query": text, "variables": variables})


def test_a_50_mb_body_is_refused_unread_and_health_answers_throughout(api: httpx.Client) -> None:
    before = rss()
    for framing in (f"Content-Length: {50 * MB}", "Transfer-Encoding: chunked"):
        with connect(api) as sock:
            json_type = "Content-Type: application/json"
            sock.sendall(head(api, "POST /graphql HTTP/1.1", json_type, framing))
            sent = 0
            while sent < 50 * MB and not readable(sock):  # until the server answers
                assert api.get("/health").status_code == 200
                piece = CHUNK if framing.startswith("Content") else b"10000\r\n" + CHUNK + b"\r\n"
                if not send(sock, piece):
                    break
                sent += len(CHUNK)
            status, body = read_response(sock)
            assert status == 413 and closed_by_server(sock)
            (error,) = json.loads(body)["errors"]
            assert error["extensions"] == {"code": "REQUEST_TOO_LARGE"}
            assert "(MAX_BODY_BYTES)" in error["message"]
            assert sent < 50 * MB  # answered at the limit, not at the end (kernel buffers
            # on loopback take a few MB more than the server reads)
    assert rss() - before < 8 * MB
    assert query(api, ORDER).json() == {"data": {"order": None}}


def test_a_fragment_bomb_and_a_spread_chain_are_refused_while_health_answers(
    api: httpx.Client,
) -> None:
    def post(text: str) -> httpx.Response:
        with httpx.Client(base_url=api.base_url, headers=api.headers, timeout=WAIT) as client:
            return query(client, text)

    def health() -> int:
        with httpx.Client(base_url=api.base_url, timeout=WAIT) as client:
            return client.get("/health").status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        refused = [pool.submit(post, text) for text in (fragment_bomb(300), spread_chain(300))]
        answered = [pool.submit(health) for _ in range(4)]
        bomb, chain = (future.result(timeout=WAIT) for future in refused)
        assert [future.result(timeout=WAIT) for future in answered] == [200] * 4
    for response, limit in ((bomb, "QUERY_MAX_SPREADS"), (chain, "QUERY_MAX_FRAGMENT_NESTING")):
        errors = response.json()["errors"]
        assert {error["extensions"]["code"] for error in errors} == {"GRAPHQL_VALIDATION_FAILED"}
        assert limit in [error["extensions"]["limit"] for error in errors]
    assert query(api, ORDER).json() == {"data": {"order": None}}


def test_batches_are_refused_unless_a_setting_allows_them(
    api: httpx.Client, limited: Limited
) -> None:
    batch = [{"query": "{ __typename }"}] * 2
    refused = api.post("/graphql", json=batch)
    assert refused.status_code == 400 and "Batching is not enabled" in refused.text
    with limited(max_batch_operations=2) as client:
        answered = client.post("/graphql", json=batch)
        assert answered.json() == [{"data": {"__typename": "Query"}}] * 2
        too_many = client.post("/graphql", json=batch * 2)
        assert too_many.status_code == 400 and "Too many operations" in too_many.text


def test_slow_and_oversized_request_heads_and_bodies_are_cut_off(limited: Limited) -> None:
    # A kept-alive connection idle past the header deadline is closed by the server
    # (as it should be); a fresh connection per request keeps that race out of here.
    no_reuse = httpx.Limits(max_keepalive_connections=0)
    with (
        limited(header_timeout=2.0, body_timeout=1.0, max_header_bytes=4096) as pooled,
        httpx.Client(base_url=pooled.base_url, headers=pooled.headers, limits=no_reuse) as client,
    ):
        idle = connect(client)
        hanging = [connect(client) for _ in range(200)]
        for sock in hanging:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: loc")  # half a header line
        assert client.get("/health").status_code == 200  # while 200 heads hang
        for sock in hanging:
            status, body = read_response(sock)
            assert status == 408 and closed_by_server(sock)
            assert json.loads(body)["errors"][0]["extensions"] == {"code": "REQUEST_TIMEOUT"}
            sock.close()
        assert closed_by_server(idle)  # a connection that sent nothing: closed, unanswered

        with connect(client) as trickle:  # a byte at a time does not extend the deadline
            request = b"GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"z" * 100
            for byte in request:
                if readable(trickle):
                    break
                if not send(trickle, bytes([byte])):
                    break
                time.sleep(0.1)
            assert read_response(trickle)[0] == 408

        with connect(client) as slow_body:
            slow_body.sendall(head(client, "POST /graphql HTTP/1.1", "Content-Length: 100"))
            slow_body.sendall(b'{"query":')
            status, body = read_response(slow_body)
            assert status == 408 and "(BODY_TIMEOUT)" in body.decode()

        with connect(client) as big:
            big.sendall(head(client, "GET /health HTTP/1.1", "X-Padding: " + "p" * 5_000))
            status, body = read_response(big)
            assert status == 431 and "(MAX_HEADER_BYTES)" in body.decode()

        assert query(client, ORDER).json() == {"data": {"order": None}}


SLOW_ORDER = """query($token: String!) {
  order(id: "nope", consistency: {atLeast: $token, timeoutMs: 20000}) { id }
}"""


def test_a_graphql_request_over_its_time_is_stopped_but_a_subscription_is_not(
    api: httpx.Client, limited: Limited
) -> None:
    ahead = encode_token(Position(2**40, 2**40))  # a position the index never reaches
    with limited(graphql_timeout=1.0) as client:
        stopped = query(client, SLOW_ORDER, token=ahead)
        assert stopped.status_code == 504 and codes(stopped) == ["TIMEOUT"]
        assert "(GRAPHQL_TIMEOUT)" in stopped.json()["errors"][0]["message"]

        with open_live(client, dict(client.headers)) as ws:
            changes = "subscription { ordersChanged { order { id customer { name } } } }"
            ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": changes}}))
            time.sleep(1.5)  # longer than the timeout: the subscription stays
            registered = register(api, "Tim Out")
            message = json.loads(ws.recv(timeout=WAIT))
            assert message["type"] == "next", message
            assert message["payload"]["data"]["ordersChanged"]["order"]["customer"]["name"] == (
                "Tim Out"
            )
            assert registered


def register(api: httpx.Client, name: str) -> str:
    """Register a customer and place one order for them; the order's position."""
    mutation = """mutation($c: RegisterCustomerInput!, $p: AddProductInput!) {
      registerCustomer(input: $c) { customerId userErrors { code } }
      addProduct(input: $p) { productId userErrors { code } }
    }"""
    tag = str(time.monotonic_ns())
    made = query(
        api,
        mutation,
        c={"name": name, "email": f"c{tag}@example.com"},
        p={"sku": f"SKU-{tag}", "name": "Clock", "price": "9.00", "currency": "EUR"},
    ).json()["data"]
    place = """mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { position } }"""
    address = {"name": name, "line1": "1 Road", "city": "Oslo", "postalCode": "0150"}
    order = {
        "customerId": made["registerCustomer"]["customerId"],
        "lines": [{"productId": made["addProduct"]["productId"], "quantity": 1}],
        "shippingAddress": {**address, "country": "NO"},
    }
    return str(query(api, place, input=order).json()["data"]["placeOrder"]["position"])


def test_websocket_messages_over_the_limit_close_that_socket_only(limited: Limited) -> None:
    with limited(max_ws_message_bytes=65_536) as client:
        url = graphql_ws_url(client)
        with ws_connect(url, subprotocols=[GRAPHQL_TRANSPORT_WS], open_timeout=WAIT) as ws:
            ws.send(json.dumps({"type": "connection_init", "payload": {"pad": "p" * 100_000}}))
            with pytest.raises(ConnectionClosed) as closed:
                ws.recv(timeout=WAIT)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
        with open_live(client, dict(client.headers)):
            pass


def test_a_replay_further_back_than_the_cap_is_bad_user_input(
    api: httpx.Client, limited: Limited
) -> None:
    register(api, "Ida One")
    position = register(api, "Ida Two")
    indexed = "query($t: String!) { orders(consistency: {atLeast: $t}) { totalCount } }"
    assert query(api, indexed, t=position).json()["data"]["orders"]["totalCount"] == 2
    with (
        limited(subscription_replay_max=1) as client,
        open_live(client, dict(client.headers)) as ws,
    ):
        replay = "subscription($after: String) { ordersChanged(after: $after) { version } }"
        start = {"query": replay, "variables": {"after": encode_token(ORIGIN)}}
        ws.send(json.dumps({"id": "r", "type": "subscribe", "payload": start}))
        message = json.loads(ws.recv(timeout=WAIT))
        payload = message["payload"]
        errors = payload if message["type"] == "error" else payload["errors"]
        assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT", message
        assert "(SUBSCRIPTION_REPLAY_MAX)" in errors[0]["message"]


def test_production_serves_no_playground_introspection_or_suggestions(limited: Limited) -> None:
    with limited(orders_production=True) as client:
        page = client.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 404
        introspection = query(client, "{ __schema { queryType { name } } }")
        assert set(codes(introspection)) == {"GRAPHQL_VALIDATION_FAILED"}
        typo = query(client, '{ ordr(id: "x") { id } }').json()["errors"][0]["message"]
        assert typo == "Cannot query field 'ordr' on type 'Query'."
        assert query(client, ORDER).json() == {"data": {"order": None}}
