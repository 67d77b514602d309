"""RESULTS.md: when, where, with what, every figure and ratio, the chart, the method."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from benchmarks.chart import write_chart
from benchmarks.config import Plan
from benchmarks.machine import Machine
from benchmarks.results import Row, failures, markdown_table

METHOD = """\
- **Same run, same generator.** Every ratio divides two figures of this run, measured one
  right after the other by the same load generator (Python asyncio + aiohttp, or asyncpg
  for the write limit) in a process of its own, on loopback only, bounded in time.
  Closed loop: `concurrency` requests in flight, each worker sending its next request when
  the previous one answered; a warm-up is not counted. p50/p99 are per request.
- **write**: `placeOrder` (1 to 3 lines, a real customer and address, a unique
  idempotencyKey) over HTTP, against the same statements through asyncpg, one transaction
  each: idempotency-key lookup; customer check, products read, order row, lines, the
  OrderPlaced event with `txid = pg_current_xact_id()` and `RETURNING seq, txid`,
  (the NOTIFY comes from the events trigger), the stored idempotent result, commit
  (`benchmarks/raw_write.py`).
- **read**: `order(id)` (every field of the order) against the engine's GET of the same
  document through the alias; the faceted search (text, a status filter, `first: 20`, all
  five facets, highlights) against the request body `queries.search_request` builds for
  the same arguments, POSTed to the engine. Searched words are surnames, cities and
  product words drawn from the data.
- **freshness**: an open loop of `placeOrder` at a fixed rate; each answer is followed by
  `order(id)` and a search for the order's id, both with the mutation's consistency
  token (read-your-writes), timed from the mutation's answer until the order is
  returned. Failed requests are mutations or reads that erred, timed out or came back
  without the order.
- **projection**: the backlog is seeded with no projector running; `orders projector`
  then catches up in its own process, timed from its first published position to the
  log's head. The limit bulk-indexes the same final documents (read back from that
  index) into a fresh index with the same mapping: pre-serialised NDJSON, 1,000 documents
  per request, two in flight, one refresh; the faster of two passes over at most
  100,000 documents, scaled to all. `orders rebuild` is run as the command.
- **single model**: the same faceted-search document and variables sent to a Strawberry
  schema whose resolver answers with SQL on the write tables (`benchmarks/sql_search.py`:
  ILIKE backed by pg_trgm indexes, INTERSECT per word, GROUP BY facets, one statement),
  served by uvicorn with as many workers as the API.
- **memory**: peak RSS (VmHWM) of each API worker after the read load; of the standalone
  projector after its catch-up; of `orders rebuild` (ru_maxrss) over its whole run.
"""


@dataclass
class Run:
    plan: Plan
    machine: Machine
    started: datetime
    finished: datetime
    command: str
    setup: list[str]
    rows: list[Row]


def write_results(run: Run, path: Path) -> Path:
    """Write RESULTS.md (and its chart beside it); returns the chart's path."""
    chart = path.with_name(f"{path.stem}-latency.png")
    skipped = write_chart(
        run.rows, chart, f"orders bench ({run.plan.mode}), {run.started:%Y-%m-%d}"
    )
    path.write_text(render(run, chart.name if skipped is None else None, skipped))
    return chart


def render(run: Run, chart: str | None, skipped: str | None) -> str:
    machine = run.machine
    minutes = (run.finished - run.started).total_seconds() / 60
    lines = [
        "# Benchmark results",
        "",
        f"Written by `{run.command}` ({run.plan.mode} mode) on "
        f"{run.started:%Y-%m-%d %H:%M} UTC, {minutes:.0f} minutes. Each ratio is the "
        "service's figure over the same work sent to the component beneath it, both "
        "measured in this run; absolute figures drift on a shared machine, ratios much less.",
        "",
        "## Machine",
        "",
        f"- {machine.cores} cores ({machine.cpu}), {machine.memory_gb:.0f} GB memory, "
        f"{machine.system}",
        f"- load average (1, 5, 15 min): {machine.load_text()}",
        "- PostgreSQL, the search node, the API, the load generator and this benchmark all "
        "share these cores",
        "",
        "## Versions",
        "",
        "| component | version |",
        "|---|---|",
        *[f"| {name} | {version} |" for name, version in machine.versions.items()],
        "",
        "## Setup",
        "",
        *[f"- {line}" for line in run.setup],
        "",
        "## Results",
        "",
        markdown_table(run.rows),
        "",
    ]
    failed = failures(run.rows)
    lines += ["## Failed requests", ""]
    lines += [f"- {line}" for line in failed] if failed else ["None."]
    lines += ["", "## Latency distributions", ""]
    if chart is not None:
        lines.append(f"![latency distributions per path]({chart})")
    else:
        lines.append(f"No chart: {skipped}.")
    lines += ["", "## How each figure is measured", "", METHOD]
    return "\n".join(lines)
