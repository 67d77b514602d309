"""Live order changes for GraphQL subscriptions, read from the index alone (docs/ARCHITECTURE.md,
invariant 6).

The projector stamps every document it writes with its batch's position (`projectedAt`)
and publishes its progress only once those documents are searchable. One ChangeFeed per
API process polls that progress; when it moves from P_old to P_new, one search finds the
documents stamped in (P_old, P_new] and each goes to the subscribers that want it. So a
change is announced only once it is searchable, and its position is already reached.

Several changes of one order between two polls arrive as one change (its latest state).
A subscriber that falls behind loses its oldest undelivered changes (a bounded queue,
drop-oldest): every change carries the whole order, so its newest state still arrives,
and no subscriber slows the others down.

A subscriber with `after` behind the feed joins at once (from then on every poll offers
it the new changes) and replays (after, joined] itself, outside the feed's lock: one page
of REPLAY_PAGE documents at a time, fetched only as the client reads. So 20 replays from
the start of the log delay no other subscriber, and each holds at most one page. How far
back it may go is capped: more than `replay_max` changed orders since `after` (one
bounded count request) is refused with InvalidQuery before anything is loaded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

from positions import Position
from queries.change_stamps import (
    PAGE_SIZE,
    ChangeFilter,
    DocumentChange,
    changes_body,
    parse_after,
    stamp_range,
)
from queries.errors import InvalidQuery
from read_model import names
from read_model.progress import read_progress
from read_model.stamps import STAMP, stamped
from search_engine.client import SearchClient

__all__ = [  # the stamps' names too: the feed is where callers look for them
    "STAMP",
    "ChangeFeed",
    "ChangeFilter",
    "DocumentChange",
    "Replay",
    "Subscriber",
    "changes_body",
    "parse_after",
    "stamp_range",
    "stamped",
]

log = logging.getLogger(__name__)

POLL_INTERVAL = 0.05  # seconds between progress reads
RETRY_DELAY = 1.0  # after a failed poll (search engine unreachable)
REPLAY_PAGE = 100  # documents one replay holds at a time
REPLAY_MAX = 1_000  # changed orders one `after` may replay (SUBSCRIPTION_REPLAY_MAX)
QUEUE_SIZE = 100


class Replay:
    """The changes a subscriber missed, (after, upto], read one page at a time."""

    def __init__(
        self,
        search: SearchClient,
        index: str,
        bounds: tuple[Position, Position],
        wanted: ChangeFilter,
        page_size: int = REPLAY_PAGE,
    ) -> None:
        self.search = search
        self.index = index
        self.bounds = bounds
        self.wanted = wanted
        self.page_size = page_size
        self.pages = 0
        self._page: deque[DocumentChange] = deque()
        self._search_after: list[Any] | None = None
        self._done = False

    async def next(self) -> DocumentChange | None:
        """The next missed change, or None once there are no more."""
        if not self._page and not self._done:
            after, upto = self.bounds
            body = changes_body(after, upto, self.page_size, self._search_after, self.wanted)
            hits = (await self.search.search(self.index, body))["hits"]["hits"]
            self.pages += 1
            self._page.extend(DocumentChange.from_hit(hit) for hit in hits)
            self._done = len(hits) < self.page_size
            if hits:
                self._search_after = hits[-1]["sort"]
        return self._page.popleft() if self._page else None


class Subscriber:
    """One subscription's bounded queue; `offer` never blocks (drop-oldest when full).

    With `after`, changes stamped at or before it are not for this subscriber. A
    `replay`, when set, is read to its end before the queue.
    """

    def __init__(
        self, wanted: ChangeFilter, size: int = QUEUE_SIZE, after: Position | None = None
    ) -> None:
        self.wanted = wanted
        self.after = after
        self.dropped = 0
        self.replay: Replay | None = None
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
        if self.replay is not None:
            missed = await self.replay.next()
            if missed is not None:
                return missed
            self.replay = None
        return await self._queue.get()


class ChangeFeed:
    """Polls the published progress and fans changed documents out to subscribers.

    Started by the first subscriber; `stop()` (the app's lifespan) ends the polling.
    """

    def __init__(
        self,
        search: SearchClient,
        prefix: str,
        poll_interval: float = POLL_INTERVAL,
        replay_max: int = REPLAY_MAX,
        noun: str = "orders",
    ) -> None:
        """`prefix` is a view's (the order view's, or `CUSTOMERS.prefix` for customers);
        `noun` names its documents, and its query, in the replay limit's message."""
        self.search = search
        self.prefix = prefix
        self.noun = noun
        self.poll_interval = poll_interval
        self.replay_max = replay_max
        self.seen: Position | None = None
        self._subscribers: set[Subscriber] = set()
        self._task: asyncio.Task[None] | None = None
        # Held while `seen` advances and while a subscriber joins, so a change is either
        # in a joining subscriber's replay (up to `seen` as it joined) or in a later poll,
        # never in neither. Never held while a replay loads.
        self._lock = asyncio.Lock()

    @contextlib.asynccontextmanager
    async def subscribe(
        self, wanted: ChangeFilter, after: Position | None = None
    ) -> AsyncIterator[Subscriber]:
        """A subscriber for changes from now on, or from just after `after` if given;
        InvalidQuery if more than `replay_max` orders changed since `after`."""
        subscriber = Subscriber(wanted, after=after)
        async with self._lock:
            if self._task is None:
                self.seen = await read_progress(self.search, self.prefix)
                self._task = asyncio.create_task(self._run(), name="change-feed")
            assert self.seen is not None
            joined = self.seen
            self._subscribers.add(subscriber)
        try:
            if after is not None and after < joined:
                subscriber.replay = await self._replay((after, joined), wanted)
            yield subscriber
        finally:
            self._subscribers.discard(subscriber)

    async def _replay(self, bounds: tuple[Position, Position], wanted: ChangeFilter) -> Replay:
        # One count that stops at the cap: cheap however far back `after` lies.
        body = {
            "query": changes_body(*bounds, wanted=wanted)["query"],
            "size": 0,
            "track_total_hits": self.replay_max + 1,
        }
        alias = names.alias(self.prefix)
        found = (await self.search.search(alias, body))["hits"]["total"]["value"]
        if found > self.replay_max:
            raise InvalidQuery(
                f"`after` is too far back: more than {self.replay_max:,} {self.noun} changed "
                f"since it (SUBSCRIPTION_REPLAY_MAX); query `{self.noun}` for their current "
                "state, then subscribe with a recent position"
            )
        return Replay(self.search, alias, bounds, wanted)

    async def poll(self) -> int:
        """Publish the changes up to the current progress; returns how many were found."""
        async with self._lock:
            assert self.seen is not None
            progress = await read_progress(self.search, self.prefix)
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
        changes: list[DocumentChange] = []
        search_after: list[Any] | None = None
        while True:
            body = changes_body(after, upto, PAGE_SIZE, search_after, wanted)
            hits = (await self.search.search(names.alias(self.prefix), body))["hits"]["hits"]
            changes += [DocumentChange.from_hit(hit) for hit in hits]
            if len(hits) < PAGE_SIZE:
                return changes
            search_after = hits[-1]["sort"]
