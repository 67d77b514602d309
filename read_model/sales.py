"""The sales view (alias `<prefix>-sales`): pre-aggregated sales, the shape the projector
writes (projections/sales_buckets.py builds it) and the sales report reads.

Two kinds of document share the index, both keyed by the UTC day an order was placed:

- a **product bucket** (`kind: product`, id `2026-12-01|<productId>`): one product's sales
  that day, with its SKU and its *current* category;
- a **day** (`kind: day`, id `2026-12-01`): every order of that day, so order counts over
  several products stay distinct (an order with three products is one order, not three).

Each holds `sales`, a nested breakdown per (country shipped to, currency): units, orders
and revenue (a decimal string to show, integer cents to sum exactly). Every entry repeats
its document's day, SKU and category, so one composite aggregation inside `sales` groups
by any of them. Cancelled orders count nowhere; a bucket left without sales keeps its
document with an empty breakdown.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

from read_model.stamps import STAMP
from read_model.views import View

NAME = "sales"
MAPPING_VERSION = 1

PRODUCT: Literal["product"] = "product"
DAY: Literal["day"] = "day"
Kind = Literal["product", "day"]
SEPARATOR = "|"  # "2026-12-01" < "2026-12-01|<productId>": a day sorts before its buckets


class SalesEntry(TypedDict):
    day: str  # "2026-12-01", UTC
    sku: str | None  # None in a day document
    category: str | None
    country: str
    currency: str
    units: int
    orders: int
    revenue: str  # "12.50"
    revenueCents: int


class SalesDocument(TypedDict):
    id: str
    kind: Kind
    day: str
    productId: str | None
    sku: str | None
    category: str | None
    sales: list[SalesEntry]


def bucket_id(day: str, product_id: str) -> str:
    return f"{day}{SEPARATOR}{product_id}"


def parse_id(doc_id: str) -> tuple[str, str | None]:
    """(day, product id) of a bucket id, (day, None) of a day document's."""
    day, _, product_id = doc_id.partition(SEPARATOR)
    return day, product_id or None


_KEYWORD = {"type": "keyword"}
_DAY = {"type": "date", "format": "strict_date"}
_STORED = {"type": "keyword", "index": False, "doc_values": False}


def index_body() -> dict[str, Any]:
    """Settings + strict mappings of a sales index (MAPPING_VERSION)."""
    entry = {
        "day": _DAY,
        "sku": _KEYWORD,
        "category": _KEYWORD,
        "country": _KEYWORD,
        "currency": _KEYWORD,
        "units": {"type": "long"},
        "orders": {"type": "long"},
        "revenue": _STORED,
        "revenueCents": {"type": "long"},
    }
    return {
        "settings": {"number_of_shards": 1, "auto_expand_replicas": "0-1"},
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "id": _KEYWORD,
                "kind": _KEYWORD,
                "day": _DAY,
                "productId": _KEYWORD,
                "sku": _KEYWORD,
                "category": _KEYWORD,
                "sales": {"type": "nested", "properties": entry},
                STAMP: {"properties": {"txid": {"type": "long"}, "seq": {"type": "long"}}},
            },
        },
    }


SALES = View(NAME, MAPPING_VERSION, index_body)
