"""What the tests of the `orders` commands share: running one in a directory of the test's
own on embedded defaults, and that directory's search node data; `orders serve` as a
process of the test's own."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from search_engine.java import SearchNodeError, find_java
from tests.conftest import SEARCH_NODE_CACHE
from tests.e2e.conftest import free_port
from tests.support.tokens import STAFF_PRINCIPAL, bearer_headers

NODE_DIR = ".search-node"  # the default SEARCH_NODE_DIR, relative to the directory


def embedded_env(port: int, **more: str | None) -> dict[str, str]:
    """Our environment on embedded defaults (no SEARCH_URL, ./orders.db, ./.search-node),
    the node on `port`, with `more` over it (None unsets)."""
    unset = ("SEARCH_URL", "DATABASE_URL", "SEARCH_NODE_DIR", "INDEX_PREFIX")
    env: dict[str, str | None] = {**os.environ, **dict.fromkeys(unset)}
    env |= {"SEARCH_NODE_PORT": str(port), "SEARCH_NODE_HEAP": "512m", "PYTHONUNBUFFERED": "1"}
    env |= more
    return {name: value for name, value in env.items() if value is not None}


def orders(directory: Path, env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """An `orders` command run in `directory`, to its end."""
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=directory,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def prepare_node_dir(directory: Path) -> Path:
    """`directory/.search-node` with the node's resolved classpath (spares a Maven run);
    skips the test without Java."""
    try:
        find_java()
    except SearchNodeError as error:
        pytest.skip(f"no Java for a local search node: {error}")
    node_dir = directory / NODE_DIR
    node_dir.mkdir()
    for resolved in SEARCH_NODE_CACHE.glob("classpath-*.txt"):
        shutil.copy(resolved, node_dir)
    return node_dir


def wait_for(condition: Callable[[], bool], within: float, what: str) -> None:
    """Poll until `condition()` holds; fail after `within` seconds."""
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {within:g} s"
        time.sleep(0.2)


@dataclass
class Served:
    """A running `orders serve`: a client (staff token), the process and its log."""

    client: httpx.Client
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextlib.contextmanager
def serve_process(
    directory: Path, env: Mapping[str, str], log_path: Path, *, wrapper: Sequence[str] = ()
) -> Iterator[Served]:
    """`orders serve` in a process of its own, run in `directory` with the environment `env`
    (and a fast projector poll), its output in `log_path`, under `wrapper` (a command that
    runs the rest); handed over once it answers, stopped with SIGTERM."""
    port = free_port()
    command = [*wrapper, sys.executable, "-m", "cli", "--log-format", "text", "serve"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*command, "--port", str(port)],
            cwd=directory,
            env={**env, "PROJECTOR_POLL_INTERVAL": "0.05"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    headers = bearer_headers(STAFF_PRINCIPAL)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60, headers=headers) as api:
            wait_for(lambda: _answers(api, process, log_path), 300, "orders serve answering")
            yield Served(api, process, log_path)
    finally:
        process.send_signal(signal.SIGTERM)  # a clean stop: the server stops its node too
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _answers(api: httpx.Client, process: subprocess.Popen[bytes], log_path: Path) -> bool:
    assert process.poll() is None, log_path.read_text(errors="replace")[-3000:]
    try:
        return api.get("/health").status_code == 200
    except httpx.TransportError:
        return False
