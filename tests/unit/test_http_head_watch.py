"""The head watch of http_limits.protocol: which bytes count as a request's head."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from http_limits.protocol import _HeadWatch


@dataclass
class Transport:
    written: list[bytes] = field(default_factory=list)
    closed: bool = False

    def write(self, data: bytes) -> None:
        self.written.append(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed


@dataclass
class Cycle:
    response_complete: bool


@dataclass
class Protocol:
    """What the watch reads of uvicorn's protocols: the cycle, the loop, the transport."""

    loop: asyncio.AbstractEventLoop
    transport: Transport = field(default_factory=Transport)
    cycle: Cycle | None = None


@pytest.fixture
def watch() -> Iterator[_HeadWatch]:
    loop = asyncio.new_event_loop()
    yield _HeadWatch(Protocol(loop), timeout=60.0, max_bytes=100)
    loop.close()


def test_only_the_bytes_up_to_the_blank_line_count(watch: _HeadWatch) -> None:
    head = b"POST / HTTP/1.1\r\nHost: x\r\n\r\n"
    assert watch.before(head + b"b" * 10_000)  # a large body in the same read is no head
    assert watch.protocol.transport.written == []


def test_a_blank_line_split_across_reads_ends_the_head(watch: _HeadWatch) -> None:
    assert watch.before(b"GET / HTTP/1.1\r\nHost: x\r\n\r")
    assert watch.before(b"\n" + b"b" * 10_000)


def test_a_head_over_the_limit_is_answered_431_and_closed(watch: _HeadWatch) -> None:
    assert watch.before(b"GET / HTTP/1.1\r\n" + b"X: " + b"a" * 60)
    assert not watch.before(b"a" * 60)
    (answer,) = watch.protocol.transport.written
    assert answer.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n")
    assert b'"REQUEST_HEADER_TOO_LARGE"' in answer and watch.protocol.transport.closed
    assert watch.timer is None and watch.done  # nothing left armed


def test_bytes_after_a_parsed_head_are_not_counted(watch: _HeadWatch) -> None:
    watch.protocol.cycle = Cycle(response_complete=False)  # a parsed head: a request runs
    assert watch.before(b"b" * 10_000) and watch.timer is None


def test_a_kept_alive_connections_next_request_gets_a_new_deadline(watch: _HeadWatch) -> None:
    watch.protocol.cycle = Cycle(response_complete=True)  # the last response went out
    assert watch.timer is None and watch.before(b"GET / HT")
    assert watch.timer is not None  # started by the first bytes
    watch.protocol.cycle = Cycle(response_complete=False)  # uvicorn parsed the rest
    watch.after()
    assert watch.timer is None
