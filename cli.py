"""The `orders` command line: serve, projector, migrate, status, seed, search-node."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Iterator

from positions import Position, encode_token
from settings import Settings, SettingsError, load_settings


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if args.log_level != "DEBUG":  # per-request client logs and Alembic chatter drown the rest
        for noisy in ("opensearch", "elastic_transport", "elasticsearch", "alembic"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        return int(args.run(args, settings) or 0)
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="orders", description=__doc__)
    parser.add_argument(
        "--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"]
    )
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="API + in-process projector")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--no-projector", action="store_true", help="run the API only")
    serve.set_defaults(run=_serve)

    sub.add_parser("projector", help="run the projector standalone").set_defaults(run=_projector)
    sub.add_parser("migrate", help="create or upgrade the write tables").set_defaults(run=_migrate)
    sub.add_parser("status", help="checkpoint, head and lag").set_defaults(run=_status)

    seed = sub.add_parser("seed", help="demo data through the real command path")
    seed.add_argument("--orders", type=int, default=200)
    seed.add_argument("--seed", type=int, default=7, help="random seed")
    seed.set_defaults(run=_seed)

    node = sub.add_parser("search-node", help="run a local OpenSearch node (Maven Central)")
    node.add_argument("--port", type=int, default=None, help="HTTP port, 9200-9299")
    node.add_argument("--data-dir", default=None)
    node.set_defaults(run=_search_node_forever)
    return parser


@contextlib.contextmanager
def _search_url(settings: Settings) -> Iterator[str]:
    """SEARCH_URL when set; otherwise a local OpenSearch node for as long as we run."""
    if settings.search_url:
        yield settings.search_url
        return
    from search_engine.node import SearchNode

    print(f"SEARCH_URL is unset: starting a local OpenSearch node in {settings.search_node_dir}")
    with SearchNode(
        port=settings.search_node_port,
        data_dir=settings.search_node_dir,
        heap=settings.search_node_heap,
    ) as node:
        print(f"search node ready at {node.url}")
        yield node.url


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from commands.migrate import upgrade
    from server import create_app

    if not settings.is_postgres:  # the embedded default migrates itself
        asyncio.run(upgrade(settings.database_url))
    with _search_url(settings) as url:
        app = create_app(
            settings, search_url=url, run_projector=False if args.no_projector else None
        )
        print(f"GraphiQL: http://{args.host}:{args.port}/graphql")
        uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    return 0


def _projector(args: argparse.Namespace, settings: Settings) -> int:
    from bootstrap import start_services

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

    with _search_url(settings) as url:
        asyncio.run(run(url))
    return 0


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    from commands.migrate import upgrade

    asyncio.run(upgrade(settings.database_url))
    print("database is at the latest migration")
    return 0


def _status(args: argparse.Namespace, settings: Settings) -> int:
    from bootstrap import start_services

    async def run(url: str) -> None:
        services = await start_services(settings, url)
        try:
            lag = await services.projector.lag()
        finally:
            await services.aclose()
        print(f"projection  orders ({settings.index_prefix})")
        print(f"checkpoint  {_describe(lag.checkpoint)}")
        print(f"head        {_describe(lag.head)}")
        print(f"lag         {lag.events} events")

    with _search_url(settings) as url:
        asyncio.run(run(url))
    return 0


def _describe(position: Position) -> str:
    return f"{encode_token(position)}  (txid {position.txid}, seq {position.seq})"


def _seed(args: argparse.Namespace, settings: Settings) -> int:
    from commands.database import create_engine
    from commands.migrate import upgrade
    from commands.seed import seed_demo_data

    async def run() -> None:
        if not settings.is_postgres:
            await upgrade(settings.database_url)
        engine = create_engine(settings.database_url)
        try:
            await seed_demo_data(engine, orders=args.orders, seed=args.seed)
        finally:
            await engine.dispose()

    asyncio.run(run())
    return 0


def _search_node_forever(args: argparse.Namespace, settings: Settings) -> int:
    from search_engine.node import run_node_forever

    run_node_forever(
        port=args.port or settings.search_node_port,
        data_dir=args.data_dir or settings.search_node_dir,
        heap=settings.search_node_heap,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
