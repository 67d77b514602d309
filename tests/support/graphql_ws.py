"""The graphql-transport-ws protocol, as the end-to-end tests speak it to a running server."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Mapping
from typing import Any

import httpx
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

GRAPHQL_TRANSPORT_WS = Subprotocol("graphql-transport-ws")
WAIT = 15.0  # seconds: the longest a test waits to connect, or for the acknowledgement


def graphql_ws_url(client: httpx.Client) -> str:
    """The WebSocket URL of the GraphQL endpoint of `client`'s server."""
    return str(client.base_url).replace("http://", "ws://") + "/graphql"


@contextlib.contextmanager
def open_live(
    client: httpx.Client,
    payload: Mapping[str, Any] | None = None,
    *,
    headers: Mapping[str, str] | None = None,
    timeout: float = WAIT,
) -> Iterator[ClientConnection]:
    """A graphql-transport-ws connection to `client`'s server, acknowledged.

    Browsers cannot set headers on a WebSocket: the token travels in `connection_init`,
    whose payload is `payload`, by default `client`'s own Authorization header. `headers`
    go with the opening handshake (an Origin, say)."""
    if payload is None:
        payload = {"Authorization": client.headers["authorization"]}
    with connect(
        graphql_ws_url(client),
        subprotocols=[GRAPHQL_TRANSPORT_WS],
        additional_headers=headers,
        open_timeout=timeout,
    ) as ws:
        ws.send(json.dumps({"type": "connection_init", "payload": dict(payload)}))
        assert json.loads(ws.recv(timeout=timeout))["type"] == "connection_ack"
        yield ws
