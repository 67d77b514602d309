"""The composition root: builds the long-lived services once per process."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import exc, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from commands.bus import CommandBus
from database.engine import DatabaseUnavailable, create_engine
from database.tables import events
from identity.keys import load_keys
from identity.tokens import TokenVerifier
from projections.leadership import Leadership
from projections.projector import Projector
from queries.handlers import OrderQueries
from read_model.indices import ensure_index
from read_model.mapping_state import mapping_state
from search_engine.client import SearchClient
from settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    search: SearchClient
    tokens: TokenVerifier
    bus: CommandBus
    queries: OrderQueries
    projector: Projector
    projector_running: bool = False  # set by whoever runs `projector.run_forever`
    exit_stack: AsyncExitStack = field(default_factory=AsyncExitStack)

    async def aclose(self) -> None:
        await self.exit_stack.aclose()


async def start_services(settings: Settings, search_url: str) -> Services:
    """Connect to the database and the search engine and make sure the index exists."""
    keys = load_keys(settings)  # first: a key that cannot be used stops the start at once
    log.info("bearer tokens: %s", keys.source)
    stack = AsyncExitStack()
    engine = create_engine(settings.database_url)
    stack.push_async_callback(engine.dispose)
    search = await SearchClient.connect(search_url)
    stack.push_async_callback(search.close)
    await ensure_index(search, settings.index_prefix)
    await report_stale_mapping(search, settings.index_prefix)
    projector = Projector(
        engine,
        search,
        settings.index_prefix,
        batch_size=settings.projector_batch_size,
        poll_interval=settings.projector_poll_interval,
        leadership=Leadership.for_engine(engine, settings.index_prefix),
    )
    assert projector.leadership is not None
    stack.push_async_callback(projector.leadership.close)  # before the engine is disposed
    return Services(
        settings=settings,
        engine=engine,
        search=search,
        tokens=keys.verifier,
        bus=CommandBus(engine, registration_open=settings.registration == "open"),
        queries=OrderQueries(search, settings.index_prefix),
        projector=projector,
        exit_stack=stack,
    )


async def report_stale_mapping(search: SearchClient, prefix: str) -> None:
    """Say loudly at start-up when the index was built with another mapping than the code's."""
    state = await mapping_state(search, prefix)
    if state.rebuild_needed:
        log.warning("the search index mapping is out of date: %s", state.describe())


class NoDatabase(DatabaseUnavailable):
    """There is nothing to read yet: no SQLite file, or a database without the tables."""


@dataclass
class Readers:
    """What `orders status` reads from: the write store, the search engine, the lag and the
    leadership of the projection (looked at, never taken)."""

    engine: AsyncEngine
    search: SearchClient
    projector: Projector  # for `lag()` only: never run
    leadership: Leadership


def require_database(settings: Settings) -> None:
    """Raise NoDatabase when the SQLite file does not exist (connecting would create it)."""
    url = make_url(settings.database_url)
    path = url.database or ""
    if url.get_backend_name() != "sqlite" or path in ("", ":memory:") or path.startswith("file:"):
        return
    if not Path(path).exists():
        raise NoDatabase("no database yet (`orders migrate` or `orders serve` creates it)")


@asynccontextmanager
async def read_only_services(settings: Settings, search_url: str) -> AsyncIterator[Readers]:
    """Connect to the database and the search engine creating nothing: no database file,
    no tables, no index, no token key."""
    require_database(settings)
    engine = create_engine(settings.database_url)
    try:
        try:
            async with engine.connect() as conn:
                await conn.execute(select(events.c.seq).limit(1))
        except exc.ProgrammingError as error:  # PostgreSQL: no such table
            raise NoDatabase("the database has no tables (run `orders migrate`)") from error
        search = await SearchClient.connect(search_url)
        prefix = settings.index_prefix
        leadership = Leadership.for_engine(engine, prefix)
        try:
            yield Readers(engine, search, Projector(engine, search, prefix), leadership)
        finally:
            await leadership.close()
            await search.close()
    finally:
        await engine.dispose()
