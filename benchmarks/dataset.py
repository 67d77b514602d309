"""Inputs for the load, drawn from the seeded write tables (deterministically per seed).

- placeOrder inputs: a real customer with one of their own shipping addresses (valid by
  construction) and one to three distinct products;
- order ids to read back;
- faceted searches: a surname, a city or a product word, with a status filter.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

import asyncpg

from queries.search_request import OrderFilter, OrderSearch

STATUS_FILTERS = (
    ["PLACED", "PAID"],
    ["SHIPPED", "DELIVERED"],
    ["DELIVERED"],
    ["PAID", "SHIPPED", "DELIVERED"],
    ["CANCELLED", "PLACED"],
)
PAGE = 20


@dataclass(frozen=True)
class Search:
    text: str
    status: tuple[str, ...]

    def variables(self) -> dict[str, Any]:
        return {"search": self.text, "filter": {"status": list(self.status)}, "first": PAGE}

    def order_search(self) -> OrderSearch:
        """What the service's resolver builds from `variables()` (schema/queries.py)."""
        return OrderSearch(text=self.text, filter=OrderFilter(status=list(self.status)), first=PAGE)


@dataclass(frozen=True)
class Dataset:
    place_inputs: tuple[dict[str, Any], ...]
    order_ids: tuple[str, ...]
    searches: tuple[Search, ...]


def dsn(database_url: str) -> str:
    """asyncpg's DSN for a `postgresql+asyncpg://` URL."""
    return database_url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def load_dataset(database_url: str, seed: int = 7, size: int = 2000) -> Dataset:
    rng = random.Random(seed)
    conn = await asyncpg.connect(dsn(database_url))
    try:
        await conn.execute(f"SELECT setseed({(seed % 1000) / 1000})")
        addresses = await conn.fetch(
            "SELECT customer_id, ship_name, ship_line1, ship_line2, ship_city, ship_postal_code,"
            " ship_country FROM orders ORDER BY random() LIMIT $1",
            size,
        )
        products = await conn.fetch("SELECT id, name, currency FROM products ORDER BY id")
        ids = await conn.fetch("SELECT id FROM orders ORDER BY random() LIMIT $1", size * 2)
        names = await conn.fetch(
            "SELECT c.name FROM customers c ORDER BY random() LIMIT $1", size // 10 + 10
        )
    finally:
        await conn.close()
    if not addresses or not products:
        raise RuntimeError("the database holds no orders or products to draw the load from")
    by_currency: dict[str, list[str]] = {}
    for product in products:
        by_currency.setdefault(product["currency"], []).append(product["id"])
    catalogue = max(by_currency.values(), key=len)
    inputs = tuple(_place_input(row, catalogue, rng) for row in addresses)
    words = _search_words(rng, [r["name"] for r in names], addresses, products)
    searches = tuple(
        Search(rng.choice(words), tuple(rng.choice(STATUS_FILTERS))) for _ in range(200)
    )
    return Dataset(inputs, tuple(r["id"] for r in ids), searches)


def _place_input(row: asyncpg.Record, catalogue: list[str], rng: random.Random) -> dict[str, Any]:
    chosen = rng.sample(catalogue, k=min(len(catalogue), rng.choice((1, 1, 2, 3))))
    return {
        "input": {
            "customerId": row["customer_id"],
            "lines": [{"productId": p, "quantity": rng.randint(1, 3)} for p in chosen],
            "shippingAddress": {
                "name": row["ship_name"],
                "line1": row["ship_line1"],
                "line2": row["ship_line2"],
                "city": row["ship_city"],
                "postalCode": row["ship_postal_code"],
                "country": row["ship_country"],
            },
        }
    }


def _search_words(
    rng: random.Random,
    names: list[str],
    addresses: list[asyncpg.Record],
    products: list[asyncpg.Record],
) -> list[str]:
    """Surnames, cities and product words as people type them (whole words, 4+ letters)."""
    surnames = [name.split()[-1] for name in names]
    cities = [row["ship_city"] for row in addresses[:200]]
    product_words = [w for p in products for w in re.findall(r"\w{4,}", p["name"])]
    words = [w for w in surnames + cities + product_words if len(w) >= 4 and " " not in w]
    rng.shuffle(words)
    return words[:300] or ["order"]
