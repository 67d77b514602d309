"""The projection: a standalone projector catching up on a backlog, and `orders rebuild`.

- catch-up: the backlog is written with no projector running; then `orders projector`
  runs in its own process until its published position reaches the log's head. The rate
  is counted from its first published batch (start-up excluded) to the last one.
- the limit: the same final documents (read back from the index it built) bulk-indexed
  straight into a fresh index with the same settings and mapping (`read_model.mapping
  .index_body`): pre-serialised NDJSON, two requests in flight, one refresh at the end;
  the faster of two passes.
  Expressed in events/s, it is the backlog's events over that time.
- `orders rebuild --projection orders`, run as the command, against the same bulk limit
  in orders/s; the rebuild's peak RSS (ru_maxrss) is its memory figure.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
from sqlalchemy.ext.asyncio import AsyncEngine
from tqdm import tqdm

from benchmarks.processes import Child, peak_rss_mb
from benchmarks.results import Row, Side, at_least, at_most, ratio
from benchmarks.stack import ROOT, Stack, orders_command
from database.engine import create_engine
from positions import ORIGIN, Position
from projections import source
from read_model.names import alias
from read_model.progress import read_progress
from read_model.views import ORDERS, View
from search_engine.client import SearchClient

CATCH_UP_TARGET = 0.7
REBUILD_MEMORY_MB = 400.0
LIMIT_SAMPLE = 100_000  # documents bulk-indexed for the limit (memory stays bounded)
BULK_CHUNK = 1000
IN_FLIGHT = 2  # bulk requests at a time (the node has two cores to index with)
LIMIT_PASSES = 2
POLL = 0.1  # seconds between two reads of the published position


@dataclass
class BulkLimit:
    documents: int
    seconds: float  # for all `documents` (extrapolated past LIMIT_SAMPLE)

    @property
    def per_second(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0


async def catch_up_row(stack: Stack, progress: bool) -> tuple[Row, Row, BulkLimit]:
    engine = create_engine(stack.database_url)
    search = await SearchClient.connect(stack.search_url, request_timeout=60)
    try:
        async with engine.connect() as conn:
            total = await source.count_after(conn, ORIGIN)
            head = await source.head(conn)
        print(f"projection: a standalone projector catches up on {total:,} events ...", flush=True)
        log = stack.work / "projector.log"
        child = Child("orders projector", [*orders_command(), "projector"], log, stack.env(), ROOT)
        try:
            first, last = await _follow(engine, search, stack.prefix, head, total, child, progress)
            peak = peak_rss_mb(child.pid)
        finally:
            child.stop()
        (t_first, covered_first), (t_last, _) = first, last
        events = total - covered_first
        seconds = max(t_last - t_first, 1e-9)
        limit = await bulk_limit(search, stack)
    finally:
        await search.close()
        await engine.dispose()
    service = Side(events / seconds, "events/s", detail=f"{events:,} events in {seconds:.1f} s")
    limit_rate = total / limit.seconds
    limit_side = Side(
        limit_rate,
        "events/s",
        detail=f"{limit.documents:,} documents in {limit.seconds:.1f} s, {limit.per_second:,.0f}/s",
    )
    value = ratio(service.rate, limit_rate)
    catch_up = Row(
        "projection",
        f"projector catch-up over {total:,} events",
        service,
        limit_side,
        value,
        target=f">= {CATCH_UP_TARGET}",
        met=at_least(value, CATCH_UP_TARGET),
    )
    memory = Row(
        "memory",
        "peak RSS of the standalone projector during the catch-up",
        Side.fixed("unknown" if peak is None else f"{peak:.0f} MB"),
    )
    return catch_up, memory, limit


async def _follow(
    engine: AsyncEngine,
    search: SearchClient,
    prefix: str,
    head: Position,
    total: int,
    child: Child,
    progress: bool,
) -> tuple[tuple[float, int], tuple[float, int]]:
    """Poll the published progress until it reaches `head`; (time, events covered) of the
    first published position and of the last."""
    first: tuple[float, Position] | None = None
    bar = tqdm(total=total, desc="projecting", unit="event", disable=not progress)
    last_count = 0.0
    deadline = time.monotonic() + 120 + total / 100
    try:
        while True:
            if not child.running:
                raise RuntimeError(f"the projector exited early{child.tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the projector did not catch up in time{child.tail()}")
            reached = await read_progress(search, prefix)
            now = time.perf_counter()
            if reached > ORIGIN and first is None:
                first = (now, reached)
            if reached >= head:
                break
            if now - last_count > 1.0:
                bar.update(await _covered(engine, total, reached) - bar.n)
                last_count = now
            await asyncio.sleep(POLL)
        bar.update(total - bar.n)
    finally:
        bar.close()
    assert first is not None
    return (first[0], await _covered(engine, total, first[1])), (now, total)


async def _covered(engine: AsyncEngine, total: int, reached: Position) -> int:
    async with engine.connect() as conn:
        return total - await source.count_after(conn, reached)


async def bulk_limit(search: SearchClient, stack: Stack, view: View = ORDERS) -> BulkLimit:
    """Bulk-index (a sample of) the view's projected documents into a fresh index with its
    mapping, twice (each into an index of its own); the faster pass is the limit (the
    first may warm the node)."""
    documents, total = await _documents(search, alias(view.prefix(stack.prefix)), LIMIT_SAMPLE)
    sampled = len(documents)
    chunks = [_ndjson(documents[i : i + BULK_CHUNK]) for i in range(0, sampled, BULK_CHUNK)]
    del documents
    body = view.body()
    seconds = min([await _bulk_pass(search, stack, chunks, body) for _ in range(LIMIT_PASSES)])
    return BulkLimit(total, seconds * total / max(sampled, 1))


async def _bulk_pass(
    search: SearchClient, stack: Stack, chunks: list[bytes], body: dict[str, Any]
) -> float:
    index = f"{stack.prefix}-limit-{time.time_ns()}"
    await search.create_index(index, body)
    headers = {"Content-Type": "application/x-ndjson"}
    try:
        async with aiohttp.ClientSession(trust_env=False) as http:
            started = time.perf_counter()
            queue = list(chunks)

            async def sender() -> None:
                while queue:
                    body = queue.pop()
                    url = f"{stack.search_url}/{index}/_bulk"
                    async with http.post(url, data=body, headers=headers) as response:
                        answer = json.loads(await response.read())
                        if response.status != 200 or answer.get("errors"):
                            raise RuntimeError(f"bulk limit failed: {str(answer)[:300]}")

            await asyncio.gather(*(sender() for _ in range(IN_FLIGHT)))
            async with http.post(f"{stack.search_url}/{index}/_refresh") as response:
                await response.read()
            return time.perf_counter() - started
    finally:
        await search.delete_index(index)


async def _documents(
    search: SearchClient, index: str, most: int
) -> tuple[list[tuple[str, bytes]], int]:
    """Up to `most` documents of `index` as (id, JSON) in id order, and the index's count."""
    total = await search.count(index)
    found: list[tuple[str, bytes]] = []
    after: list[str] | None = None
    while len(found) < most:
        body: dict[str, object] = {"size": 5000, "sort": [{"id": "asc"}]}
        if after is not None:
            body["search_after"] = after
        hits = (await search.search(index, body))["hits"]["hits"]
        if not hits:
            break
        found += [(hit["_id"], json.dumps(hit["_source"]).encode()) for hit in hits]
        after = hits[-1]["sort"]
    return found[:most], total


def _ndjson(documents: list[tuple[str, bytes]]) -> bytes:
    parts = []
    for doc_id, source_json in documents:
        parts.append(json.dumps({"index": {"_id": doc_id}}).encode())
        parts.append(source_json)
    return b"\n".join(parts) + b"\n"


@dataclass
class RebuildRun:
    """`orders rebuild --projection NAME` as a user runs it."""

    documents: int
    rate: float  # documents/s of its load phase (or of the whole run, if it says none)
    wall: float  # seconds, start-up included
    peak_mb: float | None  # its peak RSS


async def run_rebuild(stack: Stack, view: View, documents: int, progress: bool) -> RebuildRun:
    command = [*orders_command(), "rebuild", "--projection", view.name]
    command += [] if progress else ["--no-progress"]
    log = stack.work / f"rebuild-{view.name}-{documents}.log"
    child = Child("orders rebuild", command, log, stack.env(), ROOT, show_stderr=progress)
    started = time.perf_counter()
    try:
        code = await asyncio.to_thread(child.wait, 600 + documents / 200)
    finally:
        child.stop()
    wall = time.perf_counter() - started
    if code != 0:
        raise RuntimeError(f"orders rebuild exited with {code}{child.tail()}")
    summary = log.read_text(errors="replace")
    found = re.search(rf"([\d.]+) {re.escape(view.noun)}/s \(load phase", summary)
    rate = float(found.group(1)) if found else documents / wall
    peak = None if child.max_rss_kb is None else child.max_rss_kb / 1024
    return RebuildRun(documents, rate, wall, peak)


async def rebuild_rows(stack: Stack, limit: BulkLimit, orders: int, progress: bool) -> list[Row]:
    """`orders rebuild --projection orders`: its own orders/s against the bulk limit."""
    print(f"projection: orders rebuild over {orders:,} orders ...", flush=True)
    run = await run_rebuild(stack, ORDERS, orders, progress)
    rate, wall, peak = run.rate, run.wall, run.peak_mb
    service = Side(rate, "orders/s", detail=f"{orders:,} orders, {wall:.1f} s with start-up")
    value = ratio(rate, limit.per_second)
    return [
        Row(
            "projection",
            f"orders rebuild --projection orders, {orders:,} orders",
            service,
            Side(limit.per_second, "orders/s", detail="bulk-indexing the final documents"),
            value,
        ),
        Row(
            "memory",
            f"peak RSS of orders rebuild (its projector), {orders:,} orders",
            Side.fixed("unknown" if peak is None else f"{peak:.0f} MB"),
            target=f"<= {REBUILD_MEMORY_MB:.0f} MB at 1,000,000 orders",
            met=at_most(peak, REBUILD_MEMORY_MB) if orders >= 1_000_000 else None,
        ),
    ]
