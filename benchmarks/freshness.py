"""Freshness under load: from a mutation's response to the order being readable.

An open loop places orders at a steady rate (100/s) whatever the answers take. As soon as
a `placeOrder` answers, two reads follow it with the mutation's consistency token (so the
reads are the 200 reads/s running beside the writes): `order(id)` and a search for the
order's id. Each read's latency, counted from the mutation's response, is the time until
that order is returned: the service answers as soon as the projector has published a
position at or past the token, i.e. once the order is searchable (docs/ARCHITECTURE.md,
invariant 6).
A read that answers without the order, times out, or errs is a failed request.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

from benchmarks import documents
from benchmarks.config import Plan
from benchmarks.dataset import Dataset
from benchmarks.loadgen import LoadResult, run_in_child
from benchmarks.operations import JSON_HEADERS, Failed, check_graphql, read_json, session
from benchmarks.results import Row, Side, millis
from benchmarks.stack import Api

MAX_CONNECTIONS = 400
TARGET_P99_MS = 1000.0


async def freshness_path(plan: Plan, api: Api, data: Dataset) -> list[Row]:
    rate = plan.freshness_rate
    print(
        f"freshness: {rate:.0f} placeOrder/s, each read back twice, for "
        f"{plan.freshness_seconds:.0f} s ...",
        flush=True,
    )
    job = FreshnessLoad(
        api.graphql,
        data.place_inputs,
        rate,
        plan.freshness_seconds,
        f"fresh-{time.time_ns()}",
        headers=api.headers,
    )
    found: FreshnessResult = await run_in_child(job)
    failed = sum(s.errors for s in (found.mutations, found.by_id, found.by_search))
    load = f"at {found.placed_per_second:.0f} placeOrder/s + {found.reads_per_second:.0f} reads/s"
    rows = []
    for label, side in (("order(id)", found.by_id), ("search by id", found.by_search)):
        spread = Side(latencies=side.latencies, errors=side.errors, reasons=side.reasons)
        p99 = spread.ms(0.99)
        spread.text_override = (
            f"p50 {millis(spread.ms(0.5))}, p95 {millis(spread.ms(0.95))}, p99 {millis(p99)}"
        )
        spread.detail = load
        rows.append(
            Row(
                "freshness",
                f"placeOrder answered -> order returned by {label}",
                spread,
                None,
                target=f"p99 <= {TARGET_P99_MS / 1000:.0f} s, 0 failed",
                met=None if p99 is None else p99 <= TARGET_P99_MS and failed == 0,
            )
        )
    mutations = Side.from_load(found.mutations, "orders/s")
    mutations.rate = found.mutations.count / plan.freshness_seconds  # the answered ones
    rows.append(Row("freshness", "placeOrder latency during that load", mutations, None))
    return rows


@dataclass
class FreshnessResult:
    mutations: LoadResult = field(default_factory=LoadResult)
    by_id: LoadResult = field(default_factory=LoadResult)
    by_search: LoadResult = field(default_factory=LoadResult)
    placed_per_second: float = 0.0
    reads_per_second: float = 0.0


@dataclass(frozen=True)
class FreshnessLoad:
    graphql: str
    place_inputs: tuple[dict[str, Any], ...]
    rate: float
    seconds: float
    key_prefix: str
    timeout: float = 15.0
    headers: tuple[tuple[str, str], ...] = tuple(JSON_HEADERS.items())

    @property
    def bound(self) -> float:
        return self.seconds + 3 * self.timeout

    async def run(self) -> FreshnessResult:
        result = FreshnessResult()
        count = int(self.rate * self.seconds)
        async with session(MAX_CONNECTIONS) as http:
            started = time.perf_counter()
            tasks = []
            for i in range(count):
                delay = started + i / self.rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(self._one(http, i, result)))
            await asyncio.gather(*tasks)
            elapsed = time.perf_counter() - started
        result.mutations.elapsed = result.by_id.elapsed = result.by_search.elapsed = elapsed
        result.placed_per_second = count / self.seconds
        reads = sum(side.count + side.errors for side in (result.by_id, result.by_search))
        result.reads_per_second = reads / elapsed
        return result

    async def _one(self, http: Any, i: int, result: FreshnessResult) -> None:
        variables = json.loads(json.dumps(self.place_inputs[i % len(self.place_inputs)]))
        variables["input"]["idempotencyKey"] = f"{self.key_prefix}-{i}"
        sent = time.perf_counter()
        try:
            async with asyncio.timeout(self.timeout):
                answer = await _post(
                    http, self.graphql, documents.PLACE_ORDER, variables, self.headers
                )
            placed = check_graphql(answer, "placeOrder")
        except (Failed, TimeoutError, OSError, ValueError) as error:
            result.mutations.fail(_reason(error))
            return
        answered = time.perf_counter()
        result.mutations.latencies.append(answered - sent)
        order_id, token = placed["orderId"], placed["position"]
        await asyncio.gather(
            self._read(http, documents.ORDER_AT, {"id": order_id, "token": token},
                       "order", order_id, answered, result.by_id),
            self._read(http, documents.SEARCH_ID_AT, {"search": order_id, "token": token},
                       "orders", order_id, answered, result.by_search),
        )  # fmt: skip

    async def _read(
        self,
        http: Any,
        query: str,
        variables: dict[str, Any],
        field_name: str,
        order_id: str,
        since: float,
        into: LoadResult,
    ) -> None:
        try:
            async with asyncio.timeout(self.timeout):
                answer = await _post(http, self.graphql, query, variables, self.headers)
            value = check_graphql(answer, field_name)
            if not _contains(value, order_id):
                raise Failed(f"{field_name} answered without the order")
        except (Failed, TimeoutError, OSError, ValueError) as error:
            into.fail(_reason(error))
            return
        into.latencies.append(time.perf_counter() - since)


async def _post(
    http: Any,
    url: str,
    query: str,
    variables: dict[str, Any],
    headers: tuple[tuple[str, str], ...],
) -> Any:
    payload = json.dumps({"query": query, "variables": variables})
    async with http.post(url, data=payload, headers=dict(headers)) as response:
        return await read_json(response)


def _contains(value: Any, order_id: str) -> bool:
    if isinstance(value, dict) and "edges" in value:
        return any(edge["node"]["id"] == order_id for edge in value["edges"])
    return isinstance(value, dict) and value.get("id") == order_id


def _reason(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return "no answer in time"
    return f"{type(error).__name__}: {error}"
