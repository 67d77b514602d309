"""The one way documents reach an index: bulk requests, with permanent rejections told
apart and parked as dead letters (docs/ARCHITECTURE.md §2, invariant 6).

A bulk item that fails with 400 (mapping conflict, strict mapping, unparsable value)
fails the same way on every retry: its order is returned as rejected, and `park` records
it in `dead_letters`. Any other failed item (429, 5xx, a read-only block) is transient:
the write raises `BulkError` and the caller retries the whole batch. The projector, the
rebuild's load and `orders dead-letters retry` all write through here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from positions import Position
from projections import dead_letters
from search_engine.client import BulkError, SearchClient

log = logging.getLogger(__name__)

BULK_DOCUMENTS = 1_000  # documents per bulk request; a write may take several
PERMANENT_STATUSES = frozenset({400})


@dataclass
class Written:
    """What one write did: the ids now in the index, and those rejected for good (reason)."""

    written: set[str] = field(default_factory=set)
    rejected: dict[str, str] = field(default_factory=dict)

    def add(self, other: Written) -> None:
        self.written |= other.written
        self.rejected.update(other.rejected)


def permanent_failures(error: BulkError) -> dict[str, str] | None:
    """order id → reason when every failed item is a permanent rejection; else None."""
    if not error.items or any(status not in PERMANENT_STATUSES for _, status, _ in error.items):
        return None
    return {doc_id: f"{status} {reason}" for doc_id, status, reason in error.items}


class IndexWriter:
    """Bulk-writes documents and parks what the engine rejects for good."""

    def __init__(
        self,
        engine: AsyncEngine,
        search: SearchClient,
        projection: str,
        *,
        chunk: int = BULK_DOCUMENTS,
        guard: Callable[[], None] | None = None,
        observe: Callable[[float], None] | None = None,
    ) -> None:
        """`guard` runs before each bulk request (the projector checks it still leads);
        `observe` gets each request's seconds (a latency histogram)."""
        self.engine = engine
        self.search = search
        self.projection = projection
        self.chunk = chunk
        self.guard = guard
        self.observe = observe

    async def write(
        self, index: str, documents: Mapping[str, Mapping[str, Any]], *, refresh: bool = False
    ) -> Written:
        """Index `documents` in chunks; BulkError when an item failed transiently."""
        outcome = Written()
        items = list(documents.items())
        for start in range(0, len(items), self.chunk):
            chunk = items[start : start + self.chunk]
            if self.guard is not None:
                self.guard()
            started = time.perf_counter()
            try:
                await self.search.bulk_index(index, chunk, refresh=refresh)
                rejected: dict[str, str] = {}
            except BulkError as error:
                found = permanent_failures(error)
                if found is None:
                    raise  # transient item failures: the caller retries the whole write
                rejected = found
            finally:
                if self.observe is not None:
                    self.observe(time.perf_counter() - started)
            written = {doc_id for doc_id, _ in chunk if doc_id not in rejected}
            outcome.add(Written(written, rejected))
        return outcome

    async def park(self, index: str, rejected: Mapping[str, str], at: Position) -> None:
        """Record rejected orders as dead letters of `index`, found at position `at`."""
        if not rejected:
            return
        await dead_letters.record(self.engine, self.projection, index, dict(rejected), at)
        for order_id, reason in rejected.items():
            log.error("order %s dead-lettered at %s: %s", order_id, tuple(at), reason)
