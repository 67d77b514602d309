"""The projection's commands: projector, status, rebuild, dead-letters."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from typing import TYPE_CHECKING

from positions import Position, encode_token
from search_engine.local import search_url
from settings import Settings

if TYPE_CHECKING:
    from composition import Readers
    from projections.registry import Projection


def projector(args: argparse.Namespace, settings: Settings) -> int:
    from composition import projector_process, require_database

    require_database(settings)  # before a search node is looked for or started

    async def run(url: str) -> None:
        async with projector_process(settings, url) as running:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            await running.run_forever(stop)  # every projection's

    with search_url(settings) as url:
        asyncio.run(run(url))
    return 0


def projection_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub.add_parser(
        "status", help="checkpoint, head, lag, active instance, dead letters, mapping"
    ).set_defaults(run=status)

    rebuilding = sub.add_parser("rebuild", help="rebuild the index into a new one, swap the alias")
    what = rebuilding.add_mutually_exclusive_group()
    what.add_argument("--resume", action="store_true", help="continue an interrupted rebuild")
    what.add_argument("--discard", action="store_true", help="delete an interrupted rebuild")
    rebuilding.add_argument("--chunk", type=int, default=2000, help="documents per bulk request")
    rebuilding.add_argument(
        "--projection",
        metavar="NAME",
        help="only this projection (`orders status` lists them); default: all, in turn",
    )
    rebuilding.add_argument("--no-progress", action="store_true", help="no progress bar")
    rebuilding.set_defaults(run=rebuild)

    letters = sub.add_parser("dead-letters", help="documents the search engine rejected")
    letters.set_defaults(run=dead_letters, retry=False)
    actions = letters.add_subparsers(metavar="ACTION")
    retry = actions.add_parser("retry", help="re-project them from current rows (after a fix)")
    retry.add_argument("ids", nargs="*", type=int, metavar="ID", help="dead-letter ids")
    retry.add_argument("--all", action="store_true", help="every dead letter")
    retry.set_defaults(retry=True)


def status(args: argparse.Namespace, settings: Settings) -> int:
    from composition import read_only_services, require_database

    async def run(url: str) -> None:
        async with read_only_services(settings, url) as readers:
            for name, read in readers.items():
                await _status_of(name, read)

    require_database(settings)  # before a search node is looked for or started
    with search_url(settings) as url:
        asyncio.run(run(url))
    return 0


async def _status_of(name: str, read: Readers) -> None:
    from projections import dead_letters
    from projections.rebuild import Rebuild
    from read_model.mapping_state import mapping_state

    projection = read.projector.projection
    mapping = await mapping_state(read.search, read.prefix, projection.view)
    if mapping.index is None:
        print(
            f"projection    {name}: no index yet (no alias {read.prefix}); `orders serve` "
            "or `orders projector` creates it"
        )
        return
    lag = await read.projector.lag()
    active = await read.leadership.active_instance()
    parked = await dead_letters.count(read.engine, read.prefix)
    rebuild = Rebuild(read.engine, read.search, read.prefix, projection=projection)
    builds, _ = await rebuild.survey()
    print(f"projection    {name} (alias {read.prefix} -> {mapping.index})")
    print(f"checkpoint    {_describe(lag.checkpoint)}")
    print(f"head          {_describe(lag.head)}")
    print(f"lag           {lag.events} events, {_duration(lag.seconds)}")
    print(f"active        {active or 'none: no projector leads this projection'}")
    print(f"dead letters  {parked}" + ("  (`orders dead-letters`)" if parked else ""))
    print(f"mapping       {mapping.describe()}")
    for build in builds:
        print(f"rebuild       unfinished: {build.describe()} (--resume or --discard)")


def rebuild(args: argparse.Namespace, settings: Settings) -> int:
    from composition import indexing, require_database
    from projections.rebuild import Rebuild
    from projections.rebuild_state import RebuildError
    from projections.registry import PROJECTIONS, named

    async def run(url: str, chosen: list[Projection]) -> None:
        async with indexing(settings, url) as opened:
            for projection in chosen:
                rebuild = Rebuild(
                    opened.engine,
                    opened.search,
                    projection.prefix(opened.prefix),
                    progress=not args.no_progress,
                    load_chunk=args.chunk,
                    projection=projection,
                )
                if args.discard:
                    gone = await rebuild.discard()
                    print(f"discarded: {', '.join(gone) or 'nothing to discard'}")
                    continue
                print((await rebuild.run(resume=args.resume)).summary(), flush=True)

    try:
        chosen = list(PROJECTIONS) if args.projection is None else [named(args.projection)]
    except KeyError as unknown:
        print(unknown.args[0], file=sys.stderr)
        return 2
    require_database(settings)
    with search_url(settings) as url:
        try:
            asyncio.run(run(url, chosen))
        except RebuildError as exc:
            print(exc, file=sys.stderr)
            return 1
    return 0


def dead_letters(args: argparse.Namespace, settings: Settings) -> int:
    from composition import require_database

    if args.retry and not (args.all or args.ids):
        print("say which: `orders dead-letters retry --all` or `... retry ID [ID ...]`")
        return 2
    require_database(settings)
    if not args.retry:  # the listing reads the database only
        return asyncio.run(_list_dead_letters(settings))
    with search_url(settings) as url:
        return asyncio.run(_retry_dead_letters(settings, url, None if args.all else args.ids))


async def _list_dead_letters(settings: Settings) -> int:
    from composition import require_tables
    from database.engine import create_engine
    from projections import dead_letters
    from projections.registry import PROJECTIONS

    engine = create_engine(settings.database_url)
    try:
        await require_tables(engine)
        rows = [
            row
            for projection in PROJECTIONS
            for row in await dead_letters.listing(engine, projection.prefix(settings.index_prefix))
        ]
    finally:
        await engine.dispose()
    for row in rows:
        print(
            f"{row.id:>6}  order {row.order_id}  at {encode_token(row.position)}  "
            f"{row.created_at:%Y-%m-%d %H:%M:%S}  {row.index_name}"
        )
        print(f"        {row.reason}")
    print(f"{len(rows)} dead letter(s)")
    return 0


async def _retry_dead_letters(settings: Settings, url: str, ids: list[int] | None) -> int:
    from composition import indexing
    from projections.dead_letter_retry import retry
    from projections.leadership import Leadership
    from projections.registry import PROJECTIONS

    fixed: list[str] = []
    failing: dict[str, str] = {}
    async with indexing(settings, url) as opened:
        for projection in PROJECTIONS:  # ids are the table's: each row names its projection
            prefix = projection.prefix(opened.prefix)
            leadership = Leadership.for_engine(opened.engine, prefix, role="retry")
            try:
                result = await retry(
                    opened.engine, opened.search, prefix, leadership, ids, projection
                )
            finally:
                await leadership.close()
            fixed += result.fixed
            failing.update(result.still_failing)
    print(f"re-projected {len(fixed)} order(s); still rejected: {len(failing)}")
    for order_id, reason in failing.items():
        print(f"  {order_id}: {reason}")
    return 1 if failing else 0


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
