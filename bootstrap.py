"""The composition root: builds the long-lived services once per process."""

from __future__ import annotations

import logging
from contextlib import AsyncExitStack
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine

from commands.bus import CommandBus
from commands.database import create_engine
from identity.keys import load_keys
from identity.tokens import TokenVerifier
from read_model.indices import ensure_index
from projections.leadership import Leadership
from projections.projector import Projector
from projections.rebuild import mapping_state
from queries.handlers import OrderQueries
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
