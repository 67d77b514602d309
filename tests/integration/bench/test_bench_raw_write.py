"""The write path's limit writes what `placeOrder` writes: same rows, same event, same token.

`orders bench` divides placeOrder's throughput by `benchmarks.raw_write`'s; the ratio is only
fair if both do the same work, so this compares them on a real PostgreSQL database.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks import raw_write
from benchmarks.dataset import dsn
from commands.bus import CommandBus
from commands.messages import AddProduct, Address, OrderLineRequest, PlaceOrder, RegisterCustomer
from database.engine import create_engine
from positions import decode_token
from projections import source
from tests.support.actors import STAFF

pytestmark = [pytest.mark.anyio, pytest.mark.postgres]

ADDRESS: dict[str, Any] = {  # as JSON: what raw_write.place_order takes
    "name": "Marta Kowalski",
    "line1": "ul. Długa 5",
    "line2": None,
    "city": "Gdańsk",
    "postalCode": "80-831",
    "country": "PL",
}
VARYING = {"id", "order_id", "stream_id", "placed_at", "updated_at", "occurred_at", "seq", "txid"}


@pytest.fixture
async def engine(postgres_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(postgres_url)
    yield engine
    await engine.dispose()


async def _rows(conn: asyncpg.Connection, query: str, order_id: str) -> list[dict[str, Any]]:
    """The rows without what differs between two orders (ids, times, positions)."""
    rows = []
    for row in await conn.fetch(query, order_id):
        kept = {k: v for k, v in row.items() if k not in VARYING}
        if "data" in kept:  # JSON text: compare the payload, not its spelling
            kept["data"] = {k: v for k, v in json.loads(kept["data"]).items() if k != "orderId"}
        rows.append(kept)
    return rows


async def test_raw_write_stores_the_rows_event_and_result_of_place_order(
    engine: AsyncEngine, postgres_url: str
) -> None:
    bus = CommandBus(engine)
    customer = await bus.dispatch(
        RegisterCustomer(name="Marta Kowalski", email="m@example.com"), STAFF
    )
    kettle = await bus.dispatch(
        AddProduct(
            sku="KTL-1", name="Kettle", category="kitchen", price=Decimal("39.90"), currency="EUR"
        ),
        STAFF,
    )
    mug = await bus.dispatch(
        AddProduct(sku="MUG-1", name="Mug", category=None, price=Decimal("4.50"), currency="EUR"),
        STAFF,
    )
    lines: list[dict[str, Any]] = [
        {"productId": kettle.id, "quantity": 2},
        {"productId": mug.id, "quantity": 3},
    ]
    placed = await bus.dispatch(
        PlaceOrder(
            customer_id=customer.id,
            lines=tuple(OrderLineRequest(line["productId"], line["quantity"]) for line in lines),
            shipping_address=Address(
                name=ADDRESS["name"],
                line1=ADDRESS["line1"],
                city=ADDRESS["city"],
                postal_code=ADDRESS["postalCode"],
                country=ADDRESS["country"],
            ),
            idempotency_key="via-bus",
        ),
        STAFF,
    )
    pool = await asyncpg.create_pool(dsn(postgres_url), min_size=1, max_size=2)
    try:
        order = {"customerId": customer.id, "lines": lines, "shippingAddress": ADDRESS}
        token = await raw_write.place_order(pool, order, "via-raw", actor=STAFF.sub)
        again = await raw_write.place_order(pool, order, "via-raw", actor=STAFF.sub)
        assert again == token  # idempotent
        async with pool.acquire() as conn:
            raw_id = await conn.fetchval("SELECT id FROM orders WHERE id <> $1", placed.id)
            assert await conn.fetchval("SELECT count(*) FROM orders") == 2
            for query in (
                "SELECT * FROM orders WHERE id = $1",
                "SELECT * FROM order_lines WHERE order_id = $1 ORDER BY line_no",
                "SELECT * FROM events WHERE stream_id = $1",
            ):
                assert await _rows(conn, query, raw_id) == await _rows(conn, query, placed.id)
            event = await conn.fetchrow("SELECT txid, seq FROM events WHERE stream_id = $1", raw_id)
            results = await conn.fetch("SELECT key, command, result FROM idempotency_keys")
    finally:
        await pool.close()
    assert tuple(decode_token(token)) == (event["txid"], event["seq"])
    assert event["txid"] > 0
    stored = {row["key"]: (row["command"], row["result"]) for row in results}
    assert stored["test-staff:via-raw"][0] == stored["test-staff:via-bus"][0] == "PlaceOrder"
    async with engine.connect() as conn:
        documents = await source.load_documents(conn, [placed.id, raw_id])
    bus_doc, raw_doc = dict(documents[placed.id]), dict(documents[raw_id])
    for doc in (bus_doc, raw_doc):
        for key in ("id", "placedAt", "updatedAt"):
            doc.pop(key, None)
    assert raw_doc == bus_doc
