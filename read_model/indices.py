"""The order index's lifecycle: create it behind its alias, find the live one, drop all.

"The live index" is the physical index the alias points at: the one queries read and
the projector writes (a rebuild fills another, then swaps the alias to it).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from read_model import names
from read_model.mapping import REBUILD_STATE, progress_body
from read_model.views import ORDERS, View
from search_engine.client import SearchClient, SearchError


class NoLiveIndex(SearchError):
    """The alias points at no index (not created yet, or deleted by hand)."""


async def live_index(client: SearchClient, prefix: str) -> str:
    """The physical index behind the alias; NoLiveIndex when there is none."""
    targets = await client.alias_targets(names.alias(prefix))
    if not targets:
        raise NoLiveIndex(f"alias {names.alias(prefix)!r} does not exist (run `orders serve`)")
    return targets[-1]


def new_index_name(prefix: str, view: View = ORDERS) -> str:
    """A fresh physical index name for the view's mapping: `<prefix>-v<n>-<UTC time>`."""
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")[:-3]
    return names.physical_index(prefix, view.version, stamp)


def new_index_body(view: View = ORDERS) -> dict[str, Any]:
    """The view's index body, with `_meta` saying which mapping built it."""
    body = view.body()
    body["mappings"]["_meta"] = view.meta()
    return body


async def ensure_index(client: SearchClient, prefix: str, view: View = ORDERS) -> str:
    """Return the physical index behind alias `prefix`, creating index + alias if missing."""
    await _ensure_progress_index(client, prefix)
    alias = names.alias(prefix)
    targets = await client.alias_targets(alias)
    if targets:
        return targets[-1]
    name = new_index_name(prefix, view)
    body = new_index_body(view)
    # The alias is created with the index, as its write index: when two processes race,
    # the engine rejects the second index ("more than one write index") atomically, so
    # the alias never points at two indices and the loser adopts the winner's index.
    body["aliases"] = {alias: {"is_write_index": True}}
    try:
        await client.create_index(name, body)
    except SearchError:
        targets = await client.alias_targets(alias)
        if not targets:
            raise
        return targets[-1]
    return name


async def _ensure_progress_index(client: SearchClient, prefix: str) -> None:
    name = names.progress_index(prefix)
    if await client.index_exists(name):
        # Progress indices made before rebuild state existed learn the field (additive).
        await client.put_mapping(name, {"state": REBUILD_STATE})
        return
    try:
        await client.create_index(name, progress_body())
    except SearchError as exc:
        if exc.error_type != "resource_already_exists_exception":
            raise


async def drop_all(client: SearchClient, prefix: str) -> None:
    """Delete every index of this prefix (tests, local resets)."""
    doomed = set(await client.alias_targets(names.alias(prefix)))
    # Every mapping version's physical indices: names.physical_index gives "<prefix>-v<n>-…".
    doomed.update(await client.indices(f"{prefix}-v*"))
    doomed.add(names.progress_index(prefix))
    for name in sorted(doomed):
        await client.delete_index(name)
