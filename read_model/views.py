"""The read models the service keeps, each one index behind its own alias: what a view
is to the search engine (its alias, mapping and mapping version). The projector side's
registry (projections/registry.py) pairs each view with the code that fills it.

Aliases derive from `INDEX_PREFIX` (default `orders`): the order view's alias is the
prefix itself, every other view's is `<prefix>-<name>` (`orders-customers`,
`orders-sales`), so one prefix names one deployment's indices and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from read_model import mapping


@dataclass(frozen=True)
class View:
    name: str
    version: int  # bump on any mapping change: `orders rebuild` moves the alias over
    body: Callable[[], dict[str, Any]]  # settings + strict mappings of a physical index
    noun: str = "documents"  # what its documents are, in a rebuild's progress and report

    def prefix(self, index_prefix: str) -> str:
        """This view's alias (and the stem of its physical and progress indices)."""
        return index_prefix if self.name == ORDERS_NAME else f"{index_prefix}-{self.name}"

    def meta(self) -> dict[str, Any]:
        """Stored in each physical index's `_meta`: which mapping built it."""
        return mapping.mapping_meta(self.version, self.body())


ORDERS_NAME = "orders"
ORDERS = View(ORDERS_NAME, mapping.MAPPING_VERSION, mapping.index_body, noun="orders")
