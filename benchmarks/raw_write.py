"""The write path's limit: what one `placeOrder` writes, sent straight through asyncpg.

The same statements the command handler runs (read with SQLAlchemy's echo), as raw SQL
with none of the Python layers: look the idempotency key up; then in one transaction check
the customer, read the products, insert the order row, its lines (one executemany) and the
OrderPlaced event with its audit metadata (txid = pg_current_xact_id(), RETURNING seq,
txid; the events table's trigger notifies the projector, as for the service), store the
idempotent result under the principal's key ("<sub>:<key>"), commit. Same rows, same
event, same token; the projector turns these orders into documents like any other.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import asyncpg

from commands.events import ORDER_PLACED
from positions import Position, encode_token

CENT = Decimal("0.01")

KEY_LOOKUP = "SELECT command, result FROM idempotency_keys WHERE key = $1"
CUSTOMER_EXISTS = "SELECT EXISTS (SELECT * FROM customers WHERE id = $1)"
PRODUCTS = (
    "SELECT id, sku, name, category, price, currency, version, created_at, updated_at "
    "FROM products WHERE id = ANY($1::varchar[])"
)
ORDER_COLUMNS = (
    "id", "customer_id", "status", "currency", "total", "item_count", "ship_name", "ship_line1",
    "ship_line2", "ship_city", "ship_postal_code", "ship_country", "payment_amount", "paid_at",
    "carrier", "tracking_number", "shipped_at", "delivered_at", "cancel_reason", "cancelled_at",
    "version", "placed_at", "updated_at",
)  # fmt: skip
INSERT_ORDER = (
    f"INSERT INTO orders ({', '.join(ORDER_COLUMNS)}) "
    f"VALUES ({', '.join(f'${n}' for n in range(1, len(ORDER_COLUMNS) + 1))})"
)
INSERT_LINES = (
    "INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price, line_total) "
    "VALUES ($1, $2, $3, $4, $5, $6)"
)
INSERT_EVENT = (
    "INSERT INTO events "
    "(txid, stream_type, stream_id, stream_version, type, data, occurred_at, metadata) "
    "VALUES (pg_current_xact_id()::text::bigint, $1, $2, $3, $4, $5, $6, $7) "
    "RETURNING seq, txid"
)
ACTOR = "orders-bench"  # the staff subject of the benchmark's token (benchmarks/stack.py)
STORE_KEY = (
    "INSERT INTO idempotency_keys (key, command, result, created_at) VALUES ($1, $2, $3, $4)"
)


class Rejected(Exception):
    """The input would have been a userError (unknown customer or product)."""


def money(value: Decimal) -> str:
    return str(value.quantize(CENT))


async def place_order(
    pool: asyncpg.Pool,
    order: dict[str, Any],
    key: str,
    actor: str = ACTOR,
    request_id: str | None = None,
) -> str:
    """Write one order as placeOrder would for staff `actor`; returns its position token."""
    key = f"{actor}:{key}"
    metadata: dict[str, Any] = {"actor": {"sub": actor, "role": "staff"}}
    if request_id is not None:
        metadata["requestId"] = request_id
    async with pool.acquire() as conn:
        stored = await conn.fetchrow(KEY_LOOKUP, key)
        if stored is not None:
            return str(json.loads(stored["result"])["position"])
        async with conn.transaction():
            return await _write(conn, order, key, json.dumps(metadata))


async def _write(conn: asyncpg.Connection, order: dict[str, Any], key: str, metadata: str) -> str:
    now = datetime.now(UTC)
    order_id = str(uuid.uuid4())
    customer_id = order["customerId"]
    if not await conn.fetchval(CUSTOMER_EXISTS, customer_id):
        raise Rejected(f"customer {customer_id} does not exist")
    wanted = [line["productId"] for line in order["lines"]]
    products = {row["id"]: row for row in await conn.fetch(PRODUCTS, wanted)}
    lines = []
    for number, line in enumerate(order["lines"], start=1):
        product = products.get(line["productId"])
        if product is None:
            raise Rejected(f"product {line['productId']} does not exist")
        price: Decimal = product["price"]
        lines.append(
            (order_id, number, product["id"], line["quantity"], price, price * line["quantity"])
        )
    total = sum((line[5] for line in lines), Decimal("0.00"))
    currency = str(products[wanted[0]]["currency"])
    address = order["shippingAddress"]
    row = (
        order_id, customer_id, "PLACED", currency, total, sum(line[3] for line in lines),
        address["name"], address["line1"], address.get("line2"), address["city"],
        address["postalCode"], address["country"], None, None, None, None, None, None, None,
        None, 1, now, now,
    )  # fmt: skip
    await conn.execute(INSERT_ORDER, *row)
    await conn.executemany(INSERT_LINES, lines)
    payload = {
        "orderId": order_id,
        "customerId": customer_id,
        "lines": [
            {"productId": line[2], "quantity": line[3], "unitPrice": money(line[4])}
            for line in lines
        ],
        "shippingAddress": {
            "name": address["name"],
            "line1": address["line1"],
            "line2": address.get("line2"),
            "city": address["city"],
            "postalCode": address["postalCode"],
            "country": address["country"],
        },
        "total": money(total),
        "currency": currency,
    }
    event = await conn.fetchrow(
        INSERT_EVENT, "order", order_id, 1, ORDER_PLACED, json.dumps(payload), now, metadata
    )
    token = encode_token(Position(int(event["txid"]), int(event["seq"])))
    result = {"id": order_id, "version": 1, "position": token}
    await conn.execute(STORE_KEY, key, "PlaceOrder", json.dumps(result), now)
    return token
