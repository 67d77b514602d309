"""Which mapping built the live index, against the code's: a rebuild is needed when they differ."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from read_model.indices import NoLiveIndex, live_index
from read_model.views import ORDERS, View
from search_engine.client import SearchClient


@dataclass
class MappingState:
    """Which mapping built the alias' index, against the code's."""

    index: str | None
    index_version: int | None
    code_version: int = ORDERS.version
    same_body: bool | None = None  # None: the index predates mapping digests

    @property
    def rebuild_needed(self) -> bool:
        return self.index is not None and (
            self.index_version != self.code_version or self.same_body is False
        )

    def describe(self) -> str:
        if self.index is None:
            return "no index yet"
        if self.index_version != self.code_version:
            return (
                f"{self.index} has mapping v{self.index_version}, the code v{self.code_version}:"
                " run `orders rebuild`"
            )
        if self.same_body is False:
            return (
                f"{self.index} differs from the code's mapping v{self.code_version}:"
                " run `orders rebuild`"
            )
        return f"v{self.code_version} (as in the code)"


async def mapping_state(search: SearchClient, prefix: str, view: View = ORDERS) -> MappingState:
    try:
        index = await live_index(search, prefix)
    except NoLiveIndex:
        return MappingState(None, None, code_version=view.version)
    meta = await _index_meta(search, index)
    version = meta.get("mapping_version")
    if version is None:  # made before `_meta` was written: the name carries the version
        found = re.search(r"-v(\d+)-[^-]*$", index)
        version = int(found.group(1)) if found else None
    digest = meta.get("mapping_digest")
    same = None if digest is None else digest == view.meta()["mapping_digest"]
    known = None if version is None else int(version)
    return MappingState(index, known, code_version=view.version, same_body=same)


async def _index_meta(search: SearchClient, index: str) -> dict[str, Any]:
    return dict((await search.mapping(index)).get("_meta", {}) or {})
