"""Sales documents (read_model/sales.py) from order lines: pure, so the projector, the
rebuild and the tests' oracle all compute the same numbers the same way.

Why whole buckets from current rows rather than per-event increments: a bucket is always
recomputed entirely from the lines of the orders that are not cancelled, so a replayed,
duplicated or re-ordered batch ends in the same numbers (no contribution is ever counted
twice or left behind), an address change moves an order between countries, and a category
change relabels every day of its product, all without remembering what was added before.
The price: each batch re-reads the lines of the days it touches (projections/sales.py,
one query per run of consecutive days), so the cost of a batch grows with the size of
those days rather than with the batch; `orders.placed_at` is indexed (migration 0006), so
each such read is a range scan.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from database.engine import utc
from read_model.sales import DAY, PRODUCT, SalesDocument, SalesEntry, bucket_id, parse_id


@dataclass(frozen=True)
class SaleLine:
    """One line of an order that is not cancelled, with what the buckets group it by."""

    order_id: str
    day: str
    country: str
    currency: str
    product_id: str
    quantity: int
    line_total: Decimal


@dataclass(frozen=True)
class ProductInfo:
    sku: str
    category: str | None


def day_of(placed_at: datetime) -> str:
    """The UTC day of a placement, as the bucket ids write it: "2026-12-01"."""
    return utc(placed_at).astimezone(UTC).date().isoformat()


def next_day(day: str) -> str:
    return date.fromordinal(date.fromisoformat(day).toordinal() + 1).isoformat()


@dataclass
class _Tally:
    units: int = 0
    revenue: Decimal = Decimal("0.00")
    orders: set[str] = field(default_factory=set)

    def add(self, line: SaleLine) -> None:
        self.units += line.quantity
        self.revenue += line.line_total
        self.orders.add(line.order_id)


Breakdown = dict[tuple[str, str], _Tally]  # (country, currency) → tally


def build_sales_documents(
    wanted: Iterable[str], lines: Iterable[SaleLine], products: Mapping[str, ProductInfo]
) -> dict[str, SalesDocument]:
    """The documents `wanted` (bucket and day ids) from the lines of their days' orders.

    Lines outside the wanted documents are ignored; a wanted bucket without lines gets an
    empty breakdown (its sales were cancelled); a bucket of an unknown product is skipped.
    """
    ids = set(wanted)
    tallies: dict[str, Breakdown] = {doc_id: {} for doc_id in ids}
    for line in lines:
        for doc_id in (line.day, bucket_id(line.day, line.product_id)):
            if doc_id in ids:
                key = (line.country, line.currency)
                tallies[doc_id].setdefault(key, _Tally()).add(line)
    documents: dict[str, SalesDocument] = {}
    for doc_id in sorted(ids):
        day, product_id = parse_id(doc_id)
        product = None if product_id is None else products.get(product_id)
        if product_id is not None and product is None:
            continue
        sku = None if product is None else product.sku
        category = None if product is None else product.category
        documents[doc_id] = SalesDocument(
            id=doc_id,
            kind=DAY if product_id is None else PRODUCT,
            day=day,
            productId=product_id,
            sku=sku,
            category=category,
            sales=_entries(day, sku, category, tallies[doc_id]),
        )
    return documents


def _entries(day: str, sku: str | None, category: str | None, tally: Breakdown) -> list[SalesEntry]:
    return [
        SalesEntry(
            day=day,
            sku=sku,
            category=category,
            country=country,
            currency=currency,
            units=t.units,
            orders=len(t.orders),
            revenue=str(t.revenue.quantize(Decimal("0.01"))),
            revenueCents=int((t.revenue * 100).to_integral_value()),
        )
        for (country, currency), t in sorted(tally.items())
    ]
