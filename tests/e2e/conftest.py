"""A real server on a loopback port: uvicorn + the app + its in-process projector."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn

from http_limits.protocol import uvicorn_options
from server import create_app
from settings import Settings, load_settings
from tests.support.tokens import STAFF_PRINCIPAL, bearer_headers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def running_server(
    settings: Settings, search_url: str | None, *, run_projector: bool
) -> Iterator[str]:
    """The app on a loopback port, in uvicorn in a thread, with the header deadline and
    sizes `orders serve` runs it with: its base URL; stopped on leaving."""
    port = free_port()
    config = uvicorn.Config(
        create_app(settings, search_url=search_url, run_projector=run_projector),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
        **uvicorn_options(settings),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the API server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@contextlib.contextmanager
def serve(
    database_url: str, search_url: str, index_prefix: str, **overrides: Any
) -> Iterator[httpx.Client]:
    """A real server (uvicorn in a thread, with its projector) and a client sending a staff
    token; `overrides` are settings (e.g. `cors_origins`)."""
    settings = load_settings(
        database_url=database_url,
        search_url=search_url,
        index_prefix=index_prefix,
        projector_poll_interval=0.05,
        **overrides,
    )
    # Staff by default: tests of other roles pass their own Authorization header.
    headers = bearer_headers(STAFF_PRINCIPAL)
    with (
        running_server(settings, search_url, run_projector=True) as base,
        httpx.Client(base_url=base, timeout=30, headers=headers) as client,
    ):
        yield client


@pytest.fixture
def api(database_url: str, search_url: str, index_prefix: str) -> Iterator[httpx.Client]:
    """An HTTP client (sending a staff token) bound to a freshly started server on its own
    database and index."""
    with serve(database_url, search_url, index_prefix) as client:
        yield client
