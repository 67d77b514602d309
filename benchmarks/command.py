"""`orders bench`: bring everything up, measure each path next to its limit, report.

Order of a run (each section can be picked with `--only`):
1. PostgreSQL (fsync on) and an OpenSearch node start; the demo data is seeded with no
   projector running, so its events are a backlog;
2. projection: a standalone projector catches up on that backlog; the bulk limit;
   `orders rebuild --projection orders`;
3. views: each view backfilled by replaying the log and by `orders rebuild --projection
   NAME`, and the size of its index (benchmarks/views.py);
4. the API starts (`orders serve`, its projector on): write, read and freshness paths,
   the API workers' memory; the views' queries next to the same answers from order
   documents;
5. the single-model alternative on the same data;
6. full run only: the data grows to 1,000,000 orders, `orders rebuild` runs over them, and
   the faceted search is compared again (engine limit, SQL alternative) at that size.
Then the table is printed and, for the full run or with `--out`, RESULTS.md is written.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import shlex
import signal
import sys
import time
from datetime import UTC, datetime
from typing import Any

import asyncpg

from benchmarks.config import Plan, add_arguments, plan_from
from benchmarks.dataset import Dataset, dsn, load_dataset
from benchmarks.freshness import freshness_path
from benchmarks.machine import collect_versions, describe_machine
from benchmarks.projection import BulkLimit, catch_up_row, rebuild_rows
from benchmarks.read_path import read_path, search_row
from benchmarks.report import Run, write_results
from benchmarks.results import Row, Side, table
from benchmarks.single_model import CONCURRENCY, single_model_row
from benchmarks.stack import Api, Stack
from benchmarks.views import backfill_rows, query_rows
from benchmarks.write_path import write_path
from database.engine import create_engine
from demo.seed import seed_demo_data
from projections.projector import Projector
from projections.registry import PROJECTIONS
from read_model.indices import ensure_index
from search_engine.client import SearchClient

__all__ = ["add_arguments", "run"]


def run(args: argparse.Namespace) -> int:
    """The `orders bench` command; every process it starts is stopped on any exit."""
    plan = plan_from(args)
    logging.getLogger("matplotlib").setLevel(logging.WARNING)
    argv = sys.argv[1:]
    command = "orders " if "bench" in argv else "python -m benchmarks "
    command += shlex.join(argv)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        with contextlib.ExitStack() as exits:
            return asyncio.run(_bench(plan, exits, command))
    except KeyboardInterrupt:
        print("\ninterrupted: everything the benchmark started has been stopped", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


class Bench:
    """One run's state: the stack, the rows so far, what to say about the setup."""

    def __init__(self, plan: Plan, stack: Stack) -> None:
        self.plan = plan
        self.stack = stack
        self.rows: list[Row] = []
        self.setup: list[str] = []
        self.limit: BulkLimit | None = None  # the bulk limit, once the projection ran

    def wants(self, section: str) -> bool:
        return section in self.plan.sections

    async def section(self, name: str, work: Any) -> None:
        """Run one section; a failure becomes a row (and the run goes on)."""
        try:
            await work
        except Exception as error:
            print(f"{name} failed: {type(error).__name__}: {error}", file=sys.stderr)
            self.rows.append(Row(name, "failed", Side.fixed(f"{type(error).__name__}: {error}")))

    async def seed(self, orders: int, seed: int) -> None:
        engine = create_engine(self.stack.database_url)
        try:
            report = await seed_demo_data(
                engine,
                orders=orders,
                seed=seed,
                concurrency=self.plan.seed_concurrency,
                processes=self.plan.seed_processes,
                progress=self.plan.progress,
            )
        finally:
            await engine.dispose()
        self.setup.append(
            f"seeded {report.orders:,} orders and {report.customers:,} customers through the "
            f"command path (seed {seed}): {report.commands:,} commands in "
            f"{report.seconds:.0f} s, {report.orders_per_second:,.0f} orders/s"
        )

    async def counts(self) -> tuple[int, int]:
        conn = await asyncpg.connect(dsn(self.stack.database_url))
        try:
            orders = int(await conn.fetchval("SELECT count(*) FROM orders"))
            events = int(await conn.fetchval("SELECT count(*) FROM events"))
        finally:
            await conn.close()
        return orders, events

    async def project_unmeasured(self) -> None:
        """Bring every view up to date in-process (when the projection section is skipped),
        so a later section finds them as the projection section leaves them."""
        engine = create_engine(self.stack.database_url)
        search = await SearchClient.connect(self.stack.search_url, request_timeout=60)
        try:
            for projection in PROJECTIONS:
                prefix = projection.prefix(self.stack.prefix)
                await ensure_index(search, prefix, projection.view)
                await Projector(
                    engine, search, prefix, batch_size=2000, projection=projection
                ).run_until_caught_up()
        finally:
            await search.close()
            await engine.dispose()

    async def projection(self) -> None:
        catch_up, memory, limit = await catch_up_row(self.stack, self.plan.progress)
        self.rows += [catch_up, memory]
        self.limit = limit
        orders, _ = await self.counts()
        self.rows += await rebuild_rows(self.stack, limit, orders, self.plan.progress)

    async def api_paths(self, data: Dataset) -> Side | None:
        """Write, read, freshness on a running API; the faceted search at CONCURRENCY."""
        plan, stack = self.plan, self.stack
        with Api(stack, plan.api_workers) as api:
            self.setup.append(f"API: {api.describe()}, its projector on, at {api.url}")
            if self.wants("write"):
                await self.section("write", self._extend(write_path(plan, stack, api, data)))
            if self.wants("read"):
                await self.section("read", self._extend(read_path(plan, stack, api, data)))
            if self.wants("freshness"):
                await self.section("freshness", self._extend(freshness_path(plan, api, data)))
            if self.wants("views"):
                await self.section("views", self._extend(query_rows(plan, stack, api)))
            self.setup.append(f"after the API's loads: {await self.dead_letters()} dead letters")
            return _search_side(self.rows)

    async def dead_letters(self) -> int:
        """Documents the engine rejected (the raw writes' orders must project like any)."""
        conn = await asyncpg.connect(dsn(self.stack.database_url))
        try:
            return int(await conn.fetchval("SELECT count(*) FROM dead_letters"))
        finally:
            await conn.close()

    async def _extend(self, rows: Any) -> None:
        self.rows += await rows

    async def single_model(self, data: Dataset, service: Side | None, orders: int) -> None:
        if service is None:  # the read section did not run: measure the service first
            with Api(self.stack, self.plan.api_workers) as api:
                row = await search_row(self.plan, self.stack, api, data, CONCURRENCY)
            service = row.service
        self.rows.append(await single_model_row(self.plan, self.stack, data, service, orders))

    async def large(self, target: int) -> None:
        """Grow to `target` orders, rebuild, compare the faceted search again at that size."""
        orders, _ = await self.counts()
        await self.seed(target - orders, self.plan.seed + 1)
        orders, events = await self.counts()
        self.setup.append(f"second size: {orders:,} orders, {events:,} events")
        if self.limit is not None:
            self.rows += await rebuild_rows(self.stack, self.limit, orders, self.plan.progress)
        else:
            await self.project_unmeasured()
        data = await load_dataset(self.stack.database_url, seed=self.plan.seed)
        with Api(self.stack, self.plan.api_workers) as api:
            row = await search_row(
                self.plan, self.stack, api, data, CONCURRENCY, size=f"{orders:,} orders"
            )
        self.rows.append(row)
        if self.wants("single-model"):
            self.rows.append(
                await single_model_row(self.plan, self.stack, data, row.service, orders)
            )


def _search_side(rows: list[Row]) -> Side | None:
    for row in rows:
        if row.path == f"faceted orders(search), concurrency {CONCURRENCY}":
            return row.service
    return None


async def _bench(plan: Plan, exits: contextlib.ExitStack, command: str) -> int:
    machine = describe_machine()
    started = datetime.now(UTC)
    clock = time.monotonic()
    stack = await Stack.up(exits, plan.heap)
    bench = Bench(plan, stack)
    search = await SearchClient.connect(stack.search_url)
    engine_version = f"{search.engine} {search.version}"
    await search.close()
    await collect_versions(machine, stack.database_url, engine_version)
    bench.setup += [
        "PostgreSQL: a throwaway cluster with fsync and synchronous_commit on",
        f"search engine: {engine_version}, one local node, heap {plan.heap}",
        f"load: {plan.seconds:.0f} s measured after {plan.warmup:.0f} s warm-up per figure",
    ]
    await bench.seed(plan.orders, plan.seed)
    orders, events = await bench.counts()
    bench.setup.append(f"first size: {orders:,} orders, {events:,} events (the backlog)")
    if bench.wants("projection"):
        await bench.section("projection", bench.projection())
    else:
        await bench.project_unmeasured()
    if bench.wants("views"):
        await bench.section("views", bench._extend(backfill_rows(stack, plan.progress)))
    data = await load_dataset(stack.database_url, seed=plan.seed)
    service = None
    if any(bench.wants(s) for s in ("write", "read", "freshness", "views")):
        service = await bench.api_paths(data)
    if bench.wants("single-model"):
        await bench.section("single model", bench.single_model(data, service, orders))
    if plan.large_orders:
        await bench.section("large", bench.large(plan.large_orders))
    machine.load_at_end = os.getloadavg()
    print(f"\norders bench ({plan.mode}) finished in {(time.monotonic() - clock) / 60:.1f} min\n")
    print(table(bench.rows))
    if plan.out is not None:
        result = Run(plan, machine, started, datetime.now(UTC), command, bench.setup, bench.rows)
        chart = write_results(result, plan.out)
        print(f"\nwrote {plan.out} and {chart}")
    return 0
