"""A server with limits of a test's own, started the way `orders serve` starts one
(uvicorn with http_limits' options), and raw-socket helpers to talk to it."""

from __future__ import annotations

import re
import select
import socket
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from settings import Settings
from tests.e2e.conftest import running_server

WAIT = 15.0  # seconds: the longest a test waits for one answer


@contextmanager
def serving(settings: Settings, headers: httpx.Headers) -> Iterator[httpx.Client]:
    """A client (sending `headers`) of a server with these settings; no projector."""
    with (
        running_server(settings, settings.search_url, run_projector=False) as base,
        httpx.Client(base_url=base, timeout=WAIT, headers=headers) as client,
    ):
        yield client


def connect(client: httpx.Client) -> socket.socket:
    """A raw TCP connection to `client`'s server."""
    url = httpx.URL(str(client.base_url))
    return socket.create_connection((url.host, url.port or 80), timeout=WAIT)


def head(client: httpx.Client, request_line: str, *headers: str) -> bytes:
    """A request head with Host and `client`'s Authorization header."""
    lines = [request_line, "Host: localhost", *headers]
    if "authorization" in client.headers:
        lines.append(f"Authorization: {client.headers['authorization']}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def readable(sock: socket.socket) -> bool:
    return bool(select.select([sock], [], [], 0)[0])


def read_response(sock: socket.socket) -> tuple[int, bytes]:
    """Status and body of the one response on `sock`, then the server's close (bounded)."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
        if b"\r\n\r\n" in data and _complete(data):
            break
    match = re.match(rb"HTTP/1\.1 (\d{3})", data)
    assert match, data[:200]
    return int(match.group(1)), data.split(b"\r\n\r\n", 1)[1]


def _complete(data: bytes) -> bool:
    top, body = data.split(b"\r\n\r\n", 1)
    length = re.search(rb"(?i)content-length: (\d+)", top)
    return length is not None and len(body) >= int(length.group(1))


def closed_by_server(sock: socket.socket) -> bool:
    """Whether the server closes `sock` (EOF or reset) within WAIT, after any answer."""
    try:
        while sock.recv(65536):
            pass
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False
    return True
