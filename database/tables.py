"""The write model: normalised tables, the event log (outbox) and idempotency keys."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
)

from commands.model import streams

metadata = MetaData()

MONEY = Numeric(14, 2, asdecimal=True)

customers = Table(
    "customers",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("email", String(320), nullable=False, unique=True),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

products = Table(
    "products",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("sku", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("category", String(100), nullable=True),
    Column("price", MONEY, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

orders = Table(
    "orders",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("customer_id", String(36), ForeignKey("customers.id"), nullable=False, index=True),
    Column("status", String(16), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("total", MONEY, nullable=False),
    Column("item_count", Integer, nullable=False),
    Column("ship_name", String(200), nullable=False),
    Column("ship_line1", String(200), nullable=False),
    Column("ship_line2", String(200), nullable=True),
    Column("ship_city", String(100), nullable=False),
    Column("ship_postal_code", String(20), nullable=False),
    Column("ship_country", String(2), nullable=False),
    Column("payment_amount", MONEY, nullable=True),
    Column("paid_at", DateTime(timezone=True), nullable=True),
    Column("carrier", String(100), nullable=True),
    Column("tracking_number", String(100), nullable=True),
    Column("shipped_at", DateTime(timezone=True), nullable=True),
    Column("delivered_at", DateTime(timezone=True), nullable=True),
    Column("cancel_reason", String(500), nullable=True),
    Column("cancelled_at", DateTime(timezone=True), nullable=True),
    Column("version", Integer, nullable=False),
    # Indexed for the sales view, which re-reads the orders of the days a batch touches.
    Column("placed_at", DateTime(timezone=True), nullable=False, index=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

order_lines = Table(
    "order_lines",
    metadata,
    Column("order_id", String(36), ForeignKey("orders.id"), primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("product_id", String(36), ForeignKey("products.id"), nullable=False, index=True),
    Column("quantity", Integer, nullable=False),
    # Fixed at placement (docs/ARCHITECTURE.md, invariant 5): later price changes never touch
    # placed orders.
    Column("unit_price", MONEY, nullable=False),
    Column("line_total", MONEY, nullable=False),
)

# The transactional outbox. `seq` is handed out at insert time; `txid` is the
# writing transaction's id on PostgreSQL (0 on SQLite) so readers can wait for
# transactions that took a lower `seq` but have not committed yet.
events = Table(
    "events",
    metadata,
    Column(
        "seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("txid", BigInteger, nullable=False),
    Column("stream_type", String(16), nullable=False),
    Column("stream_id", String(36), nullable=False),
    Column("stream_version", Integer, nullable=False),
    Column("type", String(64), nullable=False),
    Column("data", JSON, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    # Audit: {"actor": {"sub", "role"}, "requestId"}; null for events written before 0004.
    Column("metadata", JSON, nullable=True),
    Index("ix_events_stream", "stream_type", "stream_id", "stream_version", unique=True),
    Index("ix_events_txid_seq", "txid", "seq"),
)
# A statement trigger on `events` (migration 0003) NOTIFYs this channel at commit, whoever
# appended them; the projector LISTENs on it (PostgreSQL only).
EVENTS_CHANNEL = "orders_events"

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    # "<sub>:<key>": a client's key is scoped to the principal that sent it (migration 0004).
    Column("key", String(401), primary_key=True),
    Column("command", String(64), nullable=False),
    Column("result", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Projection bookkeeping, written by the projector side only (never by command handlers).
# One row per projection: the SQLite leader's lease (PostgreSQL leads with an advisory
# lock instead) and, on both, a claim with which a rebuild or a dead-letter retry asks the
# leader to step aside for a moment.
projection_leases = Table(
    "projection_leases",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("holder", String(200), nullable=True),
    Column("expires_at", DateTime(timezone=True), nullable=True),
    Column("claimant", String(200), nullable=True),
    Column("claim_expires_at", DateTime(timezone=True), nullable=True),
)

# Documents the search engine rejected for good (e.g. a mapping conflict): one row per
# (physical index, document); the projector skips them and goes on with the others.
# `order_id` is the document's id in its view (an order, a customer, a sales bucket).
dead_letters = Table(
    "dead_letters",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("projection", String(100), nullable=False),
    Column("index_name", String(255), nullable=False),
    Column("order_id", String(100), nullable=False),
    Column("txid", BigInteger, nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_dead_letters_index_order", "index_name", "order_id", unique=True),
)

# The aggregates own their stream names; here for the readers of the `events` table.
STREAM_CUSTOMER = streams.CUSTOMER
STREAM_PRODUCT = streams.PRODUCT
STREAM_ORDER = streams.ORDER

__all__ = [
    "STREAM_CUSTOMER",
    "STREAM_ORDER",
    "STREAM_PRODUCT",
    "customers",
    "dead_letters",
    "events",
    "idempotency_keys",
    "metadata",
    "order_lines",
    "orders",
    "products",
    "projection_leases",
]
