"""The `orders` command line: serve, projector, migrate, status, rebuild, dead-letters, seed,
token, bench, search-node."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import UTC, datetime, timedelta

from cli import projection, serving
from logging_setup import LogFormat, configure_logging
from settings import Settings, SettingsError, load_settings


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    log_format: LogFormat = args.log_format or (
        "json" if args.run in (serving.serve, projection.projector) else "text"
    )
    configure_logging(args.log_level, log_format)
    os.environ.setdefault("ORDERS_LOG_LEVEL", args.log_level)  # for worker processes
    os.environ.setdefault("ORDERS_LOG_FORMAT", log_format)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        return int(args.run(args, settings) or 0)
    except SettingsError as exc:  # found later, e.g. a token key file that cannot be used
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if (line := _expected_failure(exc, settings)) is None:
            raise
        print(f"orders: {line}", file=sys.stderr)
        return 1


def _expected_failure(exc: Exception, settings: Settings) -> str | None:
    """One line for a failure the user can act on (port, database, engine); None for bugs."""
    from sqlalchemy.engine import make_url

    from database.engine import DatabaseUnavailable
    from search_engine.client import SearchError, SearchUnavailable
    from search_engine.java import SearchNodeError

    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if isinstance(exc, DatabaseUnavailable):
        return f"{first}: {make_url(settings.database_url).render_as_string(hide_password=True)}"
    if isinstance(exc, SearchUnavailable):
        detail = first.removeprefix("search engine unreachable: ").partition(" caused by: ")[0]
        where = settings.search_url or "the local node"
        return f"the search engine is unreachable at {where}: {detail[:300]}"
    if isinstance(exc, SearchError):
        return f"the search engine refused a request: {first[:300]}"
    if isinstance(exc, SearchNodeError):
        return first
    return None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="orders", description=__doc__)
    parser.add_argument(
        "--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"]
    )
    parser.add_argument(
        "--log-format",
        choices=["json", "text"],
        default=None,
        help="json lines (default for serve and projector) or text (other commands)",
    )
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="API + in-process projector")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers",
        type=positive,
        default=1,
        help="API worker processes (default 1); one projector leads among them",
    )
    serve.add_argument("--no-projector", action="store_true", help="run the API only")
    serve.add_argument("--access-log", action="store_true", help="log every request (uvicorn)")
    serve.set_defaults(run=serving.serve)

    sub.add_parser("projector", help="run the projector standalone").set_defaults(
        run=projection.projector
    )
    sub.add_parser("migrate", help="create or upgrade the write tables").set_defaults(run=_migrate)
    projection.projection_commands(sub)

    seed = sub.add_parser("seed", help="demo data through the real command path")
    seed.add_argument("--orders", type=int, default=200, help="orders to place (default 200)")
    seed.add_argument("--seed", type=int, default=7, help="random seed: same seed, same data")
    seed.add_argument(
        "--concurrency",
        type=int,
        default=None,
        help="batches of orders (orders with --writer commands) written at a time "
        "(default 1 on SQLite, 8 on PostgreSQL)",
    )
    seed.add_argument(
        "--processes",
        type=int,
        default=1,
        help="spread the concurrent orders over this many processes (PostgreSQL; default 1)",
    )
    seed.add_argument(
        "--until",
        type=utc_date,
        default=None,
        help="end of the two years of orders, YYYY-MM-DD (default 2026-11-01, fixed)",
    )
    seed.add_argument(
        "--writer",
        choices=("batches", "commands"),
        default="batches",
        help="batches: many commands per transaction, multi-row inserts (default); "
        "commands: each command through the CommandBus in its own transaction (slow)",
    )
    seed.add_argument("--no-progress", action="store_true", help="no progress bar")
    seed.set_defaults(run=_seed)

    token = sub.add_parser("token", help="print a bearer token (signed with this setup's key)")
    who = token.add_mutually_exclusive_group(required=True)
    who.add_argument("--role", choices=["staff"], help="a staff token")
    who.add_argument("--customer", metavar="ID", help="a token of this customer")
    token.add_argument("--sub", default=None, help="the subject (default: staff / customer-ID)")
    token.add_argument(
        "--ttl",
        type=serving.ttl,
        default=timedelta(hours=1),
        help="lifetime: 90s, 30m, 1h, 7d (1h)",
    )
    token.set_defaults(run=serving.token)

    from benchmarks.config import add_arguments as bench_arguments

    bench = sub.add_parser("bench", help="each path next to the component beneath it")
    bench_arguments(bench)
    bench.set_defaults(run=_bench)

    node = sub.add_parser("search-node", help="run a local OpenSearch node (Maven Central)")
    node.add_argument("--port", type=int, default=None, help="HTTP port, 9200-9299")
    node.add_argument("--data-dir", default=None)
    node.set_defaults(run=_search_node_forever)
    return parser


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 (got {value})")
    return value


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    from database.migrate import upgrade

    asyncio.run(upgrade(settings.database_url))
    print("database is at the latest migration")
    return 0


def utc_date(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _seed(args: argparse.Namespace, settings: Settings) -> int:
    from database.engine import create_engine
    from database.migrate import upgrade
    from demo.seed import DEFAULT_UNTIL, SeedError, seed_demo_data

    concurrency = max(args.concurrency or (8 if settings.is_postgres else 1), args.processes)

    async def run() -> None:
        if not settings.is_postgres:
            await upgrade(settings.database_url)
        engine = create_engine(settings.database_url)
        try:
            report = await seed_demo_data(
                engine,
                orders=args.orders,
                seed=args.seed,
                concurrency=concurrency,
                processes=args.processes,
                until=args.until or DEFAULT_UNTIL,
                progress=not args.no_progress,
                writer=args.writer,
            )
        finally:
            await engine.dispose()
        statuses = ", ".join(f"{n} {s}" for s, n in sorted(report.statuses.items()))
        print(
            f"seeded {report.orders} orders ({statuses}), {report.customers} customers, "
            f"{report.products} new products: {report.commands} commands in "
            f"{report.seconds:.1f} s, {report.orders_per_second:.0f} orders/s "
            f"(concurrency {concurrency}, {args.processes} process(es), {args.writer})"
        )

    try:
        asyncio.run(run())
    except SeedError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


def _bench(args: argparse.Namespace, settings: Settings) -> int:
    from benchmarks.command import run

    return run(args)


def _search_node_forever(args: argparse.Namespace, settings: Settings) -> int:
    from search_engine.local import run_node_forever

    run_node_forever(
        port=args.port or settings.search_node_port,
        data_dir=args.data_dir or settings.search_node_dir,
        heap=settings.search_node_heap,
    )
    return 0
