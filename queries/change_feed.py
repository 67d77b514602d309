"""Live order changes for GraphQL subscriptions, read from the index alone (invariant 6).

The projector stamps every document it writes with its batch's position (`projectedAt`)
and publishes its progress only once those documents are searchable. One ChangeFeed per
API process polls that progress; when it moves from P_old to P_new, one search finds the
documents stamped in (P_old, P_new] and each goes to the subscribers that want it. So a
change is announced only once it is searchable, and its position is already reached.

Several changes of one order between two polls arrive as one change (its latest state).
A subscriber that falls behind loses its oldest undelivered changes (a bounded queue,
drop-oldest): every change carries the whole order, so its newest state still arrives,
and no subscriber slows the others down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

from positions import Position, decode_token
from queries.consistency import read_progress
from queries.errors import InvalidQuery
from search_engine import names
from search_engine.client import SearchClient

log = logging.getLogger(__name__)

STAMP = "projectedAt"  # {txid, seq}: the position of the batch that wrote the document
POLL_INTERVAL = 0.05  # seconds between progress reads
RETRY_DELAY = 1.0  # after a failed poll (search engine unreachable)
PAGE_SIZE = 500
QUEUE_SIZE = 100

_TXID, _SEQ = f"{STAMP}.txid", f"{STAMP}.seq"


def stamped(
    documents: Mapping[str, dict[str, Any]], position: Position
) -> dict[str, dict[str, Any]]:
    """The documents with the stamp of the batch that writes them (used by the projector)."""
    stamp = {"txid": position.txid, "seq": position.seq}
    return {key: {**doc, STAMP: stamp} for key, doc in documents.items()}


def parse_after(token: str | None) -> Position | None:
    """A subscription's `after` token as a position; InvalidQuery if malformed."""
    if token is None:
        return None
    try:
        return decode_token(token)
    except ValueError as error:
        raise InvalidQuery(str(error)) from None


def stamp_range(after: Position, upto: Position) -> dict[str, Any]:
    """Documents whose stamp lies in (after, upto], in (txid, seq) tuple order."""
    later = _either(
        {"range": {_TXID: {"gt": after.txid}}},
        _both({"term": {_TXID: after.txid}}, {"range": {_SEQ: {"gt": after.seq}}}),
    )
    not_beyond = _either(
        {"range": {_TXID: {"lt": upto.txid}}},
        _both({"term": {_TXID: upto.txid}}, {"range": {_SEQ: {"lte": upto.seq}}}),
    )
    return _both(later, not_beyond)


def changes_body(
    after: Position,
    upto: Position,
    size: int = PAGE_SIZE,
    search_after: list[Any] | None = None,
    wanted: ChangeFilter | None = None,
) -> dict[str, Any]:
    """One page of changed documents, oldest stamp first, then by id (a total order)."""
    clauses = [stamp_range(after, upto), *(wanted.clauses() if wanted else [])]
    body: dict[str, Any] = {
        "query": _both(*clauses),
        "size": size,
        "sort": [{_TXID: "asc"}, {_SEQ: "asc"}, {"id": "asc"}],
        "track_total_hits": False,
    }
    if search_after is not None:
        body["search_after"] = search_after
    return body


def _either(*clauses: dict[str, Any]) -> dict[str, Any]:
    return {"bool": {"should": list(clauses), "minimum_should_match": 1}}


def _both(*clauses: dict[str, Any]) -> dict[str, Any]:
    return {"bool": {"filter": list(clauses)}}


@dataclass(frozen=True)
class DocumentChange:
    """An order document as it became searchable, and the position it was stamped with."""

    document: dict[str, Any]
    position: Position

    @classmethod
    def from_hit(cls, hit: dict[str, Any]) -> DocumentChange:
        source = hit["_source"]
        stamp = source[STAMP]
        return cls(source, Position(int(stamp["txid"]), int(stamp["seq"])))


@dataclass(frozen=True)
class ChangeFilter:
    """Which changes a subscriber wants: one order, one customer's, or (both None) all."""

    order_id: str | None = None
    customer_id: str | None = None

    def matches(self, change: DocumentChange) -> bool:
        doc = change.document
        if self.order_id is not None and doc.get("id") != self.order_id:
            return False
        customer = doc.get("customer") or {}
        return self.customer_id is None or customer.get("id") == self.customer_id

    def clauses(self) -> list[dict[str, Any]]:
        """The same filter as search clauses (for a subscriber's catch-up)."""
        found = []
        if self.order_id is not None:
            found.append({"term": {"id": self.order_id}})
        if self.customer_id is not None:
            found.append({"term": {"customer.id": self.customer_id}})
        return found


class Subscriber:
    """One subscription's bounded queue; `offer` never blocks (drop-oldest when full).

    With `after`, changes stamped at or before it are not for this subscriber.
    """

    def __init__(
        self, wanted: ChangeFilter, size: int = QUEUE_SIZE, after: Position | None = None
    ) -> None:
        self.wanted = wanted
        self.after = after
        self.dropped = 0
        self._queue: asyncio.Queue[DocumentChange] = asyncio.Queue(maxsize=size)

    def offer(self, change: DocumentChange) -> None:
        if not self.wanted.matches(change):
            return
        if self.after is not None and change.position <= self.after:
            return
        if self._queue.full():
            self._queue.get_nowait()
            self.dropped += 1
        self._queue.put_nowait(change)

    async def next(self) -> DocumentChange:
        return await self._queue.get()


class ChangeFeed:
    """Polls the published progress and fans changed documents out to subscribers.

    Started by the first subscriber; `stop()` (the app's lifespan) ends the polling.
    """

    def __init__(self, prefix: str, poll_interval: float = POLL_INTERVAL) -> None:
        self.prefix = prefix
        self.poll_interval = poll_interval
        self.seen: Position | None = None
        self._search: SearchClient | None = None
        self._subscribers: set[Subscriber] = set()
        self._task: asyncio.Task[None] | None = None
        # Held while `seen` advances and while a subscriber joins, so a change is either
        # in a joining subscriber's catch-up or in a later poll, never in neither.
        self._lock = asyncio.Lock()

    @contextlib.asynccontextmanager
    async def subscribe(
        self, search: SearchClient, wanted: ChangeFilter, after: Position | None = None
    ) -> AsyncIterator[Subscriber]:
        """A subscriber for changes from now on, or from just after `after` if given."""
        subscriber = Subscriber(wanted, after=after)
        async with self._lock:
            if self._task is None:
                self._search = search
                self.seen = await read_progress(search, self.prefix)
                self._task = asyncio.create_task(self._run(), name="change-feed")
            assert self.seen is not None
            if after is not None and after < self.seen:
                for change in await self._fetch(after, self.seen, wanted):
                    subscriber.offer(change)
            self._subscribers.add(subscriber)
        try:
            yield subscriber
        finally:
            self._subscribers.discard(subscriber)

    async def poll(self) -> int:
        """Publish the changes up to the current progress; returns how many were found."""
        async with self._lock:
            assert self._search is not None and self.seen is not None
            progress = await read_progress(self._search, self.prefix)
            if progress <= self.seen:
                return 0
            changes = await self._fetch(self.seen, progress)
            self.seen = progress
            for change in changes:
                for subscriber in list(self._subscribers):
                    subscriber.offer(change)
            return len(changes)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self.poll()
            except Exception:  # the search engine may be away; subscribers stay connected
                log.warning("change feed poll failed; retrying", exc_info=True)
                await asyncio.sleep(RETRY_DELAY)
            await asyncio.sleep(self.poll_interval)

    async def _fetch(
        self, after: Position, upto: Position, wanted: ChangeFilter | None = None
    ) -> list[DocumentChange]:
        assert self._search is not None
        changes: list[DocumentChange] = []
        search_after: list[Any] | None = None
        while True:
            body = changes_body(after, upto, PAGE_SIZE, search_after, wanted)
            hits = (await self._search.search(names.alias(self.prefix), body))["hits"]["hits"]
            changes += [DocumentChange.from_hit(hit) for hit in hits]
            if len(hits) < PAGE_SIZE:
                return changes
            search_after = hits[-1]["sort"]
