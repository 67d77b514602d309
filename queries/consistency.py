"""Read-your-writes: wait until the projector's published progress reaches a token.

The projector publishes its position in the search engine only after the
documents up to it are searchable, so reading it here needs no write database
(docs/ARCHITECTURE.md, invariant 6).
"""

from __future__ import annotations

import asyncio
import time

from positions import ORIGIN, Position, decode_token
from queries.errors import InvalidQuery
from read_model.progress import read_progress
from search_engine.client import SearchClient

MAX_TIMEOUT_MS = 30_000
POLL_INTERVAL = 0.005  # seconds between two shared progress reads while someone waits


class ConsistencyTimeout(Exception):
    """The index did not reach the requested position in time."""

    def __init__(self, wanted: Position, reached: Position, timeout_ms: int):
        super().__init__(
            f"index reached {tuple(reached)}, not {tuple(wanted)}, within {timeout_ms} ms"
        )
        self.wanted = wanted
        self.reached = reached


async def wait_for(
    client: SearchClient,
    prefix: str,
    token: str,
    timeout_ms: int,
    watch: ProgressWatch | None = None,
) -> Position:
    """Return the progress once it is >= the token's position; ConsistencyTimeout otherwise.

    InvalidQuery for a malformed token or a timeout outside 0..30000 ms. Pass the
    process' `watch` so that concurrent waits share their reads of the progress.
    """
    try:
        wanted = decode_token(token)
    except ValueError as exc:
        raise InvalidQuery(str(exc)) from None
    if not 0 <= timeout_ms <= MAX_TIMEOUT_MS:
        raise InvalidQuery(f"timeoutMs must be between 0 and {MAX_TIMEOUT_MS}")
    watch = watch or ProgressWatch(client, prefix)
    return await watch.wait(wanted, timeout_ms)


class ProgressWatch:
    """The published progress as one process sees it, read for all its waiters at once.

    Any number of concurrent consistency waits cost one progress read per `interval`
    (not one each), and a token the index is known to have reached costs none: the
    published progress only ever grows, so a position seen once stays reached.
    """

    def __init__(self, client: SearchClient, prefix: str, interval: float = POLL_INTERVAL):
        self._client = client
        self._prefix = prefix
        self._interval = interval
        self._latest = ORIGIN
        self._next: asyncio.Task[Position] | None = None

    async def wait(self, wanted: Position, timeout_ms: int) -> Position:
        if self._latest >= wanted:  # (txid, seq) tuple order is the projector's read order
            return self._latest
        deadline = time.monotonic() + timeout_ms / 1000
        while True:
            reached = await self._fresh()
            if reached >= wanted:
                return reached
            if time.monotonic() >= deadline:
                raise ConsistencyTimeout(wanted, reached, timeout_ms)

    async def _fresh(self) -> Position:
        """The progress as read after this call: the next shared read, scheduled if none is."""
        if self._next is None:
            self._next = asyncio.get_running_loop().create_task(self._read_soon())
        # Shielded: a waiter that gives up (cancelled) does not cancel the others' read.
        return await asyncio.shield(self._next)

    async def _read_soon(self) -> Position:
        await asyncio.sleep(self._interval)  # gathers the waiters that arrive meanwhile
        self._next = None  # from here on, a new waiter needs a read that starts later
        self._latest = max(self._latest, await read_progress(self._client, self._prefix))
        return self._latest
