"""The read path: `order(id)` and a faceted search against the same engine requests.

The limit sends what the service's read side sends for the same query: the document GET
through the alias for `order(id)`, and for the search the request body built by the
project's own pure builder (`queries.search_request.build_search_body`) from the same
`OrderSearch` the resolver makes of the GraphQL arguments.
"""

from __future__ import annotations

import json

from benchmarks import documents
from benchmarks.config import Plan
from benchmarks.dataset import Dataset
from benchmarks.loadgen import ClosedLoad, LoadResult, run_in_child
from benchmarks.operations import EngineGet, EngineSearch, GraphQL
from benchmarks.results import Row, Side, at_least, at_most, ratio
from benchmarks.stack import Api, Stack
from queries.search_request import build_search_body
from read_model.names import alias

TARGET_CONCURRENCY = 8
ORDER_TARGET = 0.5
SEARCH_TARGET = 0.85
LARGE_P99_MS = 150.0
MEMORY_MB = 300.0


async def read_path(plan: Plan, stack: Stack, api: Api, data: Dataset) -> list[Row]:
    rows = []
    for concurrency in plan.read_concurrency:
        rows.append(await order_row(plan, stack, api, data, concurrency))
    for concurrency in plan.read_concurrency:
        rows.append(await search_row(plan, stack, api, data, concurrency))
    rows.append(memory_row(api))
    return rows


async def order_row(plan: Plan, stack: Stack, api: Api, data: Dataset, concurrency: int) -> Row:
    print(f"read: order(id) at concurrency {concurrency} ...", flush=True)
    variables = tuple({"id": order_id} for order_id in data.order_ids)
    service = await _load(
        plan,
        GraphQL(api.graphql, documents.ORDER_BY_ID, variables, "order", headers=api.headers),
        concurrency,
    )
    limit = await _load(
        plan, EngineGet(stack.search_url, alias(stack.prefix), data.order_ids), concurrency
    )
    value = ratio(service.rate, limit.rate)
    targeted = concurrency == TARGET_CONCURRENCY
    return Row(
        "read",
        f"order(id), concurrency {concurrency}",
        Side.from_load(service, "q/s"),
        Side.from_load(limit, "q/s"),
        value,
        target=f">= {ORDER_TARGET}" if targeted else "",
        met=at_least(value, ORDER_TARGET) if targeted else None,
    )


async def search_row(
    plan: Plan,
    stack: Stack,
    api: Api,
    data: Dataset,
    concurrency: int,
    size: str = "",
) -> Row:
    """The faceted search; with `size` (e.g. "1,000,000 orders") the large-index target."""
    print(f"read: faceted orders(search) at concurrency {concurrency} {size}...", flush=True)
    variables = tuple(search.variables() for search in data.searches)
    bodies = tuple(
        json.dumps(build_search_body(search.order_search())).encode() for search in data.searches
    )
    service = await _load(
        plan,
        GraphQL(api.graphql, documents.FACETED_SEARCH, variables, "orders", headers=api.headers),
        concurrency,
    )
    limit = await _load(
        plan, EngineSearch(stack.search_url, alias(stack.prefix), bodies), concurrency
    )
    value = ratio(service.rate, limit.rate)
    side = Side.from_load(service, "q/s")
    targeted = concurrency == TARGET_CONCURRENCY
    if size:
        target, met = f"p99 <= {LARGE_P99_MS:.0f} ms", at_most(side.ms(0.99), LARGE_P99_MS)
    else:
        target, met = f">= {SEARCH_TARGET}", at_least(value, SEARCH_TARGET)
    return Row(
        "read",
        f"faceted orders(search), concurrency {concurrency}" + (f", {size}" if size else ""),
        side,
        Side.from_load(limit, "q/s"),
        value,
        target=target if targeted else "",
        met=met if targeted else None,
    )


def memory_row(api: Api) -> Row:
    """Peak RSS of each API worker after the read load (VmHWM)."""
    peaks = api.worker_peaks_mb()
    text = ", ".join(f"{mb:.0f} MB" for mb in peaks) or "unknown"
    return Row(
        "memory",
        "peak RSS per API worker under the read load",
        Side.fixed(text),
        None,
        target=f"<= {MEMORY_MB:.0f} MB",
        met=at_most(max(peaks), MEMORY_MB) if peaks else None,
    )


async def _load(
    plan: Plan, spec: GraphQL | EngineGet | EngineSearch, concurrency: int
) -> LoadResult:
    result: LoadResult = await run_in_child(
        ClosedLoad(spec, concurrency, plan.seconds, plan.warmup)
    )
    return result
