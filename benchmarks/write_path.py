"""The write path: `placeOrder` over HTTP against the same rows and events through asyncpg.

Both sides send the same inputs (customers, addresses, products drawn from the seeded
tables) with a unique idempotency key each, from the same closed-loop generator, at each
concurrency level; the service first, then its limit, level by level, so drift on a shared
machine hits both alike. The API's projector runs meanwhile and projects both sides' orders.
"""

from __future__ import annotations

import uuid

from benchmarks import documents
from benchmarks.config import Plan
from benchmarks.dataset import Dataset, dsn
from benchmarks.loadgen import ClosedLoad, LoadResult, run_in_child
from benchmarks.operations import GraphQL, RawPlaceOrder
from benchmarks.results import Row, Side, at_least, ratio
from benchmarks.stack import Api, Stack

TARGET_CONCURRENCY = 8
TARGET_RATIO = 0.5


async def write_path(plan: Plan, stack: Stack, api: Api, data: Dataset) -> list[Row]:
    rows = []
    run = uuid.uuid4().hex[:8]
    for concurrency in plan.write_concurrency:
        print(f"write: placeOrder at concurrency {concurrency} ...", flush=True)
        service_spec = GraphQL(
            api.graphql,
            documents.PLACE_ORDER,
            data.place_inputs,
            "placeOrder",
            key_prefix=f"bench-{run}-svc-{concurrency}",
            headers=api.headers,
        )
        service: LoadResult = await run_in_child(
            ClosedLoad(service_spec, concurrency, plan.seconds, plan.warmup)
        )
        inputs = tuple(v["input"] for v in data.place_inputs)
        limit_spec = RawPlaceOrder(
            dsn(stack.database_url), inputs, key_prefix=f"bench-{run}-raw-{concurrency}"
        )
        limit: LoadResult = await run_in_child(
            ClosedLoad(limit_spec, concurrency, plan.seconds, plan.warmup)
        )
        value = ratio(service.rate, limit.rate)
        targeted = concurrency == TARGET_CONCURRENCY
        rows.append(
            Row(
                "write",
                f"placeOrder, concurrency {concurrency}",
                Side.from_load(service, "orders/s"),
                Side.from_load(limit, "orders/s"),
                value,
                target=f">= {TARGET_RATIO}" if targeted else "",
                met=at_least(value, TARGET_RATIO) if targeted else None,
            )
        )
    return rows
