"""The composition root: what each role of a process needs, built and closed in one place.

- `api_worker`: one `orders serve` process: the command bus, the queries and the live
  change feed for the resolvers (`ApiServices`, nothing more), plus the projector run in
  the background and what `/ready` looks at.
- `projector_process`: `orders projector`: one projector per registered projection
  (projections/registry.py) and nothing else.
- `indexing`: the write store and the search engine, for `orders rebuild` and
  `orders dead-letters retry`.
- `read_only_services`: `orders status`, creating nothing.

Each is an async context manager: whatever it opened is closed on the way out, also when
a later step of the start fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import exc, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from commands.bus import CommandBus
from database.engine import DatabaseUnavailable, create_engine
from database.tables import events
from identity.keys import load_keys
from identity.tokens import TokenVerifier
from projections import registry
from projections.leadership import Leadership
from projections.projector import Projector
from queries.change_feed import ChangeFeed
from queries.customers import CustomerQueries
from queries.handlers import OrderQueries
from queries.sales import SalesQueries
from read_model.customers import CUSTOMERS
from read_model.indices import ensure_index
from read_model.mapping_state import mapping_state
from read_model.sales import SALES
from read_model.views import View
from search_engine.client import SearchClient
from settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ApiServices:
    """What the GraphQL layer uses: resolvers get the bus, the queries and the feed; the
    view verifies tokens. Never the raw search client or the engine."""

    bus: CommandBus
    queries: OrderQueries
    changes: ChangeFeed
    tokens: TokenVerifier
    customers: CustomerQueries
    customer_changes: ChangeFeed  # the customer view's live updates (customerChanged)
    sales: SalesQueries


@dataclass
class Projectors:
    """One projector per registered projection, sharing the engine and the search client."""

    engine: AsyncEngine
    search: SearchClient
    by_name: dict[str, Projector]

    @property
    def orders(self) -> Projector:
        return self.by_name[registry.ORDERS.name]

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Run them all until `stop` is set; each leads or stands by on its own."""
        await asyncio.gather(*(p.run_forever(stop) for p in self.by_name.values()))


@dataclass
class ApiWorker:
    """One API process: its services, and what its readiness probe checks."""

    settings: Settings
    engine: AsyncEngine
    search: SearchClient
    api: ApiServices
    projectors: dict[str, Projector]
    projector_running: bool = False

    @property
    def projector(self) -> Projector:
        """The order projection's projector (the one the order queries read)."""
        return self.projectors[registry.ORDERS.name]


class NoDatabase(DatabaseUnavailable):
    """There is nothing to read yet: no SQLite file, or a database without the tables."""


@dataclass(frozen=True)
class Stores:
    """The write store and the search engine, connected."""

    engine: AsyncEngine
    search: SearchClient
    prefix: str


@dataclass
class Readers:
    """What `orders status` reads of one projection: the write store, the search engine,
    its lag and its leadership (looked at, never taken)."""

    engine: AsyncEngine
    search: SearchClient
    prefix: str  # the projection's
    projector: Projector  # for `lag()` only: never run
    leadership: Leadership


@asynccontextmanager
async def api_worker(
    settings: Settings, search_url: str, run_projector: bool
) -> AsyncIterator[ApiWorker]:
    """An API process's services; with `run_projector`, its projector runs meanwhile."""
    keys = load_keys(settings)  # first: a key that cannot be used stops the start at once
    log.info("bearer tokens: %s", keys.source)
    async with projector_process(settings, search_url) as projectors:
        engine, search = projectors.engine, projectors.search
        changes = ChangeFeed(
            search, settings.index_prefix, replay_max=settings.subscription_replay_max
        )
        customer_changes = ChangeFeed(
            search,
            CUSTOMERS.prefix(settings.index_prefix),
            replay_max=settings.subscription_replay_max,
            noun="customers",
        )
        api = ApiServices(
            bus=CommandBus(engine, registration_open=settings.registration == "open"),
            queries=OrderQueries(search, settings.index_prefix),
            changes=changes,
            tokens=keys.verifier,
            customers=CustomerQueries(search, CUSTOMERS.prefix(settings.index_prefix)),
            customer_changes=customer_changes,
            sales=SalesQueries(search, SALES.prefix(settings.index_prefix)),
        )
        worker = ApiWorker(settings, engine, search, api, projectors.by_name)
        stop = asyncio.Event()
        task = _run_in_background(projectors, stop) if run_projector else None
        worker.projector_running = task is not None
        try:
            yield worker
        finally:
            await changes.stop()
            await customer_changes.stop()
            stop.set()
            if task is not None:
                with contextlib.suppress(Exception):  # a crash was already logged
                    await task


@asynccontextmanager
async def projector_process(settings: Settings, search_url: str) -> AsyncIterator[Projectors]:
    """A projector per projection that may lead it, its index ensured; not yet running.
    NoDatabase when the database has no tables: it is migrated first (`orders migrate`)."""
    async with stores(settings, search_url, existing=True) as opened:
        by_name: dict[str, Projector] = {}
        try:
            for projection in registry.PROJECTIONS:
                prefix = projection.prefix(opened.prefix)
                await ensure_index(opened.search, prefix, projection.view)
                await report_stale_mapping(opened.search, prefix, projection.view)
                by_name[projection.name] = Projector(
                    opened.engine,
                    opened.search,
                    prefix,
                    batch_size=settings.projector_batch_size,
                    poll_interval=settings.projector_poll_interval,
                    leadership=Leadership.for_engine(opened.engine, prefix),
                    projection=projection,
                )
            yield Projectors(opened.engine, opened.search, by_name)
        finally:
            for projector in by_name.values():  # before the engine is disposed
                assert projector.leadership is not None
                await projector.leadership.close()


@asynccontextmanager
async def stores(
    settings: Settings, search_url: str, existing: bool = False
) -> AsyncIterator[Stores]:
    """The engine and the search client, disposed of in reverse order. `existing`: the
    database must already hold the tables (NoDatabase otherwise), checked first."""
    engine = create_engine(settings.database_url)
    try:
        if existing:
            await require_tables(engine)
        search = await SearchClient.connect(search_url)
        try:
            yield Stores(engine, search, settings.index_prefix)
        finally:
            await search.close()
    finally:
        await engine.dispose()


@asynccontextmanager
async def indexing(settings: Settings, search_url: str) -> AsyncIterator[Stores]:
    """`stores` for commands that write the index from existing tables: NoDatabase when
    there are none yet (nothing is created)."""
    require_database(settings)
    async with stores(settings, search_url, existing=True) as opened:
        yield opened


@asynccontextmanager
async def read_only_services(
    settings: Settings, search_url: str
) -> AsyncIterator[dict[str, Readers]]:
    """Connect to the database and the search engine creating nothing (no database file,
    no tables, no index, no token key): what to read of each projection, by name."""
    async with indexing(settings, search_url) as opened:
        readers: dict[str, Readers] = {}
        try:
            for projection in registry.PROJECTIONS:
                prefix = projection.prefix(opened.prefix)
                readers[projection.name] = Readers(
                    opened.engine,
                    opened.search,
                    prefix,
                    Projector(opened.engine, opened.search, prefix, projection=projection),
                    Leadership.for_engine(opened.engine, prefix),
                )
            yield readers
        finally:
            for read in readers.values():
                await read.leadership.close()


async def report_stale_mapping(search: SearchClient, prefix: str, view: View) -> None:
    """Say loudly at start-up when the index was built with another mapping than the code's."""
    state = await mapping_state(search, prefix, view)
    if state.rebuild_needed:
        log.warning("the %s index mapping is out of date: %s", view.name, state.describe())


def require_database(settings: Settings) -> None:
    """Raise NoDatabase when the SQLite file does not exist (connecting would create it)."""
    url = make_url(settings.database_url)
    path = url.database or ""
    if url.get_backend_name() != "sqlite" or path in ("", ":memory:") or path.startswith("file:"):
        return
    if not Path(path).exists():
        raise NoDatabase("no database yet (`orders migrate` or `orders serve` creates it)")


async def require_tables(engine: AsyncEngine) -> None:
    """Raise NoDatabase when the database has no event log (it was never migrated)."""
    try:
        async with engine.connect() as conn:
            await conn.execute(select(events.c.seq).limit(1))
    except exc.ProgrammingError as error:  # PostgreSQL: no such table
        raise NoDatabase("the database has no tables (run `orders migrate`)") from error
    # SQLite's "no such table" arrives as DatabaseUnavailable (database.engine), also clear.


def _run_in_background(projectors: Projectors, stop: asyncio.Event) -> asyncio.Task[None]:
    task = asyncio.create_task(projectors.run_forever(stop), name="projectors")

    def report(done: asyncio.Task[None]) -> None:
        if not done.cancelled() and done.exception() is not None:
            log.error("projector stopped", exc_info=done.exception())

    task.add_done_callback(report)
    return task
