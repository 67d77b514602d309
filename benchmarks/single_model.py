"""The single-model alternative next to the service: one faceted search, two architectures.

The SQL alternative (`benchmarks.sql_server`) runs in its own uvicorn process(es), as many
as the API has, on the same database, with pg_trgm indexes built for it first (and dropped
after, so they never slow the write path). The same load generator sends it the same
GraphQL document with the same variables as the service's faceted-search row.
"""

from __future__ import annotations

import sys
import time

import asyncpg

from benchmarks import documents, sql_search
from benchmarks.config import Plan
from benchmarks.dataset import Dataset, dsn
from benchmarks.loadgen import ClosedLoad, LoadResult, run_in_child
from benchmarks.operations import GraphQL
from benchmarks.processes import Child, wait_for_http
from benchmarks.results import Row, Side, at_least
from benchmarks.stack import ROOT, Stack
from tools.postgres_cluster import free_port

CONCURRENCY = 8
TARGET_SPEEDUP = 10.0
TARGET_SIZE = 1_000_000


async def single_model_row(
    plan: Plan, stack: Stack, data: Dataset, service: Side, orders: int
) -> Row:
    """`service`: the service's faceted search at CONCURRENCY on the same data."""
    print(f"single model: the faceted search as SQL over {orders:,} orders ...", flush=True)
    conn = await asyncpg.connect(dsn(stack.database_url))
    try:
        started = time.perf_counter()
        await sql_search.create_indexes(conn)
        indexed = time.perf_counter() - started
        try:
            result = await _measure(plan, stack, data)
        finally:
            await sql_search.drop_indexes(conn)
    finally:
        await conn.close()
    alternative = Side.from_load(result, "q/s")
    alternative.detail = f"pg_trgm indexes built in {indexed:.0f} s"
    speedup = None
    if service.rate and alternative.rate:
        speedup = service.rate / alternative.rate
    large = orders >= TARGET_SIZE
    return Row(
        "single model",
        f"faceted search, {orders:,} orders, concurrency {CONCURRENCY}: index vs SQL",
        service,
        alternative,
        speedup,
        ratio_text=speedup_text(speedup),
        target=f">= {TARGET_SPEEDUP:.0f}x faster" if large else "",
        met=at_least(speedup, TARGET_SPEEDUP) if large else None,
    )


async def _measure(plan: Plan, stack: Stack, data: Dataset) -> LoadResult:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "benchmarks.sql_server",
        "--port",
        str(port),
        "--workers",
        str(plan.api_workers),
    ]
    log = stack.work / f"sql-server-{port}.log"
    child = Child("SQL alternative", command, log, stack.env(), ROOT)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/health", child, timeout=60)
        variables = tuple(search.variables() for search in data.searches)
        spec = GraphQL(
            f"http://127.0.0.1:{port}/graphql", documents.FACETED_SEARCH, variables, "orders"
        )
        result: LoadResult = await run_in_child(
            ClosedLoad(spec, CONCURRENCY, plan.seconds, plan.warmup, timeout=60.0)
        )
        return result
    finally:
        child.stop()


def speedup_text(speedup: float | None) -> str:
    if speedup is None:
        return "-"
    if speedup >= 1:
        return f"{speedup:.1f}x faster"
    return f"{1 / speedup:.1f}x slower"
