"""Read-your-writes: wait until the projector's published progress reaches a token.

The projector publishes its position in the search engine only after the
documents up to it are searchable, so reading it here needs no write database
(invariant 6).
"""

from __future__ import annotations

import asyncio
import time

from positions import ORIGIN, Position, decode_token
from queries.errors import InvalidQuery
from search_engine import names
from search_engine.client import SearchClient

MAX_TIMEOUT_MS = 30_000
_FIRST_DELAY = 0.01
_MAX_DELAY = 0.1


class ConsistencyTimeout(Exception):
    """The index did not reach the requested position in time."""

    def __init__(self, wanted: Position, reached: Position, timeout_ms: int):
        super().__init__(
            f"index reached {tuple(reached)}, not {tuple(wanted)}, within {timeout_ms} ms"
        )
        self.wanted = wanted
        self.reached = reached


async def read_progress(client: SearchClient, prefix: str) -> Position:
    """The published position of the index the alias points at; ORIGIN when none yet.

    Progress is kept per physical index (a rebuild fills its own), so this follows the
    alias: right after a rebuild's swap it reads the new index's progress.
    """
    targets = await client.alias_targets(names.alias(prefix))
    if not targets:
        return ORIGIN
    return await index_progress(client, prefix, targets[-1])


async def index_progress(client: SearchClient, prefix: str, index: str) -> Position:
    """The published position of one physical index; ORIGIN when nothing was published."""
    doc = await client.get(names.progress_index(prefix), index)
    if doc is None:
        return ORIGIN
    return Position(int(doc["txid"]), int(doc["seq"]))


async def wait_for(client: SearchClient, prefix: str, token: str, timeout_ms: int) -> Position:
    """Return the progress once it is >= the token's position; ConsistencyTimeout otherwise.

    InvalidQuery for a malformed token or a timeout outside 0..30000 ms.
    """
    try:
        wanted = decode_token(token)
    except ValueError as exc:
        raise InvalidQuery(str(exc)) from None
    if not 0 <= timeout_ms <= MAX_TIMEOUT_MS:
        raise InvalidQuery(f"timeoutMs must be between 0 and {MAX_TIMEOUT_MS}")
    deadline = time.monotonic() + timeout_ms / 1000
    delay = _FIRST_DELAY
    while True:
        reached = await read_progress(client, prefix)
        if reached >= wanted:  # (txid, seq) tuple order is the projector's read order
            return reached
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ConsistencyTimeout(wanted, reached, timeout_ms)
        await asyncio.sleep(min(delay, remaining))
        delay = min(delay * 2, _MAX_DELAY)
