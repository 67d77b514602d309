"""`orders serve` runs on embedded defaults in a directory (its own local search node in
`.search-node/`), and `orders status`, `rebuild`, `dead-letters` and `projector` run in the
same directory use that node: no second JVM, no port clash, no traceback. A state file left
by a dead server is ignored and replaced."""

from __future__ import annotations

import contextlib
import re
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from search_engine.node import pick_free_port
from search_engine.node_state import STATE_FILE, RunningNode, read_state, write_state
from tests.conftest import TEST_NODE_PORTS
from tests.e2e.cli_kit import (
    NODE_DIR,
    embedded_env,
    orders,
    prepare_node_dir,
    serve_process,
    wait_for,
)
from tests.e2e.outage_kit import Shop

pytestmark = [pytest.mark.search]

USING = re.compile(r"using the local search node at (\S+) \(run by process (\d+)\)")


def jvms_of(directory: Path) -> list[int]:
    """PIDs of the search node JVMs running on `directory`'s node data."""
    base = str((directory / NODE_DIR / "base").absolute()).encode()
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):  # a process that ended meanwhile
            cmdline = (proc / "cmdline").read_bytes()
            if base in cmdline and b"OpenSearchRunner" in cmdline:
                found.append(int(proc.name))
    return found


def assert_used(result: subprocess.CompletedProcess[str], node: RunningNode) -> None:
    """The command succeeded on the running node and started none of its own."""
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert "starting a local OpenSearch node" not in result.stdout, result.stdout
    assert USING.findall(result.stdout) == [(node.url, str(node.pid))], result.stdout


def alias_target(status: subprocess.CompletedProcess[str]) -> str:
    (index,) = re.findall(r"^projection +orders \(alias orders -> (\S+)\)$", status.stdout, re.M)
    return str(index)


@pytest.fixture
def directory(tmp_path: Path) -> Path:
    """A directory to run the service in, with the search node's resolved classpath."""
    prepare_node_dir(tmp_path)
    return tmp_path


def test_commands_beside_orders_serve_use_its_search_node(directory: Path) -> None:
    port = pick_free_port(TEST_NODE_PORTS)
    env = embedded_env(port)
    gone = subprocess.Popen(["true"])
    gone.wait()  # a server that died without cleaning up left its state file behind
    write_state(directory / NODE_DIR, RunningNode(f"http://127.0.0.1:{port}", port, gone.pid))

    with serve_process(directory, env, directory / "serve.log") as served:
        node = read_state(directory / NODE_DIR)
        assert node == RunningNode(f"http://127.0.0.1:{port}", port, served.process.pid)
        assert "starting a local OpenSearch node" in served.log()  # the stale file was ignored
        (jvm,) = jvms_of(directory)
        shop = Shop(served.client)
        assert "errors" not in shop.place()
        assert shop.count_orders() == 1

        status = orders(directory, env, "status")
        assert_used(status, node)
        assert re.search(rf"^active +.*:{served.process.pid}$", status.stdout, re.M), status.stdout
        assert re.search(r"^dead letters +0$", status.stdout, re.M), status.stdout
        before = alias_target(status)

        rebuild = orders(directory, env, "rebuild", "--no-progress")
        assert_used(rebuild, node)
        assert f"(replaced {before}): 1 orders loaded" in rebuild.stdout, rebuild.stdout
        after = alias_target(orders(directory, env, "status"))
        assert after != before
        assert shop.count_orders() == 1  # queries read the new index, complete

        listing = orders(directory, env, "dead-letters")
        assert listing.returncode == 0, listing.stderr
        assert listing.stdout.splitlines() == ["0 dead letter(s)"]  # no search engine needed
        retry = orders(directory, env, "dead-letters", "retry", "--all")
        assert_used(retry, node)
        assert "re-projected 0 order(s); still rejected: 0" in retry.stdout

        assert_standalone_projector_attaches(directory, env, node)
        assert "errors" not in shop.place()
        assert shop.count_orders() == 2
        assert jvms_of(directory) == [jvm]  # serve's JVM, the only one, all along
        assert read_state(directory / NODE_DIR) == node
    assert not (directory / NODE_DIR / STATE_FILE).exists()  # removed on the clean stop,
    assert served.process.returncode == -signal.SIGTERM  # which still ends as SIGTERM does
    wait_for(lambda: not jvms_of(directory), 60, "the node stopped with serve")


def assert_standalone_projector_attaches(
    directory: Path, env: Mapping[str, str], node: RunningNode
) -> None:
    """`orders projector` stands by on serve's node until SIGTERM, then exits cleanly."""
    out = directory / "projector.out"
    with out.open("wb") as stdout:
        projector = subprocess.Popen(
            [sys.executable, "-m", "cli", "projector"],
            cwd=directory,
            env=dict(env),
            stdout=stdout,
            stderr=subprocess.STDOUT,
        )
    try:
        # Its SIGTERM handler is installed once the services are up, right before its loop.
        wait_for(lambda: catches_sigterm(projector), 120, "the projector running")
    finally:
        projector.send_signal(signal.SIGTERM)
        code = projector.wait(60)
    text = out.read_text()
    assert code == 0, text
    assert USING.findall(text) == [(node.url, str(node.pid))], text
    assert "starting a local OpenSearch node" not in text


def catches_sigterm(process: subprocess.Popen[bytes]) -> bool:
    """True once `process` handles SIGTERM itself (Python leaves it at the default)."""
    assert process.poll() is None, "the projector exited"
    status = Path(f"/proc/{process.pid}/status").read_text()
    (mask,) = re.findall(r"^SigCgt:\s+([0-9a-f]+)$", status, re.M)
    return bool(int(mask, 16) >> (signal.SIGTERM - 1) & 1)
