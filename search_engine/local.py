"""The search engine a command uses: SEARCH_URL, the local node already running, or its own.

On embedded defaults (no SEARCH_URL) a command first looks for the node of its
SEARCH_NODE_DIR that another process runs (the state file, `search_engine/node_state.py`),
so `orders status`, `rebuild`, `dead-letters` and `projector` beside `orders serve` use
serve's node. Only when none runs does the command start one itself: supervised (restarted
on the same port and data when its JVM dies) and advertised for as long as it runs.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

from search_engine.node import PortInUseError, SearchNode, SearchNodeError
from search_engine.node_state import advertised, find_running
from search_engine.supervisor import NodeSupervisor
from settings import Settings

PORT_HINT = "set SEARCH_NODE_PORT to a free port (9200-9299), or SEARCH_URL to a running engine"


@contextlib.contextmanager
def search_url(settings: Settings) -> Iterator[str]:
    """SEARCH_URL when set; else the running local node of this data directory; else a
    node of our own for as long as the block runs."""
    if settings.search_url:
        yield settings.search_url
        return
    running = find_running(settings.search_node_dir)
    if running is not None:
        note(
            f"SEARCH_URL is unset: using the local search node at {running.url} "
            f"(run by process {running.pid})"
        )
        yield running.url
        return
    note(f"SEARCH_URL is unset: starting a local OpenSearch node in {settings.search_node_dir}")
    node = SearchNode(
        port=settings.search_node_port,
        data_dir=settings.search_node_dir,
        heap=settings.search_node_heap,
    )
    # The supervisor stops before the node, so the node's own stop is not taken for a crash.
    with (
        _exit_on_sigterm(),
        _started(node),
        NodeSupervisor(node),
        advertised(node.data_dir, node.url, node.port),
    ):
        note(f"search node ready at {node.url}")
        yield node.url


def run_node_forever(port: int, data_dir: Path, heap: str = "1g") -> None:
    """`orders search-node`: start, print the URL, block until SIGINT/SIGTERM, stop cleanly;
    meanwhile the state file names this process, so other commands use the node."""
    running = find_running(data_dir)
    if running is not None:
        raise SearchNodeError(
            f"a search node for {data_dir} already runs at {running.url} (process {running.pid})"
        )
    stop = threading.Event()
    node = SearchNode(port=port, data_dir=data_dir, heap=heap)
    with _started(node), advertised(node.data_dir, node.url, node.port):
        previous = {
            sig: signal.signal(sig, lambda *_: stop.set())
            for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            print(node.url, flush=True)
            while not stop.wait(1.0):
                if not node.running:
                    raise SearchNodeError(
                        f"the search node stopped unexpectedly\n{node.log_tail()}"
                    )
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


@contextlib.contextmanager
def _started(node: SearchNode) -> Iterator[SearchNode]:
    """The node started (a taken port says what to do about it), stopped after the block."""
    try:
        node.start()
    except PortInUseError as error:
        raise PortInUseError(f"{str(error).splitlines()[0]}: {PORT_HINT}") from error
    try:
        yield node
    finally:
        node.stop()


class _Terminated(BaseException):
    """SIGTERM arrived: unwind (stopping the node, removing the state file), then die of it."""


@contextlib.contextmanager
def _exit_on_sigterm() -> Iterator[None]:
    """Let SIGTERM unwind the block before it ends the process, so the node is stopped and
    its state file removed (uvicorn, for one, raises the SIGTERM it caught again once it has
    shut down, which would otherwise kill us before any `finally`)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def unwind(_signum: int, _frame: object) -> None:
        raise _Terminated

    previous = signal.signal(signal.SIGTERM, unwind) or signal.SIG_DFL  # None: set outside Python
    try:
        yield
    except _Terminated:
        signal.signal(signal.SIGTERM, previous)
        signal.raise_signal(signal.SIGTERM)  # ends as SIGTERM would have, cleanup done
        raise SystemExit(128 + signal.SIGTERM) from None  # the previous handler returned
    finally:
        signal.signal(signal.SIGTERM, previous)


def note(message: str) -> None:
    print(message, flush=True)
