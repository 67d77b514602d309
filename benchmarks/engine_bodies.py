"""The engine's own time (`took`) for two revisions' request bodies, side by side in one run.

    # on the old revision: write its bodies for the fixed query mix
    .venv/bin/python -m benchmarks.engine_bodies save /tmp/old-bodies.json
    # on the new revision, same index: send old and new bodies interleaved
    SEARCH_URL=... .venv/bin/python -m benchmarks.engine_bodies compare /tmp/old-bodies.json \\
        --prefix latency

The mix is `benchmarks.search_latency.query_mix` (surnames, surname + city, product
words, SKU prefixes, typos, three letters, filters only; every search with all five
facets and highlights, `first: 20`). `compare` rebuilds the new bodies from the same mix,
then sends, per search, the old body and the new one (alternating which goes first, so
neither profits from the other's warmed caches more often), after `--warmup` untimed
rounds. Besides the two, it sends the old body without its highlight and without its
aggregations: what each part costs the engine (the profile that says where to cut).

    # the same mix through the API, one request at a time (the aim: p99 <= 100 ms)
    .venv/bin/python -m benchmarks.engine_bodies api http://127.0.0.1:8000/graphql \
        --secret "$AUTH_SECRET"

Nothing is asserted; a shared machine drifts, so only the ratios of one run mean much.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import time
from datetime import timedelta

import httpx

from benchmarks.search_latency import ORDERS_QUERY, graphql_variables, query_mix
from benchmarks.workbench import env_or, fail
from identity import Principal
from identity.tokens import TokenIssuer
from queries.search_request import build_search_body
from read_model.names import alias
from search_engine.client import SearchClient

Body = dict[str, Any]
Variant = Callable[[Body, Body], Body]


def bodies(count: int, seed: int) -> list[Body]:
    """This revision's request bodies for the fixed mix."""
    return [build_search_body(search) for search in query_mix(count, seed)]


def _without(body: Body, key: str) -> Body:
    return {k: v for k, v in body.items() if k != key}


VARIANTS: dict[str, Variant] = {
    "old": lambda old, new: old,
    "new": lambda old, new: new,
    "old without highlight": lambda old, new: _without(old, "highlight"),
    "old without aggs": lambda old, new: _without(_without(old, "aggs"), "post_filter"),
}


async def compare(
    search: SearchClient, index: str, old: list[Body], new: list[Body], warmup: int
) -> dict[str, list[float]]:
    took: dict[str, list[float]] = {name: [] for name in VARIANTS}
    names = list(VARIANTS)
    for round_no, (old_body, new_body) in enumerate(zip(old, new, strict=True)):
        order = names if round_no % 2 == 0 else list(reversed(names))
        for name in order:
            response = await search.search(index, VARIANTS[name](old_body, new_body))
            if round_no >= warmup:
                took[name].append(float(response["took"]))
    return took


def line(label: str, values: list[float], base: float) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
    p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
    mean = statistics.fmean(values)
    return (
        f"{label:<24} {statistics.median(values):>7.1f} {p95:>7.1f} {p99:>7.1f} {mean:>7.2f}"
        f" {mean / base:>7.2f}"
    )


async def run_compare(args: argparse.Namespace, saved: dict[str, Any]) -> None:
    old: list[Body] = saved["bodies"]
    new = bodies(saved["count"], saved["seed"])
    search = await SearchClient.connect(args.search_url)
    try:
        index = alias(args.prefix)
        documents = await search.count(index)
        took = await compare(search, index, old, new, args.warmup)
    finally:
        await search.close()
    print(f"{len(old) - args.warmup} searches per variant over {documents} orders, engine `took`")
    print(f"{'body':<24} {'median':>7} {'p95':>7} {'p99':>7} {'mean':>7} {'/old':>7}   (ms)")
    base = statistics.fmean(took["old"])
    for name, values in took.items():
        print(line(name, values, base))


async def run_api(args: argparse.Namespace) -> None:
    """The mix as GraphQL `orders` queries (all facets, highlights, first 20), one at a time."""
    token = TokenIssuer("HS256", args.secret).issue(
        Principal.staff("engine-bodies"), timedelta(hours=1)
    )
    headers = {"Authorization": f"Bearer {token}"}
    searches = query_mix(args.count, args.seed)
    timings: list[float] = []
    async with httpx.AsyncClient(timeout=30, headers=headers) as client:
        for n, search in enumerate(searches):
            payload = {"query": ORDERS_QUERY, "variables": graphql_variables(search)}
            started = time.perf_counter()
            response = await client.post(args.url, json=payload)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200 or "errors" in response.json():
                raise RuntimeError(f"{search.text!r}: {response.text[:300]}")
            if n >= args.warmup:
                timings.append(elapsed)
    print(f"{len(timings)} GraphQL faceted searches at concurrency 1 (ms)")
    print(f"{'':<24} {'median':>7} {'p95':>7} {'p99':>7} {'mean':>7}")
    print(line("API", timings, statistics.fmean(timings)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    save = sub.add_parser("save", help="write this revision's bodies for the mix")
    save.add_argument("bodies")
    save.add_argument("--count", type=int, default=400)
    save.add_argument("--seed", type=int, default=1)
    cmp = sub.add_parser("compare", help="old (saved) and new bodies, interleaved")
    cmp.add_argument("bodies")
    cmp.add_argument("--search-url", default=env_or("SEARCH_URL"))
    cmp.add_argument("--prefix", default="latency", help="index prefix (default latency)")
    cmp.add_argument("--warmup", type=int, default=50)
    api = sub.add_parser("api", help="the mix through a running API, concurrency 1")
    api.add_argument("url", help="the GraphQL endpoint, e.g. http://127.0.0.1:8000/graphql")
    api.add_argument("--secret", required=True, help="the API's AUTH_SECRET (HS256)")
    api.add_argument("--count", type=int, default=600)
    api.add_argument("--seed", type=int, default=1)
    api.add_argument("--warmup", type=int, default=100)
    args = parser.parse_args(argv)
    if args.command == "api":
        asyncio.run(run_api(args))
        return 0
    if args.command == "save":
        payload = {"count": args.count, "seed": args.seed, "bodies": bodies(args.count, args.seed)}
        Path(args.bodies).write_text(json.dumps(payload), encoding="utf-8")
        return 0
    if not args.search_url:
        fail("set SEARCH_URL or --search-url (e.g. http://127.0.0.1:9200)")
    saved = json.loads(Path(args.bodies).read_text(encoding="utf-8"))
    asyncio.run(run_compare(args, saved))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
