"""PostgreSQL specifics: transaction ids on events and the commit-time NOTIFY."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from commands.bus import CommandBus
from commands.messages import CommandRejected, RegisterCustomer
from database.engine import create_engine
from database.tables import EVENTS_CHANNEL, events
from positions import decode_token
from tests.support.actors import STAFF

pytestmark = [pytest.mark.anyio, pytest.mark.postgres]


@pytest.fixture
async def pg_engine(postgres_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(postgres_url)
    yield engine
    await engine.dispose()


async def test_each_command_stamps_its_events_with_its_own_transaction_id(
    pg_engine: AsyncEngine,
) -> None:
    bus = CommandBus(pg_engine)
    first = await bus.dispatch(RegisterCustomer(name="A", email="a@example.com"), STAFF)
    second = await bus.dispatch(RegisterCustomer(name="B", email="b@example.com"), STAFF)
    async with pg_engine.connect() as connection:
        rows = (
            await connection.execute(select(events.c.txid, events.c.seq).order_by(events.c.seq))
        ).all()
    assert [tuple(row) for row in rows] == [
        tuple(decode_token(r.position)) for r in (first, second)
    ]
    assert 0 < rows[0].txid < rows[1].txid


async def test_a_committed_command_notifies_the_projector_channel(
    pg_engine: AsyncEngine, postgres_url: str
) -> None:
    dsn = make_url(postgres_url).set(drivername="postgresql").render_as_string(hide_password=False)
    listener = await asyncpg.connect(dsn)
    received: asyncio.Queue[str] = asyncio.Queue()
    await listener.add_listener(EVENTS_CHANNEL, lambda *args: received.put_nowait(args[3]))
    try:
        bus = CommandBus(pg_engine)
        await bus.dispatch(RegisterCustomer(name="A", email="a@example.com"), STAFF)
        assert await asyncio.wait_for(received.get(), timeout=5) == ""
        with pytest.raises(CommandRejected):
            await bus.dispatch(RegisterCustomer(name="", email="a@example.com"), STAFF)
        await asyncio.sleep(0.3)
        assert received.empty()  # a rejected command appends nothing and wakes nobody
    finally:
        await listener.close()
