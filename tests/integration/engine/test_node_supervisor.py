"""The local search node's supervisor: a killed JVM is started again on the same port and
data directory; a node that cannot start is retried a bounded number of times, then given
up on. Runs on nodes of its own, since it kills them."""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from search_engine.node import SearchNode, pick_free_port
from search_engine.supervisor import NodeSupervisor
from tests.conftest import SEARCH_NODE_CACHE

OWN_NODE_PORTS = range(9210, 9230)  # clear of the outage test's, the suite's and a dev node


def wait_until(condition: Callable[[], bool], within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, f"{what} not within {within:g} s"
        time.sleep(0.2)


def test_a_node_that_cannot_start_is_retried_with_backoff_then_given_up(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    port = pick_free_port(OWN_NODE_PORTS)
    with socket.socket() as squatter:  # someone else holds the node's port
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        node = SearchNode(port=port, data_dir=tmp_path / "node")
        supervisor = NodeSupervisor(node, check_interval=0.05, backoff_base=0.1, max_restarts=3)
        with caplog.at_level(logging.INFO, logger="search_engine.supervisor"), supervisor:
            wait_until(lambda: supervisor.gave_up, 30, "giving up")
    messages = [record.getMessage() for record in caplog.records]
    assert sum("restarting it in" in message for message in messages) == 3
    assert sum("already in use" in message for message in messages) == 3
    assert "giving up" in messages[-1]
    assert [supervisor.backoff(n) for n in (1, 2, 3)] == [0.1, 0.2, 0.4]
    assert supervisor.restarts == 0 and not node.running


@pytest.mark.search
def test_a_killed_node_is_restarted_on_its_port_with_its_data(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    node = SearchNode(
        port=pick_free_port(OWN_NODE_PORTS),
        data_dir=tmp_path / "node",
        heap="512m",
        cluster_name="orders-supervised",
        cache_dir=SEARCH_NODE_CACHE,
    )
    with caplog.at_level(logging.INFO, logger="search_engine.supervisor"):
        with node, NodeSupervisor(node, check_interval=0.2, backoff_base=0.2) as supervisor:
            http = httpx.Client(base_url=node.url, timeout=10, trust_env=False)
            http.put("/kept/_doc/1", params={"refresh": "true"}, json={"a": 1}).raise_for_status()
            killed = node.pid
            assert killed is not None
            os.kill(killed, signal.SIGKILL)
            wait_until(lambda: supervisor.restarts == 1, 180, "a restart")
            assert node.pid != killed and node.running
            assert http.get("/kept/_doc/1").json()["_source"] == {"a": 1}
            http.close()
        assert not node.running  # leaving stops both: nothing is restarted after that
    messages = [record.getMessage() for record in caplog.records]
    assert any(f"{node.url} exited (code -9); restarting" in m for m in messages), messages
    assert any("is back (restart 1)" in m for m in messages)
