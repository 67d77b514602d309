"""ASGI middleware: the body's size and read deadline, and a per-request timeout.

The body is read here, before the app runs, counting bytes as they arrive: a declared
`Content-Length` over the limit is refused without reading anything, a chunked body is
refused the moment it passes the limit, and the whole body must arrive within
`body_timeout` (one deadline, not one per chunk, so a trickle cannot hold the connection
for long). The app then gets the body in one message. GraphQL requests on HTTP also run
under `request_timeout`; WebSocket subscriptions are not HTTP requests and never do.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"  # 413
REQUEST_TIMEOUT = "REQUEST_TIMEOUT"  # 408: the client was too slow to send its body
TIMEOUT = "TIMEOUT"  # 504: the server took too long to answer


class RequestLimits:
    """Refuses a body over `max_body_bytes` (413) or slower than `body_timeout` (408);
    answers 504 when a request under `timed_paths` takes longer than `request_timeout`."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        body_timeout: float,
        request_timeout: float,
        timed_paths: Collection[str] = ("/graphql",),
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.body_timeout = body_timeout
        self.request_timeout = request_timeout
        self.timed_paths = frozenset(timed_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            await self._too_large(scope, send, int(declared))
            return
        body = await self._read_body(scope, receive, send)
        if body is None:
            return  # refused, or the client went away
        replay = _replay(body, receive)
        if scope["path"] in self.timed_paths:
            await self._timed(scope, replay, send)
        else:
            await self.app(scope, replay, send)

    async def _read_body(self, scope: Scope, receive: Receive, send: Send) -> bytes | None:
        body = bytearray()
        deadline = asyncio.timeout(self.body_timeout)
        try:
            async with deadline:
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return None
                    body += message.get("body", b"")
                    if len(body) > self.max_body_bytes:
                        break
                    if not message.get("more_body", False):
                        return bytes(body)
        except TimeoutError:
            if not deadline.expired():
                raise
            slow = f"the request body did not arrive within {self.body_timeout:g} s (BODY_TIMEOUT)"
            await _refuse(scope, send, 408, REQUEST_TIMEOUT, slow)
            return None
        await self._too_large(scope, send, None)
        return None

    async def _too_large(self, scope: Scope, send: Send, declared: int | None) -> None:
        size = "longer" if declared is None else f"{declared:,} bytes"
        message = (
            f"the request body may be at most {self.max_body_bytes:,} bytes (MAX_BODY_BYTES); "
            f"this one is {size}"
        )
        await _refuse(scope, send, 413, REQUEST_TOO_LARGE, message)

    async def _timed(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        deadline = asyncio.timeout(self.request_timeout)
        try:
            async with deadline:
                await self.app(scope, receive, watch)
        except TimeoutError:
            if not deadline.expired():
                raise  # the app's own timeout, not ours
            log.warning("request stopped after %g s (GRAPHQL_TIMEOUT)", self.request_timeout)
            if not started:  # else the half-sent response ends with the connection
                message = (
                    f"the request took longer than {self.request_timeout:g} s and was "
                    "stopped (GRAPHQL_TIMEOUT); a mutation may or may not have been applied"
                )
                await _refuse(scope, send, 504, TIMEOUT, message, close=False)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body in one message, then the server's own messages (a disconnect)."""
    pending = True

    async def replay() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _refuse(
    scope: Scope, send: Send, status: int, code: str, message: str, *, close: bool = True
) -> None:
    """A GraphQL-style error body; `close` stops reading a body that is not wanted."""
    headers = {"connection": "close"} if close else {}
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    await JSONResponse(body, status_code=status, headers=headers)(scope, _nothing, send)


async def _nothing() -> Message:
    return {"type": "http.disconnect"}
