"""The projections the engine runs: each pairs a read model's view (read_model/views.py)
with the code that fills it from the write tables. Everything else is shared: the event
log, leadership (one leader per projection), checkpoints (per physical index), dead
letters (by projection), rebuild, lag and metrics.

A projection says which of its documents a batch of events touches and how to build
documents from current rows, so a replayed batch ends in the same documents. A new
projection starts from an empty index at the log's origin and catches up by replaying
the log (each batch rebuilds the documents it touches from current rows), while the
others go on; `orders rebuild --projection NAME` loads it from the tables instead.

Adding one: a module with the four functions below, a view with its mapping, and one
line in `PROJECTIONS`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from projections import customers, sales, source
from read_model import views
from read_model.customers import CUSTOMERS as CUSTOMER_VIEW
from read_model.sales import SALES as SALES_VIEW
from read_model.views import View

Documents = Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True)
class Projection:
    view: View
    # Ids of the documents a batch changes (fan-out included).
    affected: Callable[[AsyncConnection, Sequence[source.EventRef]], Awaitable[set[str]]]
    # Current documents for those ids, from the write tables (an id without one is skipped).
    load: Callable[[AsyncConnection, Iterable[str]], Awaitable[Documents]]
    # The next `limit` documents by id after `after`: a rebuild's load chunk.
    load_after: Callable[[AsyncConnection, str, int], Awaitable[Documents]]
    # How many documents a full load writes (a rebuild's progress bar).
    count: Callable[[AsyncConnection], Awaitable[int]]

    @property
    def name(self) -> str:
        return self.view.name

    def prefix(self, index_prefix: str) -> str:
        return self.view.prefix(index_prefix)


ORDERS = Projection(
    view=views.ORDERS,
    affected=source.affected_orders,
    load=source.load_documents,
    load_after=source.load_documents_after,
    count=source.count_orders,
)

CUSTOMERS = Projection(
    view=CUSTOMER_VIEW,
    affected=customers.affected_customers,
    load=customers.load_customers,
    load_after=customers.load_customers_after,
    count=customers.count_customers,
)

SALES = Projection(
    view=SALES_VIEW,
    affected=sales.affected_sales,
    load=sales.load_sales,
    load_after=sales.load_sales_after,
    count=sales.count_sales,
)

PROJECTIONS: tuple[Projection, ...] = (ORDERS, CUSTOMERS, SALES)


def named(name: str) -> Projection:
    """The registered projection called `name`; KeyError listing the names otherwise."""
    for projection in PROJECTIONS:
        if projection.name == name:
            return projection
    raise KeyError(f"no projection {name!r} (known: {', '.join(p.name for p in PROJECTIONS)})")
