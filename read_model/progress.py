"""Published progress: the position up to which a physical index's documents are searchable.

The projector (and a rebuild) write it only after the documents are searchable; the read
side waits on it for `consistency: {atLeast}` (docs/ARCHITECTURE.md, invariant 6).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from positions import ORIGIN, Position
from read_model import names
from read_model.indices import NoLiveIndex, live_index
from search_engine.client import SearchClient


async def publish_progress(
    client: SearchClient,
    prefix: str,
    position: Position,
    index: str | None = None,
    state: Mapping[str, Any] | None = None,
    refresh: bool = True,
) -> None:
    """Publish a physical index's position (the alias' index when `index` is None).

    Progress is kept per physical index, under the index's name, so a rebuild and the
    live projector never share a checkpoint. Call only once the documents are searchable.
    """
    if index is None:
        index = await live_index(client, prefix)
    doc: dict[str, Any] = {
        "txid": position.txid,
        "seq": position.seq,
        "updatedAt": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }
    if state is not None:
        doc["state"] = state
    await client.put_document(names.progress_index(prefix), index, doc, refresh=refresh)


async def read_progress(client: SearchClient, prefix: str) -> Position:
    """The published position of the index the alias points at; ORIGIN when none yet.

    Progress is kept per physical index (a rebuild fills its own), so this follows the
    alias: right after a rebuild's swap it reads the new index's progress.
    """
    try:
        index = await live_index(client, prefix)
    except NoLiveIndex:
        return ORIGIN
    return await index_progress(client, prefix, index)


async def index_progress(client: SearchClient, prefix: str, index: str) -> Position:
    """The published position of one physical index; ORIGIN when nothing was published."""
    doc = await client.get(names.progress_index(prefix), index)
    if doc is None:
        return ORIGIN
    return Position(int(doc["txid"]), int(doc["seq"]))
