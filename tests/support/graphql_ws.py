"""The graphql-transport-ws protocol, as the end-to-end tests speak it to a running server."""

from __future__ import annotations

from websockets.typing import Subprotocol

GRAPHQL_TRANSPORT_WS = Subprotocol("graphql-transport-ws")
