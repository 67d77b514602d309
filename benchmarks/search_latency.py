"""Faceted-search latency: median / p95 / queries per second over N seeded orders.

    DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:55432/latency \\
    SEARCH_URL=http://127.0.0.1:9250 .venv/bin/python -m benchmarks.search_latency --orders 100000

Seeds N orders through the command path into an empty database (or reuses a seeded
one), lets the projector catch up, then sends the same deterministic mix of faceted
searches (text + filters + all five facets, first=20) three ways: the raw search
request, OrderQueries.search_orders (the read path), and the `orders` GraphQL query
executed in-process (schema.build.build_schema, a context like server.py's).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any, cast

if __package__ in (None, ""):  # run as a file: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.workbench import catch_up, ensure_orders, env_or, fail, opened, seed_line
from composition import api_worker
from demo.seed import BIG_MARKETS, COUNTRIES, DEFAULT_UNTIL, WINDOW, catalogue
from identity import Principal
from queries.handlers import OrderQueries
from queries.search_request import OrderFilter, OrderSearch, SortSpec, build_search_body
from read_model.indices import drop_all
from read_model.names import alias
from schema.build import build_schema
from schema.context import Context
from search_engine.client import SearchClient
from settings import Settings

READER = Principal.staff("orders-bench")  # reads every order

DEFAULT_DATABASE = "sqlite+aiosqlite:///./latency.db"
STATUSES = ("PLACED", "PAID", "SHIPPED", "DELIVERED", "CANCELLED")
ORDERS_QUERY = """
query Search($search: String, $filter: OrderFilter, $sort: [OrderSort!], $first: Int) {
  orders(search: $search, filter: $filter, sort: $sort, first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      node { id status placedAt total currency customer { name email }
             shippingAddress { city postalCode country } lines { sku productName quantity } }
      highlights { field fragments }
    }
    facets { status { value count } country { value count } category { value count }
             placedMonth { value count } totalRange { value count } }
  }
}
"""

Timed = Callable[[OrderSearch], Awaitable[Any]]


def _typo(word: str, rng: random.Random) -> str:
    """One slip of the finger: a letter dropped, doubled or swapped with its neighbour."""
    if len(word) < 5:
        return word
    at = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:at] + word[at + 1 :]
    if kind == 1:
        return word[:at] + word[at] + word[at:]
    return word[: at - 1] + word[at] + word[at - 1] + word[at + 1 :]


def query_mix(count: int, seed: int = 1) -> list[OrderSearch]:
    """A deterministic mix of what a support desk types, with filters and sorting."""
    rng = random.Random(seed)
    surnames = [s.split("/")[0] for c in COUNTRIES for s in c.surnames]
    cities = [city for c in COUNTRIES for city, _ in c.cities]
    products = [p.name.split()[-1] for p in catalogue()]
    skus = [p.sku for p in catalogue()]
    texts: list[Callable[[], str | None]] = [
        lambda: rng.choice(surnames),
        lambda: f"{rng.choice(surnames)} {rng.choice(cities)}",
        lambda: rng.choice(products).lower(),
        lambda: rng.choice(skus)[: rng.randint(5, 9)],
        lambda: _typo(rng.choice(surnames).lower(), rng),
        lambda: rng.choice(surnames)[:3].lower(),
        lambda: None,  # browsing with filters only
    ]
    searches = []
    for _ in range(count):
        start = DEFAULT_UNTIL - WINDOW + timedelta(days=rng.randrange(0, 640))
        order_filter = OrderFilter(
            status=rng.sample(STATUSES, rng.randint(1, 3)) if rng.random() < 0.6 else None,
            country=rng.choice(BIG_MARKETS) if rng.random() < 0.4 else None,
            placed_from=start if rng.random() < 0.4 else None,
            placed_to=start + timedelta(days=90) if rng.random() < 0.2 else None,
            total_min=rng.choice((None, Decimal(20), Decimal(50), Decimal(100))),
        )
        text = rng.choice(texts)()
        sort = [] if text and rng.random() < 0.7 else [SortSpec(rng.choice(("PLACED_AT", "TOTAL")))]
        searches.append(OrderSearch(text=text, filter=order_filter, sort=sort, first=20))
    return searches


def graphql_variables(search: OrderSearch) -> dict[str, Any]:
    f = search.filter or OrderFilter()
    order_filter = {
        "status": f.status,
        "country": f.country,
        "placedFrom": f.placed_from.isoformat() if f.placed_from else None,
        "placedTo": f.placed_to.isoformat() if f.placed_to else None,
        "totalMin": str(f.total_min) if f.total_min is not None else None,
    }
    return {
        "search": search.text,
        "filter": {k: v for k, v in order_filter.items() if v is not None},
        "sort": [{"field": s.field, "direction": s.direction} for s in search.sort],
        "first": search.first,
    }


async def measure(
    levels: dict[str, Timed], searches: list[OrderSearch], warmup: int
) -> dict[str, list[float]]:
    """Milliseconds per request and level, after `warmup` untimed rounds. Each search is
    sent at every level in turn (rotating who goes first), so a busy moment on the
    machine hits all levels alike instead of skewing one of them."""
    for search in searches[:warmup]:
        for call in levels.values():
            await call(search)
    timings: dict[str, list[float]] = {name: [] for name in levels}
    names = list(levels)
    for i, search in enumerate(searches):
        for name in names[i % len(names) :] + names[: i % len(names)]:
            started = time.perf_counter()
            await levels[name](search)
            timings[name].append((time.perf_counter() - started) * 1000)
    return timings


def line(label: str, timings: list[float]) -> str:
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    qps = 1000 * len(timings) / sum(timings)
    median = statistics.median(ordered)
    return f"{label:<28} {median:>8.1f} {p95:>8.1f} {statistics.fmean(ordered):>8.1f} {qps:>8.1f}"


async def run(args: argparse.Namespace) -> None:
    async with opened(args.database_url, args.search_url, args.prefix) as bench:
        seeded = await ensure_orders(
            bench,
            args.orders,
            seed=args.seed,
            concurrency=args.concurrency or (8 if bench.engine.dialect.name != "sqlite" else 1),
            processes=args.processes,
        )
        print(seed_line(seeded))
        seconds = await catch_up(bench, fresh=args.reindex, batch_size=args.batch_size)
        print(f"projection caught up in {seconds:.1f} s (index prefix {args.prefix!r})")
        documents = await bench.search.count(alias(args.prefix))
        searches = query_mix(args.iterations)
        print(f"{len(searches)} faceted searches (first=20, 5 facets) over {documents} orders\n")
        results = await _three_ways(bench.search, args, searches)
        if args.drop_index:
            await drop_all(bench.search, args.prefix)
    print(f"{'level':<28} {'median':>8} {'p95':>8} {'mean':>8} {'q/s':>8}   (ms; q/s sequential)")
    for label, timings in results:
        print(line(label, timings))


async def _three_ways(
    search: SearchClient, args: argparse.Namespace, searches: list[OrderSearch]
) -> list[tuple[str, list[float]]]:
    queries = OrderQueries(search, args.prefix)
    took: list[float] = []

    async def raw(s: OrderSearch) -> None:
        response = await search.search(alias(args.prefix), build_search_body(s))
        took.append(float(response["took"]))

    settings = Settings(
        database_url=args.database_url, search_url=args.search_url, index_prefix=args.prefix
    )
    async with api_worker(settings, args.search_url, run_projector=False) as worker:
        schema = build_schema(settings.query_cache_size)
        context = Context(api=worker.api, request=cast(Any, None), principal=READER)

        async def graphql(s: OrderSearch) -> None:
            result = await schema.execute(
                ORDERS_QUERY, variable_values=graphql_variables(s), context_value=context
            )
            if result.errors:
                raise RuntimeError(result.errors[0])

        timings = await measure(
            {
                "search request (client)": raw,
                "OrderQueries.search_orders": partial(queries.search_orders, actor=READER),
                "GraphQL orders (in-process)": graphql,
            },
            searches,
            args.warmup,
        )
    return [("engine `took` (server side)", took[-len(searches) :]), *timings.items()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100_000, help="seed this many if empty")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--concurrency", type=int, default=None, help="seeding: 1 SQLite, 8 PG")
    parser.add_argument("--processes", type=int, default=1, help="seeding processes")
    parser.add_argument("--iterations", type=int, default=400, help="timed searches per level")
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=1000, help="projector batch size")
    parser.add_argument("--reindex", action="store_true", help="project into a fresh index")
    parser.add_argument("--drop-index", action="store_true", help="delete the index afterwards")
    parser.add_argument(
        "--database-url",
        default=env_or("DATABASE_URL", DEFAULT_DATABASE),
        help=f"default DATABASE_URL or {DEFAULT_DATABASE}",
    )
    parser.add_argument("--search-url", default=env_or("SEARCH_URL"), help="default SEARCH_URL")
    parser.add_argument("--prefix", default="latency", help="index prefix (default latency)")
    args = parser.parse_args(argv)
    if not args.search_url:
        fail("set SEARCH_URL or --search-url (e.g. http://127.0.0.1:9200)")
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
