"""A rebuild's state, kept in its progress document, its outcome, and its chunk queue."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypedDict, cast

from positions import Position

Phase = Literal["load", "catchup"]
Chunk = Mapping[str, Mapping[str, Any]]  # documents by id, a load chunk
LOADING: Phase = "load"
CATCHING_UP: Phase = "catchup"


class BuildState(TypedDict):
    """What a rebuild keeps in its index's progress document, to resume from."""

    phase: Phase
    horizon: list[int]  # [txid, seq]: every event up to it had committed at the start
    after: str  # the last order id loaded (ids are loaded in order)
    loaded: int
    total: int
    started: str  # ISO 8601, UTC
    mapping_digest: str  # the mapping it was started with


def build_state(stored: Mapping[str, Any] | None) -> BuildState | None:
    """The state of an unfinished rebuild, from a progress document's `state`; None when
    the document describes no unfinished rebuild (a live index, or another writer's)."""
    if not stored or stored.get("phase") not in (LOADING, CATCHING_UP):
        return None
    if not set(BuildState.__annotations__) <= set(stored):
        return None  # written by an older version: not resumable
    return cast(BuildState, dict(stored))


class RebuildError(RuntimeError):
    """A rebuild cannot start or continue; the message says what to run instead."""


@dataclass
class Build:
    """An unfinished rebuild: its index and the state kept in its progress document."""

    index: str
    state: BuildState
    noun: str = "orders"  # the view's documents (View.noun)

    @property
    def horizon(self) -> Position:
        """Every event up to here had committed when the load began."""
        txid, seq = self.state["horizon"]
        return Position(int(txid), int(seq))

    @property
    def phase(self) -> Phase:
        return self.state["phase"]

    def describe(self) -> str:
        loaded, total = self.state["loaded"], self.state["total"]
        done = f"{loaded}/{total} {self.noun} loaded" if self.phase == LOADING else "catching up"
        return f"{self.index} ({done}, started {self.state['started']})"


@dataclass
class RebuildReport:
    index: str
    replaced: list[str]
    orders: int = 0
    events: int = 0  # events the new index covers at the swap
    caught_up_events: int = 0  # of which replayed after the load
    dead_letters: int = 0
    seconds: float = 0.0
    load_seconds: float = 0.0
    noun: str = "orders"  # what `orders` counts: the view's documents (View.noun)

    def summary(self) -> str:
        replaced = ", ".join(self.replaced) or "nothing"
        parked = f"; {self.dead_letters} dead letters" if self.dead_letters else ""
        return (
            f"now serving {self.index} (replaced {replaced}): {self.orders} {self.noun} loaded, "
            f"{self.events} events covered ({self.caught_up_events} replayed after the load) "
            f"in {self.seconds:.1f} s: {self.events_per_second:.0f} events/s, "
            f"{self.orders_per_second:.0f} {self.noun}/s "
            f"(load phase {self.load_seconds:.1f} s){parked}"
        )

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

    @property
    def orders_per_second(self) -> float:
        return self.orders / self.seconds if self.seconds else 0.0


async def take_chunks(queue: asyncio.Queue[Chunk | None], most: int) -> list[Chunk]:
    """The next chunk (waiting for it) plus up to `most - 1` more already read; [] at the end.

    The end marker goes back into the queue so the next call sees it too.
    """
    chunks: list[Chunk] = []
    while len(chunks) < most:
        if chunks and queue.empty():
            break
        chunk = await queue.get()
        if chunk is None:
            queue.put_nowait(None)
            break
        chunks.append(chunk)
    return chunks
