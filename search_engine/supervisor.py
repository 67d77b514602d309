"""Keeps a local search node running: when its JVM dies, start it again.

`orders serve` without SEARCH_URL owns its node; if that process exits (killed, out of
memory, a crash), a thread here notices within `check_interval`, logs it, and starts the
node again on the same port and data directory (so the index is still there), waiting
`backoff_base` doubling up to `backoff_cap` between attempts. A node that then stays up
for `stable_after` seconds counts as recovered; after `max_restarts` attempts in a row
that do not, the supervisor gives up (with an ERROR line) rather than loop forever.
Meanwhile queries are UNAVAILABLE and the projector retries; both resume on their own.
"""

from __future__ import annotations

import logging
import threading
import time
from types import TracebackType

from search_engine.node import SearchNode

log = logging.getLogger(__name__)

CHECK_INTERVAL = 1.0  # seconds between looks at the JVM
BACKOFF_BASE = 1.0  # seconds before the first restart; doubled for each one in a row
BACKOFF_CAP = 30.0
MAX_RESTARTS = 5  # attempts in a row (each failing, or dying within stable_after)
STABLE_AFTER = 60.0  # seconds up after which a restart counts as a recovery


class NodeSupervisor:
    """Restarts `node` whenever its process has exited; `start`/`stop` or `with`."""

    def __init__(
        self,
        node: SearchNode,
        *,
        check_interval: float = CHECK_INTERVAL,
        backoff_base: float = BACKOFF_BASE,
        backoff_cap: float = BACKOFF_CAP,
        max_restarts: int = MAX_RESTARTS,
        stable_after: float = STABLE_AFTER,
    ) -> None:
        self.node = node
        self.check_interval = check_interval
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.max_restarts = max_restarts
        self.stable_after = stable_after
        self.restarts = 0  # successful restarts, for tests and logs
        self.gave_up = False
        self._failures = 0  # attempts since the node last stayed up
        self._up_since = time.monotonic()
        self._stop = threading.Event()
        # A daemon, so a forgotten stop() cannot hang the interpreter's exit; the node's
        # atexit hook still stops the JVM.
        self._thread = threading.Thread(
            target=self._watch, name="search-node-supervisor", daemon=True
        )

    def start(self) -> NodeSupervisor:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop watching; a restart in progress is abandoned (its JVM stopped)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def __enter__(self) -> NodeSupervisor:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def backoff(self, attempt: int) -> float:
        """Seconds to wait before restart number `attempt` (1, 2, ...) in a row."""
        return float(min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1)))

    def _watch(self) -> None:
        while not self._stop.wait(self.check_interval):
            if self.node.running:
                if time.monotonic() - self._up_since >= self.stable_after:
                    self._failures = 0
                continue
            if self._failures >= self.max_restarts:
                self.gave_up = True
                log.error(
                    "the search node on %s did not stay up after %d restarts in a row; "
                    "giving up: queries fail until `orders serve` is restarted (log: %s)",
                    self.node.url,
                    self._failures,
                    self.node.log_path,
                )
                return
            self._restart()

    def _restart(self) -> None:
        self._failures += 1
        delay = self.backoff(self._failures)
        log.warning(
            "the search node on %s exited (code %s); restarting it in %.1f s "
            "(attempt %d of %d); last lines of its log:\n%s",
            self.node.url,
            self.node.exit_code,
            delay,
            self._failures,
            self.max_restarts,
            self.node.log_tail(5),
        )
        if self._stop.wait(delay):
            return
        try:
            self.node.start(cancel=self._stop)
        except Exception as error:  # the thread must live on: the next look retries
            if not self._stop.is_set():
                log.warning("restarting the search node failed: %s", str(error).splitlines()[0])
            return
        self._up_since = time.monotonic()
        self.restarts += 1
        log.info("the search node on %s is back (restart %d)", self.node.url, self.restarts)
