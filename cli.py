"""The `orders` command line: serve, projector, migrate, status, rebuild, dead-letters, seed,
token, bench, search-node."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from logging_setup import LogFormat, configure_logging
from positions import Position, encode_token
from search_engine.local import search_url
from settings import Settings, SettingsError, load_settings


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    log_format: LogFormat = args.log_format or (
        "json" if args.run in (_serve, _projector) else "text"
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

    from commands.database import DatabaseUnavailable
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
        type=_positive,
        default=1,
        help="API worker processes (default 1); one projector leads among them",
    )
    serve.add_argument("--no-projector", action="store_true", help="run the API only")
    serve.add_argument("--access-log", action="store_true", help="log every request (uvicorn)")
    serve.set_defaults(run=_serve)

    sub.add_parser("projector", help="run the projector standalone").set_defaults(run=_projector)
    sub.add_parser("migrate", help="create or upgrade the write tables").set_defaults(run=_migrate)
    _projection_commands(sub)

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
        type=_utc_date,
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
        "--ttl", type=_ttl, default=timedelta(hours=1), help="lifetime: 90s, 30m, 1h, 7d (1h)"
    )
    token.set_defaults(run=_token)

    from benchmarks.config import add_arguments as bench_arguments

    bench = sub.add_parser("bench", help="each path next to the component beneath it")
    bench_arguments(bench)
    bench.set_defaults(run=_bench)

    node = sub.add_parser("search-node", help="run a local OpenSearch node (Maven Central)")
    node.add_argument("--port", type=int, default=None, help="HTTP port, 9200-9299")
    node.add_argument("--data-dir", default=None)
    node.set_defaults(run=_search_node_forever)
    return parser


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from commands.migrate import upgrade
    from http_limits.protocol import uvicorn_options
    from server import create_app

    if not settings.is_postgres:  # the embedded default migrates itself
        asyncio.run(upgrade(settings.database_url))
    options: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "log_level": "info",
        "access_log": args.access_log,
        "log_config": None,  # uvicorn's loggers go through ours (JSON lines, request ids)
    }
    staff = _embedded_staff_token(settings)  # also creates the embedded secret, before workers
    with search_url(settings) as url:
        if not settings.production:  # production serves no GraphiQL
            print(f"GraphiQL: http://{args.host}:{args.port}/graphql")
        if staff is not None:
            print(
                f"staff token ({STAFF_TOKEN_TTL.total_seconds() / 3600:g} h; for GraphiQL's headers"
                f' editor as {{"Authorization": "Bearer <token>"}}):\n{staff}',
                flush=True,
            )
        if args.workers == 1:
            projector = False if args.no_projector else None
            app = create_app(settings, search_url=url, run_projector=projector)
            uvicorn.run(app, **options, **uvicorn_options(settings))
            return 0
        # Worker processes build their own app from the environment; every one runs a
        # projector, and the leadership claim lets exactly one of them lead.
        os.environ["SEARCH_URL"] = url
        if args.no_projector:
            os.environ["PROJECTOR_ENABLED"] = "false"
        # The limits' protocol class reads them from the environment in each worker.
        limits = uvicorn_options()
        uvicorn.run(
            "server:app_from_environment", factory=True, workers=args.workers, **options, **limits
        )
    return 0


STAFF_TOKEN_TTL = timedelta(hours=12)


def _embedded_staff_token(settings: Settings) -> str | None:
    """On embedded defaults (no AUTH_SECRET, no key files): a staff token to print at start."""
    from identity import Principal
    from identity.keys import load_keys

    keys = load_keys(settings)
    embedded = settings.auth_secret is None and settings.auth_public_key_file is None
    if not embedded or settings.auth_jwks_file is not None or keys.issuer is None:
        return None
    return keys.issuer.issue(Principal.staff("orders-serve"), STAFF_TOKEN_TTL)


def _token(args: argparse.Namespace, settings: Settings) -> int:
    from identity import Principal
    from identity.keys import KeysUnusable, load_keys

    try:
        keys = load_keys(settings)
    except KeysUnusable as error:
        print(f"orders token: {error}", file=sys.stderr)
        return 2
    if keys.issuer is None:
        print(
            f"orders token: {keys.source} verifies tokens only; set AUTH_PRIVATE_KEY_FILE to sign",
            file=sys.stderr,
        )
        return 2
    if args.customer is not None:
        principal = Principal.customer(args.sub or f"customer-{args.customer}", args.customer)
    else:
        principal = Principal.staff(args.sub or "staff")
    print(f"{principal.role} token for {principal.sub!r}, valid {args.ttl}:", file=sys.stderr)
    print(keys.issuer.issue(principal, args.ttl))
    return 0


TTL_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _ttl(text: str) -> timedelta:
    number, unit = (text[:-1], text[-1]) if text[-1:] in TTL_UNITS else (text, "s")
    try:
        seconds = float(number) * TTL_UNITS[unit]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: use 90s, 30m, 1h or 7d") from None
    if not 0 < seconds <= 366 * 86400:
        raise argparse.ArgumentTypeError(f"{text!r}: between 1 second and a year")
    return timedelta(seconds=seconds)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 (got {value})")
    return value


def _projector(args: argparse.Namespace, settings: Settings) -> int:
    from bootstrap import require_database, start_services

    require_database(settings)  # before a search node is looked for or started

    async def run(url: str) -> None:
        services = await start_services(settings, url)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await services.projector.run_forever(stop)
        finally:
            await services.aclose()

    with search_url(settings) as url:
        asyncio.run(run(url))
    return 0


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    from commands.migrate import upgrade

    asyncio.run(upgrade(settings.database_url))
    print("database is at the latest migration")
    return 0


def _projection_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub.add_parser(
        "status", help="checkpoint, head, lag, active instance, dead letters, mapping"
    ).set_defaults(run=_status)

    rebuild = sub.add_parser("rebuild", help="rebuild the index into a new one, swap the alias")
    what = rebuild.add_mutually_exclusive_group()
    what.add_argument("--resume", action="store_true", help="continue an interrupted rebuild")
    what.add_argument("--discard", action="store_true", help="delete an interrupted rebuild")
    rebuild.add_argument("--chunk", type=int, default=2000, help="orders per bulk request")
    rebuild.add_argument("--no-progress", action="store_true", help="no progress bar")
    rebuild.set_defaults(run=_rebuild)

    letters = sub.add_parser("dead-letters", help="documents the search engine rejected")
    letters.set_defaults(run=_dead_letters, retry=False)
    actions = letters.add_subparsers(metavar="ACTION")
    retry = actions.add_parser("retry", help="re-project them from current rows (after a fix)")
    retry.add_argument("ids", nargs="*", type=int, metavar="ID", help="dead-letter ids")
    retry.add_argument("--all", action="store_true", help="every dead letter")
    retry.set_defaults(retry=True)


def _status(args: argparse.Namespace, settings: Settings) -> int:
    from bootstrap import read_only_services, require_database
    from projections import dead_letters
    from projections.rebuild import Rebuild, mapping_state

    prefix = settings.index_prefix

    async def run(url: str) -> None:
        async with read_only_services(settings, url) as read:
            mapping = await mapping_state(read.search, prefix)
            if mapping.index is None:
                print(
                    f"projection    orders: no index yet (no alias {prefix}); `orders serve` "
                    "or `orders projector` creates it"
                )
                return
            lag = await read.projector.lag()
            active = await read.leadership.active_instance()
            parked = await dead_letters.count(read.engine, prefix)
            builds, _ = await Rebuild(read.engine, read.search, prefix).survey()
        print(f"projection    orders (alias {prefix} -> {mapping.index})")
        print(f"checkpoint    {_describe(lag.checkpoint)}")
        print(f"head          {_describe(lag.head)}")
        print(f"lag           {lag.events} events, {_duration(lag.seconds)}")
        print(f"active        {active or 'none: no projector leads this projection'}")
        print(f"dead letters  {parked}" + ("  (`orders dead-letters`)" if parked else ""))
        print(f"mapping       {mapping.describe()}")
        for build in builds:
            print(f"rebuild       unfinished: {build.describe()} (--resume or --discard)")

    require_database(settings)  # before a search node is looked for or started
    with search_url(settings) as url:
        asyncio.run(run(url))
    return 0


def _rebuild(args: argparse.Namespace, settings: Settings) -> int:
    from bootstrap import require_database
    from commands.database import create_engine
    from projections.rebuild import Rebuild, RebuildError
    from search_engine.client import SearchClient

    async def run(url: str) -> None:
        engine = create_engine(settings.database_url)
        search = await SearchClient.connect(url)
        try:
            rebuild = Rebuild(
                engine,
                search,
                settings.index_prefix,
                progress=not args.no_progress,
                load_chunk=args.chunk,
            )
            if args.discard:
                gone = await rebuild.discard()
                print(f"discarded: {', '.join(gone) or 'nothing to discard'}")
                return
            report = await rebuild.run(resume=args.resume)
        finally:
            await search.close()
            await engine.dispose()
        print(report.summary())

    require_database(settings)
    with search_url(settings) as url:
        try:
            asyncio.run(run(url))
        except RebuildError as exc:
            print(exc, file=sys.stderr)
            return 1
    return 0


def _dead_letters(args: argparse.Namespace, settings: Settings) -> int:
    from bootstrap import require_database
    from commands.database import create_engine
    from projections import dead_letters
    from projections.leadership import Leadership
    from search_engine.client import SearchClient

    if args.retry and not (args.all or args.ids):
        print("say which: `orders dead-letters retry --all` or `... retry ID [ID ...]`")
        return 2

    async def run(url: str | None) -> int:
        engine = create_engine(settings.database_url)
        prefix = settings.index_prefix
        try:
            if not args.retry:
                rows = await dead_letters.listing(engine, prefix)
                for row in rows:
                    print(
                        f"{row.id:>6}  order {row.order_id}  at {encode_token(row.position)}  "
                        f"{row.created_at:%Y-%m-%d %H:%M:%S}  {row.index_name}"
                    )
                    print(f"        {row.reason}")
                print(f"{len(rows)} dead letter(s)")
                return 0
            assert url is not None
            search = await SearchClient.connect(url)
            leadership = Leadership.for_engine(engine, prefix, role="retry")
            try:
                result = await dead_letters.retry(
                    engine, search, prefix, leadership, None if args.all else args.ids
                )
            finally:
                await leadership.close()
                await search.close()
        finally:
            await engine.dispose()
        failing = result.still_failing
        print(f"re-projected {len(result.fixed)} order(s); still rejected: {len(failing)}")
        for order_id, reason in result.still_failing.items():
            print(f"  {order_id}: {reason}")
        return 1 if result.still_failing else 0

    require_database(settings)
    if not args.retry:  # the listing reads the database only
        return asyncio.run(run(None))
    with search_url(settings) as url:
        return asyncio.run(run(url))


def _duration(seconds: float) -> str:
    """The age of the oldest unprojected event, in a unit a person reads at a glance."""
    if seconds < 120:
        return f"{seconds:.1f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} days"


def _describe(position: Position) -> str:
    return f"{encode_token(position)}  (txid {position.txid}, seq {position.seq})"


def _utc_date(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _seed(args: argparse.Namespace, settings: Settings) -> int:
    from commands.database import create_engine
    from commands.migrate import upgrade
    from commands.seed import DEFAULT_UNTIL, SeedError, seed_demo_data

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


if __name__ == "__main__":
    raise SystemExit(main())
