"""Sixty hand-built orders as write-model rows, turned into index documents by the
real document builder. Deterministic, so tests can compute expectations in Python."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, TypedDict

from projections.document import build_order_document

NAMESPACE = uuid.UUID("6f1c1a4e-2f53-4a59-9a4b-0d6c1c1f0a11")
BASE_TIME = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
STATUSES = ("PLACED", "PAID", "SHIPPED", "DELIVERED", "CANCELLED")


class CustomerRow(TypedDict):
    """A `customers` row as the document builder reads it."""

    id: str
    name: str
    email: str


class ProductRow(TypedDict):
    """A `products` row as the document builder reads it."""

    id: str
    sku: str
    name: str
    category: str | None
    price: Decimal


class LineRow(TypedDict):
    """An `order_lines` row as the document builder reads it."""

    line_no: int
    product_id: str
    quantity: int
    unit_price: Decimal
    line_total: Decimal


def _id(kind: str, n: int) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}-{n}"))


CUSTOMERS = [
    CustomerRow(id=_id("customer", n), name=name, email=email)
    for n, (name, email) in enumerate(
        [
            ("Margarethe Schulz", "margarethe.schulz@example.com"),
            ("Zoë Müller", "zoe.mueller@example.de"),
            ("Alice Smith", "alice.smith@example.com"),
            ("Bob O'Brien", "bob.obrien@example.co.uk"),
            ("Élodie Durand", "elodie.durand@example.fr"),
            ("Chen Wei", "chen.wei@example.com"),
        ]
    )
]
PRODUCTS = [
    ProductRow(id=_id("product", n), sku=sku, name=name, category=category, price=Decimal(price))
    for n, (sku, name, category, price) in enumerate(
        [
            ("SKU-RED-001", "Red Wool Scarf", "apparel", "19.99"),
            ("SKU-RED-002", "Red Cotton Hat", "apparel", "12.50"),
            ("BK-ORW-1984", "Nineteen Eighty-Four", "books", "9.95"),
            ("BK-TOLK-LOTR", "The Lord of the Rings", "books", "34.00"),
            ("GDN-HOSE-25", "Garden Hose 25m", "garden", "45.00"),
            ("KIT-PAN-28", "Cast Iron Pan", None, "89.90"),
            ("SKU-BLU-010", "Blue Denim Jacket", "apparel", "129.00"),
        ]
    )
]
ADDRESSES = [
    ("Berlin", "10115", "DE"),
    ("München", "80331", "DE"),
    ("Paris", "75001", "FR"),
    ("London", "SW1A 1AA", "GB"),
    ("New York", "10001", "US"),
    ("Lyon", "69001", "FR"),
]


def make_order_rows(
    i: int,
) -> tuple[dict[str, Any], list[LineRow], CustomerRow, dict[str, ProductRow]]:
    """(order row, line rows, customer row, products by id) for order number `i`."""
    customer = CUSTOMERS[i % len(CUSTOMERS)]
    picked = [PRODUCTS[(i + 3 * k) % len(PRODUCTS)] for k in range(1 + i % 3)]
    lines = [
        LineRow(
            line_no=k + 1,
            product_id=p["id"],
            quantity=1 + (i + k) % 4,
            unit_price=p["price"],
            line_total=p["price"] * (1 + (i + k) % 4),
        )
        for k, p in enumerate(picked)
    ]
    total = sum((line["line_total"] for line in lines), Decimal("0"))
    city, postal_code, country = ADDRESSES[(i // 2) % len(ADDRESSES)]
    placed = BASE_TIME + timedelta(days=3 * (i // 2))  # pairs share placedAt: tiebreaker
    status = STATUSES[i % len(STATUSES)]
    order = {
        "id": _id("order", i),
        "status": status,
        "version": 1 + STATUSES.index(status),
        "placed_at": placed,
        "updated_at": placed + timedelta(hours=1 + (i * 7) % 50),
        "item_count": sum(line["quantity"] for line in lines),
        "total": total,
        "currency": "EUR",
        "ship_name": customer["name"],
        "ship_line1": f"{i} Main Street",
        "ship_line2": None,
        "ship_city": city,
        "ship_postal_code": postal_code,
        "ship_country": country,
        **_lifecycle(i, status, placed, total),
    }
    return order, lines, customer, {p["id"]: p for p in picked}


def _lifecycle(i: int, status: str, placed: datetime, total: Decimal) -> dict[str, Any]:
    paid = status in ("PAID", "SHIPPED", "DELIVERED")
    shipped = status in ("SHIPPED", "DELIVERED")
    return {
        "payment_amount": total if paid else None,
        "paid_at": placed + timedelta(minutes=5) if paid else None,
        "carrier": "DHL" if shipped else None,
        "tracking_number": f"1ZTRK{i:06d}" if shipped else None,
        "shipped_at": placed + timedelta(days=1) if shipped else None,
        "delivered_at": placed + timedelta(days=3) if status == "DELIVERED" else None,
        "cancel_reason": "customer request" if status == "CANCELLED" else None,
        "cancelled_at": placed + timedelta(hours=2) if status == "CANCELLED" else None,
    }


ORDER_DOCUMENTS = [build_order_document(*make_order_rows(i)) for i in range(60)]
