"""The local search node's state file: written whole, read back, trusted only while its owner
lives and its URL answers like a search engine (a real loopback HTTP server here)."""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from search_engine.node_state import (
    STATE_FILE,
    RunningNode,
    advertised,
    answers,
    find_running,
    pid_alive,
    read_state,
    remove_state,
    write_state,
)

ENGINE_ROOT = {"name": "node-1", "version": {"distribution": "opensearch", "number": "3.0.0"}}


class _Root(http.server.BaseHTTPRequestHandler):
    body: bytes = json.dumps(ENGINE_ROOT).encode()

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serving(body: bytes) -> Iterator[str]:
    """A loopback HTTP server answering every GET with `body` (JSON), for the block."""
    handler = type("Handler", (_Root,), {"body": body})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def engine_url() -> Iterator[str]:
    """A loopback server answering `GET /` as a search engine does."""
    with serving(json.dumps(ENGINE_ROOT).encode()) as url:
        yield url


@pytest.fixture
def closed_url() -> str:
    """A loopback URL nothing listens on (a server started, then stopped)."""
    server = http.server.HTTPServer(("127.0.0.1", 0), _Root)
    port = server.server_address[1]
    server.server_close()
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def dead_pid() -> int:
    """The PID of a process that has exited and been reaped."""
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_the_state_file_is_written_whole_and_read_back(tmp_path: Path) -> None:
    node = RunningNode(url="http://127.0.0.1:9250", port=9250, pid=4321)
    write_state(tmp_path / "node", node)
    assert read_state(tmp_path / "node") == node
    assert sorted(p.name for p in (tmp_path / "node").iterdir()) == [STATE_FILE]  # no temp
    write_state(tmp_path / "node", RunningNode("http://127.0.0.1:9251", 9251, 99))
    assert read_state(tmp_path / "node") == RunningNode("http://127.0.0.1:9251", 9251, 99)


@pytest.mark.parametrize(
    "text", ["", "{", "[]", '{"url": "http://x"}', '{"url": "u", "port": "p", "pid": 1}']
)
def test_a_missing_or_unreadable_state_file_means_no_node(tmp_path: Path, text: str) -> None:
    assert read_state(tmp_path) is None
    (tmp_path / STATE_FILE).write_text(text)
    assert read_state(tmp_path) is None
    assert find_running(tmp_path) is None


def test_only_the_owner_named_in_the_file_removes_it(tmp_path: Path) -> None:
    write_state(tmp_path, RunningNode("http://127.0.0.1:9250", 9250, 111))
    remove_state(tmp_path, 222)  # a former owner: the file is someone else's now
    assert read_state(tmp_path) is not None
    remove_state(tmp_path, 111)
    assert not (tmp_path / STATE_FILE).exists()
    remove_state(tmp_path, 111)  # already gone: nothing to do


def test_pid_alive_tells_a_running_process_from_an_exited_one(dead_pid: int) -> None:
    assert pid_alive(os.getpid())
    assert not pid_alive(dead_pid)
    assert not pid_alive(0)  # a process group, never an owner
    assert not pid_alive(-1)
    zombie = subprocess.Popen(["true"])
    try:
        os.waitid(os.P_PID, zombie.pid, os.WEXITED | os.WNOWAIT)  # exited, not reaped
        assert not pid_alive(zombie.pid)
    finally:
        zombie.wait()


def test_answers_needs_a_search_engines_root_document(engine_url: str, closed_url: str) -> None:
    assert answers(engine_url)
    assert answers(engine_url + "/")
    assert not answers(closed_url)
    for body in (b"<html>a web page</html>", b'{"version": "1"}', b"[]"):
        with serving(body) as url:
            assert not answers(url), body


def test_find_running_trusts_a_live_owner_whose_node_answers(
    tmp_path: Path, engine_url: str, closed_url: str, dead_pid: int
) -> None:
    port = int(engine_url.rsplit(":", 1)[1])
    live = RunningNode(engine_url, port, os.getpid())
    write_state(tmp_path, live)
    assert find_running(tmp_path) == live

    write_state(tmp_path, RunningNode(engine_url, port, dead_pid))  # the owner died
    assert find_running(tmp_path) is None
    write_state(tmp_path, RunningNode(closed_url, port, os.getpid()))  # its node is gone
    assert find_running(tmp_path) is None


def test_advertised_names_this_process_while_the_block_runs(tmp_path: Path) -> None:
    with advertised(tmp_path, "http://127.0.0.1:9260", 9260) as owner:
        assert owner.pid == os.getpid()
        assert read_state(tmp_path) == RunningNode("http://127.0.0.1:9260", 9260, os.getpid())
    assert read_state(tmp_path) is None

    with advertised(tmp_path, "http://127.0.0.1:9260", 9260):
        write_state(tmp_path, RunningNode("http://127.0.0.1:9261", 9261, 1))  # replaced
    assert read_state(tmp_path) == RunningNode("http://127.0.0.1:9261", 9261, 1)


def test_a_stale_file_is_replaced_by_the_next_owner(tmp_path: Path, dead_pid: int) -> None:
    write_state(tmp_path, RunningNode("http://127.0.0.1:9262", 9262, dead_pid))
    with advertised(tmp_path, "http://127.0.0.1:9263", 9263):
        assert read_state(tmp_path) == RunningNode("http://127.0.0.1:9263", 9263, os.getpid())
    assert read_state(tmp_path) is None
