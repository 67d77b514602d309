"""uvicorn's HTTP protocols with a deadline and a size limit for request headers.

uvicorn closes idle kept-alive connections (`timeout_keep_alive`) but waits forever for
the head of a request that has begun, or on a connection that sent nothing (slowloris).
Here a timer starts when a connection opens and when the first bytes of a next request
arrive, and stops once uvicorn has parsed the request's head (it has then made the
request's cycle) or upgraded to a WebSocket. A connection still waiting for its head when
the timer fires is answered 408 (if it sent anything) and closed. Head bytes are counted
before uvicorn parses them (up to the blank line that ends the head), since httptools has
no limit of its own: past `max_header_bytes`, 431 and close.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from settings import Settings, get_settings

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # pragma: no cover - uvicorn[standard] installs httptools
    HttpToolsProtocol = None  # type: ignore[assignment,misc]

REASONS = {408: "Request Timeout", 431: "Request Header Fields Too Large"}


class _HeadWatch:
    """The header deadline and byte count of one connection of `protocol`."""

    def __init__(self, protocol: Any, timeout: float, max_bytes: int) -> None:
        self.protocol = protocol
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.timer: asyncio.TimerHandle | None = None
        self.received = 0
        self.tail = b""  # the last bytes seen, for a blank line split across reads
        self.was_waiting = False
        self.done = False  # closed or upgraded: nothing more to watch

    def waiting(self) -> bool:
        cycle = self.protocol.cycle
        return not self.done and (cycle is None or cycle.response_complete)

    def start(self) -> None:
        self.stop()
        self.received, self.tail = 0, b""
        self.timer = self.protocol.loop.call_later(self.timeout, self._expired)

    def stop(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def end(self) -> None:
        self.stop()
        self.done = True

    def before(self, data: bytes) -> bool:
        """Called as bytes arrive, before uvicorn parses them; False if refused.

        The first bytes of a next request start the timer; head bytes are counted."""
        self.was_waiting = self.waiting()
        if not self.was_waiting:
            return True
        if self.timer is None:
            self.start()
        end = (self.tail + data).find(b"\r\n\r\n")
        head = len(data) if end < 0 else end + 4 - len(self.tail)
        if self.received + head > self.max_bytes:
            message = f"the request head may be at most {self.max_bytes:,} bytes"
            self._refuse(431, "REQUEST_HEADER_TOO_LARGE", message + " (MAX_HEADER_BYTES)")
            return False
        self.received += len(data)
        self.tail = data[-3:]
        return True

    def after(self) -> None:
        """Called once uvicorn has parsed them: a whole head stops the timer."""
        if self.was_waiting and not self.done and not self.waiting():
            self.stop()

    def _expired(self) -> None:
        self.timer = None
        if not self.waiting():
            return
        if self.received == 0:  # an idle connection: nothing to answer
            self._close()
            return
        message = f"the request head did not arrive within {self.timeout:g} s (HEADER_TIMEOUT)"
        self._refuse(408, "REQUEST_TIMEOUT", message)

    def _refuse(self, status: int, code: str, message: str) -> None:
        transport = self.protocol.transport
        if not transport.is_closing():
            body = json.dumps({"errors": [{"message": message, "extensions": {"code": code}}]})
            head = (
                f"HTTP/1.1 {status} {REASONS[status]}\r\ncontent-type: application/json\r\n"
                f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
            )
            transport.write((head + body).encode())
        self._close()

    def _close(self) -> None:
        self.end()
        self.protocol.transport.close()


def _limits(protocol: Any) -> tuple[float, int]:
    settings = protocol.settings or get_settings()  # worker processes: the environment's
    return settings.header_timeout, settings.max_header_bytes


class _HeadLimits:
    """The head deadline and size limit, mixed in before one of uvicorn's protocols."""

    settings: Settings | None = None
    head: _HeadWatch

    def connection_made(self, transport: asyncio.Transport) -> None:
        self._protocol().connection_made(transport)
        self.head = _HeadWatch(self, *_limits(self))
        self.head.start()

    def data_received(self, data: bytes) -> None:
        if self.head.before(data):
            self._protocol().data_received(data)
            self.head.after()

    def handle_websocket_upgrade(self, *event: Any) -> None:
        self.head.end()  # h11 passes the request event, httptools nothing
        self._protocol().handle_websocket_upgrade(*event)

    def connection_lost(self, exc: Exception | None) -> None:
        self.head.end()
        self._protocol().connection_lost(exc)

    def _protocol(self) -> Any:
        """The uvicorn protocol this is mixed into (next in the method resolution order)."""
        return super()


class LimitedH11Protocol(_HeadLimits, H11Protocol):  # type: ignore[misc]
    """uvicorn's h11 protocol with the head deadline and size limit."""


if HttpToolsProtocol is not None:

    class LimitedHttpToolsProtocol(_HeadLimits, HttpToolsProtocol):  # type: ignore[misc]
        """uvicorn's httptools protocol (its default) with the head deadline and size limit."""

    DEFAULT: type[asyncio.Protocol] = LimitedHttpToolsProtocol
else:  # pragma: no cover
    DEFAULT = LimitedH11Protocol


def uvicorn_options(settings: Settings | None = None) -> dict[str, Any]:
    """uvicorn.run/Config options for these limits. With `settings`, a protocol class
    bound to them (one process); without, one that reads the environment's in each
    worker process (a class uvicorn can pickle for `--workers N`)."""
    protocol = DEFAULT
    if settings is not None:
        protocol = type(protocol.__name__, (protocol,), {"settings": settings})
    current = settings or get_settings()
    return {
        "http": protocol,
        "ws_max_size": current.max_ws_message_bytes,
        "h11_max_incomplete_event_size": current.max_header_bytes,
    }
