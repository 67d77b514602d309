"""`orders serve` without SEARCH_URL runs its own search node; when that node's JVM is
killed, queries are UNAVAILABLE while mutations still succeed, `/ready` says the search
engine is out, and `orders serve` starts the node again by itself, after which queries
answer and the projector catches up with the writes made meanwhile."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest

from search_engine.java import SearchNodeError, find_java
from search_engine.node import pick_free_port
from tests.conftest import SEARCH_NODE_CACHE
from tests.e2e.cli_kit import wait_for
from tests.e2e.outage_kit import Shop, assert_unavailable, error_code, orders_serve, ready

pytestmark = [pytest.mark.search]

OWN_NODE_PORTS = range(9210, 9230)  # clear of the suite's node and a developer's
RESTART = 240  # seconds for the supervisor to notice, back off and start a JVM again


def jvm_of(pid: int) -> int:
    """The search node's JVM among the children of process `pid`."""
    children = [
        int(child)
        for task in Path(f"/proc/{pid}/task").iterdir()
        for child in (task / "children").read_text().split()
    ]
    (jvm,) = [c for c in children if b"OpenSearchRunner" in Path(f"/proc/{c}/cmdline").read_bytes()]
    return jvm


def test_orders_serve_restarts_its_killed_search_node(tmp_path: Path) -> None:
    try:
        find_java()
    except SearchNodeError as error:
        pytest.skip(f"no Java for a local search node: {error}")
    node_dir = tmp_path / "node"
    node_dir.mkdir()
    for resolved in SEARCH_NODE_CACHE.glob("classpath-*.txt"):  # spares a Maven run
        shutil.copy(resolved, node_dir)
    env = {
        "SEARCH_URL": None,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'orders.db'}",
        "SEARCH_NODE_PORT": str(pick_free_port(OWN_NODE_PORTS)),
        "SEARCH_NODE_DIR": str(node_dir),
        "SEARCH_NODE_HEAP": "512m",
    }
    with orders_serve(env, tmp_path / "serve.log") as served:
        shop = Shop(served.client)
        assert "errors" not in shop.place()
        assert shop.count_orders() == 1

        os.kill(jvm_of(served.process.pid), signal.SIGKILL)
        wait_for(lambda: error_code(shop.search()) is not None, 30, "queries failing")
        assert_unavailable(shop.search(), "search engine")
        assert "errors" not in shop.place()  # writes do not need the search engine
        status, body = ready(served.client)
        assert (status, body["search"]["status"], body["database"]["status"]) == (
            503,
            "error",
            "ok",
        )

        wait_for(lambda: ready(served.client)[0] == 200, RESTART, "the node back")
        assert shop.count_orders() == 2  # the order placed meanwhile is searchable
        log = served.log()
    assert "exited (code -9); restarting it in" in log
    assert "is back (restart 1)" in log
