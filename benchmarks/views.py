"""The views section (`--only views`): each view's backfill and index size, and the two view
queries next to the same answer computed from order documents.

Backfill, per registered projection (projections/registry.py), on the seeded data with no
API running:
- by replay: the view's index and its progress are dropped, then `orders projector` runs
  in its own process until the view's published position reaches the log's head (how a
  newly added view catches up by itself); the time includes the process' start-up. The
  index size is read then (updated copies not merged yet);
- by rebuild: `orders rebuild --projection NAME`, documents/s of its load phase against
  bulk-indexing the same final documents into a fresh index of the view's mapping (the
  projection section's limit, `benchmarks.projection.bulk_limit`); the size after it.

Queries, at concurrency 1 on a running API (its projector on, idle), the engine's request
cache off on every index for the while (each report would otherwise be answered from the
cache after its first run, on every side alike):
- `salesReport` over the API, next to its own request body sent to the engine (`limit`);
  then that body next to the same report from order documents (benchmarks/order_answers
  .py): by day and country and by month as one aggregation, by week and product pulled
  and summed. Before timing, one report of each kind is answered both ways and compared;
- `customers(search:)` the same way, next to a terms aggregation over order documents;
  the figures of the customers both answers list are compared.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import asyncpg

from benchmarks import documents, order_answers
from benchmarks.config import Plan
from benchmarks.dataset import dsn
from benchmarks.loadgen import ClosedLoad, LoadResult, run_in_child
from benchmarks.operations import (
    EngineProductReport,
    EngineSearch,
    GraphQL,
    OperationSpec,
    check_graphql,
    product_report_from_orders,
    read_json,
)
from benchmarks.processes import Child
from benchmarks.projection import bulk_limit, run_rebuild
from benchmarks.results import Row, Side, ratio
from benchmarks.single_model import speedup_text
from benchmarks.stack import ROOT, Api, Stack, orders_command
from database.engine import create_engine
from positions import ORIGIN, Position
from projections import source
from projections.registry import PROJECTIONS, Projection, named
from queries.customer_search import CustomerSearch, build_customer_search_body
from queries.sales_report import SalesGroup, SalesInterval, SalesRequest, build_report_body
from read_model.names import alias, progress_index
from read_model.progress import read_progress
from search_engine.client import SearchClient, SearchError

CONCURRENCY = 1
WINDOWS = 12  # report ranges, each ending a week before the next
PAGE = 20
MIB = 1024 * 1024


@dataclass(frozen=True)
class Report:
    """One kind of report: its arguments over WINDOWS ranges ending at the data's end."""

    label: str
    interval: SalesInterval
    group_by: tuple[SalesGroup, ...]
    days: int

    def variables(self, last: datetime) -> tuple[dict[str, Any], ...]:
        ends = [last - timedelta(days=7 * k) for k in range(WINDOWS)]
        return tuple(
            {
                "from": (end - timedelta(days=self.days)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "to": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "interval": self.interval.value,
                "groupBy": [g.value for g in self.group_by],
            }
            for end in ends
        )

    def request(self, variables: dict[str, Any]) -> SalesRequest:
        """What the resolver makes of `variables` (schema/sales.py)."""
        return SalesRequest(
            start=datetime.fromisoformat(variables["from"].replace("Z", "+00:00")),
            end=datetime.fromisoformat(variables["to"].replace("Z", "+00:00")),
            interval=self.interval,
            group_by=self.group_by,
        )


REPORTS = (
    Report("by day and country, 28 days", SalesInterval.DAY, (SalesGroup.COUNTRY,), 28),
    Report("by week and product, 28 days", SalesInterval.WEEK, (SalesGroup.PRODUCT,), 28),
    Report("by month, 364 days", SalesInterval.MONTH, (), 364),
)


async def backfill_rows(stack: Stack, progress: bool) -> list[Row]:
    rows: list[Row] = []
    for projection in PROJECTIONS:
        rows += await _backfill(stack, projection, progress)
    return rows


async def _backfill(stack: Stack, projection: Projection, progress: bool) -> list[Row]:
    name, view, prefix = projection.name, projection.view, projection.prefix(stack.prefix)
    engine = create_engine(stack.database_url)
    search = await SearchClient.connect(stack.search_url, request_timeout=120)
    try:
        async with engine.connect() as conn:
            head = await source.head(conn)
            events = await source.count_after(conn, ORIGIN)
            count = await projection.count(conn)
        print(f"views: {name} view replays {events:,} events from the origin ...", flush=True)
        for index in [*await search.alias_targets(alias(prefix)), progress_index(prefix)]:
            await search.delete_index(index)
        replay = await _replay(stack, search, prefix, head, events, name)
        replayed_mib, replayed_docs = await _size(stack, search, prefix)
        print(f"views: orders rebuild --projection {name} ({count:,} {view.noun}) ...", flush=True)
        rebuild = await run_rebuild(stack, view, count, progress)
        rebuilt_mib, rebuilt_docs = await _size(stack, search, prefix)
        limit = await bulk_limit(search, stack, view)
    finally:
        await search.close()
        await engine.dispose()
    noun = view.noun
    return [
        Row(
            "views",
            f"{name} view: backfill by replaying {events:,} events",
            Side(events / replay, "events/s", detail=f"{replay:.1f} s with start-up"),
        ),
        Row(
            "views",
            f"{name} view: backfill by orders rebuild --projection {name}",
            Side(rebuild.rate, f"{noun}/s", detail=f"{count:,} {noun}, {rebuild.wall:.1f} s"),
            Side(limit.per_second, f"{noun}/s", detail="bulk-indexing the final documents"),
            ratio(rebuild.rate, limit.per_second),
        ),
        Row(
            "views",
            f"{name} index size",
            Side.fixed(
                f"{rebuilt_mib:.1f} MiB rebuilt ({rebuilt_docs:,} documents), "
                f"{replayed_mib:.1f} MiB replayed ({replayed_docs:,}, not merged)"
            ),
        ),
    ]


async def _replay(
    stack: Stack, search: SearchClient, prefix: str, head: Position, events: int, name: str
) -> float:
    """Seconds from starting `orders projector` until the view at `prefix` reached `head`."""
    log = stack.work / f"replay-{name}.log"
    child = Child("orders projector", [*orders_command(), "projector"], log, stack.env(), ROOT)
    started = time.perf_counter()
    deadline = time.monotonic() + 300 + events / 50
    try:
        while True:
            if not child.running:
                raise RuntimeError(f"the projector exited early{child.tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the {name} view did not catch up in time{child.tail()}")
            if await _reached(search, prefix) >= head:
                return time.perf_counter() - started
            await asyncio.sleep(0.2)
    finally:
        child.stop()


async def _reached(search: SearchClient, prefix: str) -> Position:
    try:
        return await read_progress(search, prefix)
    except SearchError:  # the progress index is not there yet: the projector is starting
        return ORIGIN


async def _size(stack: Stack, search: SearchClient, prefix: str) -> tuple[float, int]:
    """(store size in MiB, documents) of the view's live index, primaries only."""
    index = (await search.alias_targets(alias(prefix)))[-1]
    url = f"{stack.search_url}/{index}/_stats/store"
    async with aiohttp.ClientSession(trust_env=False) as http, http.get(url) as response:
        primaries = (await read_json(response))["indices"][index]["primaries"]
    return primaries["store"]["size_in_bytes"] / MIB, await search.count(index)


async def query_rows(plan: Plan, stack: Stack, api: Api) -> list[Row]:
    last = await _last_midnight(stack)
    search = await SearchClient.connect(stack.search_url, request_timeout=120)
    indices = [
        index
        for view in PROJECTIONS
        for index in await search.alias_targets(alias(view.prefix(stack.prefix)))
    ]
    try:
        await _request_cache(search, indices, False)
        rows: list[Row] = []
        for report in REPORTS:
            rows += await _report_rows(plan, stack, api, report, report.variables(last))
        rows += await _customer_rows(plan, stack, api, await _customer_texts(stack))
        return rows
    finally:
        try:
            await _request_cache(search, indices, None)  # back to the engine's default
        finally:
            await search.close()


async def _request_cache(search: SearchClient, indices: list[str], on: bool | None) -> None:
    for index in indices:
        await search.put_settings(index, {"requests.cache.enable": on})


async def _report_rows(
    plan: Plan, stack: Stack, api: Api, report: Report, variables: tuple[dict[str, Any], ...]
) -> list[Row]:
    print(f"views: salesReport {report.label} ...", flush=True)
    sales = alias(named("sales").prefix(stack.prefix))
    orders = alias(stack.prefix)
    bodies = tuple(json.dumps(build_report_body(report.request(v))).encode() for v in variables)
    by_product = SalesGroup.PRODUCT in report.group_by
    alternative: OperationSpec
    if by_product:
        alternative = EngineProductReport(stack.search_url, orders, variables)
        how = "order documents pulled and summed"
    else:
        order_bodies = tuple(
            json.dumps(order_answers.report_aggregation_body(v)).encode() for v in variables
        )
        alternative = EngineSearch(stack.search_url, orders, order_bodies)
        how = "one aggregation over order documents"
    agree = await _same_report(stack, api, variables[0], by_product)
    graphql = GraphQL(
        api.graphql, documents.SALES_REPORT, variables, "salesReport", headers=api.headers
    )
    service = Side.from_load(await _load(plan, graphql), "q/s")
    view = Side.from_load(await _load(plan, EngineSearch(stack.search_url, sales, bodies)), "q/s")
    other = Side.from_load(await _load(plan, alternative), "q/s")
    other.detail = f"{how}; {agree}"
    speedup = ratio(view.rate, other.rate)
    return [
        Row("views", f"salesReport {report.label}", service, view, ratio(service.rate, view.rate)),
        Row(
            "views",
            f"salesReport {report.label}: sales view vs {how}",
            view,
            other,
            speedup,
            ratio_text=speedup_text(speedup),
        ),
    ]


async def _same_report(stack: Stack, api: Api, variables: dict[str, Any], by_product: bool) -> str:
    """Whether the API's report and the one from order documents agree, row by row."""
    async with aiohttp.ClientSession(trust_env=False) as http:
        report = await _graphql(http, api, documents.SALES_REPORT, variables, "salesReport")
        url = f"{stack.search_url}/{alias(stack.prefix)}/_search"
        if by_product:
            theirs = await product_report_from_orders(http, url, variables)
        else:
            body = json.dumps(order_answers.report_aggregation_body(variables))
            headers = {"Content-Type": "application/json"}
            async with http.post(url, data=body, headers=headers) as response:
                answer = await read_json(response)
            theirs = order_answers.rows_of_aggregation(answer, variables["interval"])
    ours = order_answers.rows_of_report(report)
    differing = len(set(ours.items()) ^ set(theirs.items()))
    if not differing:
        return f"the same {len(ours)} rows"
    return f"ANSWERS DIFFER: {differing} of {len(ours)} + {len(theirs)} rows"


async def _customer_rows(plan: Plan, stack: Stack, api: Api, texts: list[str]) -> list[Row]:
    print("views: customers(search:) ...", flush=True)
    customers = alias(named("customers").prefix(stack.prefix))
    orders = alias(stack.prefix)
    variables = tuple({"search": text, "first": PAGE} for text in texts)
    bodies = tuple(
        json.dumps(build_customer_search_body(CustomerSearch(text=t, first=PAGE))).encode()
        for t in texts
    )
    order_bodies = tuple(json.dumps(order_answers.customers_body(t, PAGE)).encode() for t in texts)
    agree = await _same_customers(stack, api, texts)
    graphql = GraphQL(
        api.graphql, documents.CUSTOMER_SEARCH, variables, "customers", headers=api.headers
    )
    service = Side.from_load(await _load(plan, graphql), "q/s")
    view = Side.from_load(
        await _load(plan, EngineSearch(stack.search_url, customers, bodies)), "q/s"
    )
    other = Side.from_load(
        await _load(plan, EngineSearch(stack.search_url, orders, order_bodies)), "q/s"
    )
    other.detail = f"a terms aggregation by customer over order documents; {agree}"
    speedup = ratio(view.rate, other.rate)
    return [
        Row("views", "customers(search:)", service, view, ratio(service.rate, view.rate)),
        Row(
            "views",
            "customers(search:): customer view vs order documents",
            view,
            other,
            speedup,
            ratio_text=speedup_text(speedup),
        ),
    ]


async def _same_customers(stack: Stack, api: Api, texts: list[str]) -> str:
    """How many customers both answers list agree on every figure, over the first texts."""
    agree = shared = 0
    url = f"{stack.search_url}/{alias(stack.prefix)}/_search"
    async with aiohttp.ClientSession(trust_env=False) as http:
        for text in texts[:10]:
            variables = {"search": text, "first": PAGE}
            found = await _graphql(http, api, documents.CUSTOMER_SEARCH, variables, "customers")
            view = order_answers.summaries_of_view(found)
            body = json.dumps(order_answers.customers_body(text, PAGE))
            headers = {"Content-Type": "application/json"}
            async with http.post(url, data=body, headers=headers) as answer:
                orders = order_answers.summaries_of_orders(await read_json(answer))
            same, both = order_answers.summaries_agree(view, orders)
            agree, shared = agree + same, shared + both
    return f"{agree} of the {shared} customers both list agree on every figure"


async def _graphql(
    http: aiohttp.ClientSession, api: Api, query: str, variables: dict[str, Any], field: str
) -> Any:
    """One request to the API; the field's value (Failed for errors or a null)."""
    payload = json.dumps({"query": query, "variables": variables})
    async with http.post(api.graphql, data=payload, headers=dict(api.headers)) as response:
        return check_graphql(await read_json(response), field)


async def _load(plan: Plan, spec: OperationSpec) -> LoadResult:
    result: LoadResult = await run_in_child(
        ClosedLoad(spec, CONCURRENCY, plan.seconds, plan.warmup, timeout=60.0)
    )
    return result


async def _last_midnight(stack: Stack) -> datetime:
    """The UTC midnight after the last placed order: the reports' ranges end there."""
    conn = await asyncpg.connect(dsn(stack.database_url))
    try:
        latest = await conn.fetchval("SELECT max(placed_at) FROM orders")
    finally:
        await conn.close()
    day = latest.astimezone(UTC).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


async def _customer_texts(stack: Stack, size: int = 60) -> list[str]:
    """Customers' names as support staff type them: surnames mostly, some whole names."""
    conn = await asyncpg.connect(dsn(stack.database_url))
    try:
        await conn.execute("SELECT setseed(0.3)")
        names = [
            r["name"]
            for r in await conn.fetch("SELECT name FROM customers ORDER BY random() LIMIT $1", size)
        ]
    finally:
        await conn.close()
    rng = random.Random(3)
    return [name if rng.random() < 0.3 else name.split()[-1] for name in names] or ["smith"]
