"""Orders built for relevance: accents, email parts, near-identical identifiers, phrase
decoys and typo targets. Documents come from the real document builder."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from projections.document import build_order_document
from read_model.document import OrderDocument

NAMESPACE = uuid.UUID("0b7f4a56-1c0e-4f44-8c55-3f2d0d0e9a01")
BASE_TIME = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)


def _id(kind: str, key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}-{key}"))


def customer(name: str, email: str) -> dict[str, Any]:
    return {"id": _id("customer", email), "name": name, "email": email}


def product(sku: str, name: str, category: str | None, price: str) -> dict[str, Any]:
    return {"id": _id("product", sku), "sku": sku, "name": name, "category": category,
            "price": Decimal(price)}  # fmt: skip


JOSE = customer("José Müller", "jmuller@posteo.de")
JOSEF = customer("Josef Mueller", "josef.mueller@example.com")
ANNA = customer("Anna Schmidt", "anna.schmidt@example.com")
ANNA_B = customer("Anna Becker", "anna.becker@example.com")
MARGARETHE = customer("Margarethe Schulz", "margarethe.schulz@example.org")
WEBER = customer("Lukas Weber", "l.weber@example.org")
SINEAD = customer("Sinéad O'Brien", "sinead@example.ie")
GARDENER = customer("Rose Hose", "rose.hose@example.org")

HOSE = product("GDN-HOSE-25", "Garden Hose 25m", "garden", "45.00")
REEL = product("GDN-REEL-1", "Hose Reel for the Garden", "garden", "30.00")
ROSE = product("ROSE-1", "Rose Vase", "home", "12.00")
ROSE_10 = product("ROSE-10", "Rose Bowl", "home", "18.00")
KETTLE = product("KTL-100", "Steel Kettle", "kitchen", "39.90")
PAN = product("KIT-PAN-28", "Cast Iron Pan", None, "89.90")
BOOK = product("BK-ORW-1984", "Nineteen Eighty-Four", "books", "9.95")

PLACES = {
    "berlin": ("Berlin", "10115", "DE"),
    "munich": ("München", "80331", "DE"),
    "gdansk": ("Gdańsk", "80-831", "PL"),
    "london": ("London", "SW1A 1AA", "GB"),
    "dublin": ("Dublin", "D02 X285", "IE"),
}


@dataclass(frozen=True)
class Spec:
    key: str
    customer: dict[str, Any]
    products: tuple[dict[str, Any], ...]
    place: str
    tracking: str | None = None


SPECS = [
    Spec("jose-1", JOSE, (KETTLE,), "berlin"),
    Spec("jose-2", JOSE, (BOOK, PAN), "munich", "JD014600003828"),
    Spec("josef-1", JOSEF, (KETTLE,), "munich"),
    Spec("anna-1", ANNA, (HOSE,), "berlin"),
    Spec("anna-2", ANNA, (ROSE,), "berlin", "1ZTRK000000012"),
    Spec("anna-3", ANNA, (KETTLE,), "gdansk"),
    Spec("annab-1", ANNA_B, (BOOK,), "berlin"),
    Spec("annab-2", ANNA_B, (ROSE_10,), "london"),
    Spec("marg-1", MARGARETHE, (PAN,), "london", "1ZTRK000000013"),
    Spec("marg-2", MARGARETHE, (BOOK, ROSE_10), "gdansk"),
    Spec("weber-1", WEBER, (REEL,), "munich"),
    Spec("weber-2", WEBER, (HOSE, REEL), "dublin"),
    Spec("sinead-1", SINEAD, (REEL, KETTLE), "dublin"),
    Spec("rose-1", GARDENER, (REEL,), "gdansk"),
    Spec("rose-2", GARDENER, (ROSE_10, PAN), "london"),
]
STATUSES = ("PLACED", "PAID", "SHIPPED", "DELIVERED", "CANCELLED")


def _document(n: int, spec: Spec) -> OrderDocument:
    city, postal_code, country = PLACES[spec.place]
    lines = [
        {"line_no": k + 1, "product_id": p["id"], "quantity": 1, "unit_price": p["price"],
         "line_total": p["price"]}
        for k, p in enumerate(spec.products)
    ]  # fmt: skip
    total = sum((line["line_total"] for line in lines), Decimal(0))
    placed = BASE_TIME + timedelta(days=11 * n)
    shipped = spec.tracking is not None
    status = "SHIPPED" if shipped else STATUSES[n % 2]
    order = {
        "id": _id("order", spec.key),
        "status": status,
        "version": 3 if shipped else 1 + n % 2,
        "placed_at": placed,
        "updated_at": placed + timedelta(hours=n),
        "item_count": len(lines),
        "total": total,
        "currency": "EUR",
        "ship_name": spec.customer["name"],
        "ship_line1": f"{n} High Street",
        "ship_line2": None,
        "ship_city": city,
        "ship_postal_code": postal_code,
        "ship_country": country,
        "payment_amount": total if status != "PLACED" else None,
        "paid_at": placed + timedelta(minutes=5) if status != "PLACED" else None,
        "carrier": "DHL" if shipped else None,
        "tracking_number": spec.tracking,
        "shipped_at": placed + timedelta(days=1) if shipped else None,
        "delivered_at": None,
        "cancel_reason": None,
        "cancelled_at": None,
    }
    products = {p["id"]: p for p in spec.products}
    return build_order_document(order, lines, spec.customer, products)


DOCUMENTS = [_document(n, spec) for n, spec in enumerate(SPECS)]
BY_KEY = {spec.key: doc for spec, doc in zip(SPECS, DOCUMENTS, strict=True)}


def keys_of(customer_: dict[str, Any]) -> set[str]:
    """The spec keys of a customer's orders."""
    return {spec.key for spec in SPECS if spec.customer is customer_}


def key_of(order_id: str) -> str:
    return next(key for key, doc in BY_KEY.items() if doc["id"] == order_id)
