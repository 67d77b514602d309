"""Paging on a real node: past 10,000 results, and cursors while new orders are indexed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from projections.document import iso
from queries.handlers import OrderQueries
from queries.search_request import MAX_PAGE_SIZE, OrderSearch, SortSpec
from read_model.indices import ensure_index
from search_engine.client import SearchClient
from tests.integration.queries.queries_testdata import BASE_TIME, STATUSES
from tests.support.actors import STAFF

pytestmark = pytest.mark.anyio
Doc = dict[str, Any]
DEEP = 10_050
BATCH = 2_000


def order(n: int, minutes: int) -> Doc:
    """A small order document (the strict mapping refuses unknown fields, not missing
    ones): number `n`, placed `minutes` after BASE_TIME; cheap to index by the thousand."""
    placed = iso(BASE_TIME + timedelta(minutes=minutes))
    return {
        "id": f"order-{n:06d}",
        "status": STATUSES[n % len(STATUSES)],
        "placedAt": placed,
        "updatedAt": placed,
        "total": str(Decimal(n % 997) + Decimal("0.50")),
        "currency": "EUR",
    }


async def index(search: SearchClient, prefix: str, docs: list[Doc]) -> None:
    for start in range(0, len(docs), BATCH):
        batch = [(d["id"], d) for d in docs[start : start + BATCH]]
        await search.bulk_index(prefix, batch, refresh=start + BATCH >= len(docs))


async def walk(
    queries: OrderQueries,
    sort: list[SortSpec],
    size: int,
    between_pages: Callable[[list[str]], Any] | None = None,
) -> list[str]:
    seen: list[str] = []
    after = None
    while True:
        page = await queries.search_orders(OrderSearch(sort=sort, first=size, after=after), STAFF)
        seen += [edge.document["id"] for edge in page.edges]
        if not page.has_next_page:
            return seen
        after = page.end_cursor
        if between_pages is not None:
            await between_pages(seen)


def newest_first(docs: list[Doc]) -> list[str]:
    by_id = sorted(docs, key=lambda d: d["id"])
    return [d["id"] for d in sorted(by_id, key=lambda d: d["placedAt"], reverse=True)]


async def test_paging_past_ten_thousand_results(search: SearchClient, prefix: str) -> None:
    await ensure_index(search, prefix)
    # Three orders per minute: the id tiebreaker orders equal placedAt values.
    docs = [order(n, n // 3) for n in range(DEEP)]
    await index(search, prefix, docs)
    queries = OrderQueries(search, prefix)

    first = await queries.search_orders(OrderSearch(first=MAX_PAGE_SIZE), STAFF)
    assert first.total_count == DEEP  # exact, not capped at 10,000
    seen = await walk(queries, [SortSpec("PLACED_AT", "DESC")], MAX_PAGE_SIZE)
    assert len(seen) == len(set(seen)) == DEEP
    assert seen == newest_first(docs)
    status = dict(first.facets["status"])  # facets count past 10,000 too
    assert sum(status.values()) == DEEP


async def test_cursors_stay_valid_while_new_orders_arrive(
    search: SearchClient, prefix: str
) -> None:
    """PLACED_AT DESC: every order present at the start is seen exactly once, in order;
    orders newer than the cursor never show up; a late-indexed older order appears once
    if it sorts after the cursor."""
    await ensure_index(search, prefix)
    old = [order(n, 10 * (n // 2)) for n in range(40)]  # pairs share placedAt
    await index(search, prefix, old)
    queries = OrderQueries(search, prefix)
    arrivals: list[Doc] = []

    async def orders_arrive(seen: list[str]) -> None:
        k = len(arrivals)
        newest = order(1000 + k, 10_000 + k)  # placed now: newer than everything
        same_minute = order(2000 + k, 10 * ((39 - len(seen)) // 2))  # ties an old order
        arrivals.extend([newest, same_minute])
        await index(search, prefix, [newest, same_minute])

    seen = await walk(queries, [SortSpec("PLACED_AT", "DESC")], 7, orders_arrive)
    assert len(seen) == len(set(seen))  # no duplicates
    old_ids = {d["id"] for d in old}
    assert [i for i in seen if i in old_ids] == newest_first(old)  # no skips, same order
    newest = {d["id"] for d in arrivals if d["id"] < "order-002000"}
    assert not newest & set(seen)  # newer than every cursor: before the walk's position
    late = [i for i in seen if i not in old_ids]
    assert late == sorted(late, key=lambda i: newest_first(old + arrivals).index(i))


async def test_total_sorted_cursors_skip_no_old_order_while_orders_arrive(
    search: SearchClient, prefix: str
) -> None:
    await ensure_index(search, prefix)
    old = [order(n, n) for n in range(30)]
    await index(search, prefix, old)
    queries = OrderQueries(search, prefix)
    count = 0

    async def orders_arrive(_: list[str]) -> None:
        nonlocal count
        count += 1
        await index(search, prefix, [order(5000 + count, 100 + count)])

    seen = await walk(queries, [SortSpec("TOTAL", "ASC")], 4, orders_arrive)
    assert len(seen) == len(set(seen))
    old_ids = {d["id"] for d in old}
    by_total = sorted(old, key=lambda d: (Decimal(d["total"]), d["id"]))
    assert [i for i in seen if i in old_ids] == [d["id"] for d in by_total]
