"""A real server on a loopback port: uvicorn + the app + its in-process projector."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from server import create_app
from settings import load_settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def api(database_url: str, search_url: str, index_prefix: str) -> Iterator[httpx.Client]:
    """An HTTP client bound to a freshly started server on its own database and index."""
    settings = load_settings(
        database_url=database_url,
        search_url=search_url,
        index_prefix=index_prefix,
        projector_poll_interval=0.05,
    )
    port = free_port()
    config = uvicorn.Config(
        create_app(settings, search_url=search_url, run_projector=True),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the API server did not start")
        time.sleep(0.02)
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        yield client
    server.should_exit = True
    thread.join(timeout=30)
