"""RequestLimits driven as an ASGI app: what it reads, refuses and lets through."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from starlette.types import Message, Receive, Scope, Send

from http_limits.middleware import RequestLimits

pytestmark = pytest.mark.anyio

LIMIT = 1_000
CHUNK = b"x" * 300


class Client:
    """The server's side of one request: the messages it hands in, and what comes back."""

    def __init__(self, chunks: list[bytes], *, stall: bool = False) -> None:
        self.chunks = chunks
        self.stall = stall  # after the chunks, the client sends nothing more
        self.received = 0
        self.sent: list[Message] = []

    async def receive(self) -> Message:
        if self.received < len(self.chunks):
            self.received += 1
            more = self.stall or self.received < len(self.chunks)
            return {
                "type": "http.request",
                "body": self.chunks[self.received - 1],
                "more_body": more,
            }
        await asyncio.Event().wait()  # a stalled client, or one waiting for the answer
        raise AssertionError("unreachable")

    async def send(self, message: Message) -> None:
        self.sent.append(message)

    @property
    def status(self) -> int:
        return int(self.sent[0]["status"])

    def body(self) -> Any:
        return json.loads(b"".join(m.get("body", b"") for m in self.sent[1:]))

    def header(self, name: bytes) -> bytes | None:
        return dict(self.sent[0]["headers"]).get(name)


class Echo:
    """The app: answers with the body it read, after `delay` seconds; counts its calls."""

    def __init__(self, delay: float = 0.0, error: BaseException | None = None) -> None:
        self.delay = delay
        self.error = error
        self.messages: list[Message] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = await receive()
        self.messages.append(message)
        await asyncio.sleep(self.delay)
        if self.error is not None:
            raise self.error
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": message["body"]})


def http(path: str = "/graphql", length: int | None = None) -> Scope:
    headers = [] if length is None else [(b"content-length", str(length).encode())]
    return {"type": "http", "method": "POST", "path": path, "headers": headers}


def limits(app: Any, **overrides: float) -> RequestLimits:
    options = {"max_body_bytes": LIMIT, "body_timeout": 5.0, "request_timeout": 5.0}
    return RequestLimits(app, **{**options, **overrides})  # type: ignore[arg-type]


async def test_a_declared_length_over_the_limit_is_refused_before_reading() -> None:
    app, client = Echo(), Client([CHUNK] * 200)
    await limits(app)(http(length=50 * 1024 * 1024), client.receive, client.send)
    assert (client.received, app.messages) == (0, [])  # neither read nor passed on
    assert client.status == 413 and client.header(b"connection") == b"close"
    (error,) = client.body()["errors"]
    assert error["extensions"] == {"code": "REQUEST_TOO_LARGE"}
    assert "at most 1,000 bytes (MAX_BODY_BYTES); this one is 52,428,800 bytes" in error["message"]


async def test_a_streamed_body_is_refused_as_soon_as_it_passes_the_limit() -> None:
    app, client = Echo(), Client([CHUNK] * 200)  # 60,000 bytes, sent without a length
    await limits(app)(http(), client.receive, client.send)
    assert client.received == 4  # 1,200 bytes: one chunk past the limit, no further
    assert client.status == 413 and app.messages == []


async def test_a_body_within_the_limit_reaches_the_app_in_one_message() -> None:
    app, client = Echo(), Client([CHUNK, CHUNK, b"end"])
    await limits(app)(http(length=603), client.receive, client.send)
    assert app.messages == [
        {"type": "http.request", "body": CHUNK * 2 + b"end", "more_body": False}
    ]
    assert client.status == 200


async def test_a_body_that_stops_arriving_is_refused_with_408() -> None:
    app, client = Echo(), Client([CHUNK], stall=True)
    await limits(app, body_timeout=0.05)(http(length=900), client.receive, client.send)
    assert client.status == 408 and app.messages == []
    assert client.body()["errors"][0]["extensions"] == {"code": "REQUEST_TIMEOUT"}


async def test_a_graphql_request_over_its_time_is_answered_504() -> None:
    client = Client([b"{}"])
    await limits(Echo(delay=30), request_timeout=0.05)(http(), client.receive, client.send)
    assert client.status == 504 and client.header(b"connection") is None  # kept alive
    (error,) = client.body()["errors"]
    assert error["extensions"] == {"code": "TIMEOUT"}
    assert "longer than 0.05 s" in error["message"]


async def test_other_paths_and_the_apps_own_timeouts_are_not_ours() -> None:
    client = Client([b"{}"])
    await limits(Echo(delay=0.1), request_timeout=0.01)(http("/ready"), client.receive, client.send)
    assert client.status == 200  # only /graphql is timed
    with pytest.raises(TimeoutError):
        await limits(Echo(error=TimeoutError()))(http(), Client([b"{}"]).receive, client.send)


async def test_websockets_pass_through_untouched() -> None:
    seen: list[Scope] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope)

    client = Client([])
    scope = {"type": "websocket", "path": "/graphql", "headers": []}
    await limits(app, request_timeout=0.0001)(scope, client.receive, client.send)
    assert seen == [scope] and client.sent == []
