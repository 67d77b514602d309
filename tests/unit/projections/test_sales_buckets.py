"""The sales documents from order lines: buckets per (day, product), day documents, and
the breakdown per (country, currency)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from projections.sales_buckets import (
    ProductInfo,
    SaleLine,
    build_sales_documents,
    day_of,
    next_day,
)
from read_model.sales import bucket_id, parse_id

DAY = "2026-12-01"
KETTLE = ProductInfo(sku="KTL-1", category="kitchen")
MUG = ProductInfo(sku="MUG-1", category=None)
PRODUCTS = {"p-kettle": KETTLE, "p-mug": MUG}


def line(order: str, product: str, quantity: int, total: str, country: str = "PL") -> SaleLine:
    return SaleLine(order, DAY, country, "EUR", product, quantity, Decimal(total))


def test_a_bucket_adds_up_its_products_lines_per_country_and_currency() -> None:
    lines = [
        line("o1", "p-kettle", 2, "79.80"),
        line("o2", "p-kettle", 1, "39.90"),
        line("o3", "p-kettle", 1, "39.90", country="DE"),
        line("o1", "p-mug", 3, "15.00"),
    ]
    docs = build_sales_documents([bucket_id(DAY, "p-kettle")], lines, PRODUCTS)
    assert docs == {
        "2026-12-01|p-kettle": {
            "id": "2026-12-01|p-kettle",
            "kind": "product",
            "day": DAY,
            "productId": "p-kettle",
            "sku": "KTL-1",
            "category": "kitchen",
            "sales": [
                {
                    "day": DAY,
                    "sku": "KTL-1",
                    "category": "kitchen",
                    "country": "DE",
                    "currency": "EUR",
                    "units": 1,
                    "orders": 1,
                    "revenue": "39.90",
                    "revenueCents": 3990,
                },
                {
                    "day": DAY,
                    "sku": "KTL-1",
                    "category": "kitchen",
                    "country": "PL",
                    "currency": "EUR",
                    "units": 3,
                    "orders": 2,
                    "revenue": "119.70",
                    "revenueCents": 11970,
                },
            ],
        }
    }


def test_a_day_counts_each_order_once_whatever_its_products() -> None:
    lines = [line("o1", "p-kettle", 2, "79.80"), line("o1", "p-mug", 3, "15.00")]
    (entry,) = build_sales_documents([DAY], lines, PRODUCTS)[DAY]["sales"]
    assert (entry["units"], entry["orders"], entry["revenue"]) == (5, 1, "94.80")
    assert entry["sku"] is None and entry["category"] is None


def test_a_bucket_without_sales_is_written_empty_and_an_unknown_product_skipped() -> None:
    docs = build_sales_documents([bucket_id(DAY, "p-mug"), bucket_id(DAY, "p-gone")], [], PRODUCTS)
    assert list(docs) == ["2026-12-01|p-mug"]
    assert docs["2026-12-01|p-mug"]["sales"] == []


def test_lines_of_other_documents_are_ignored() -> None:
    lines = [line("o1", "p-mug", 3, "15.00"), line("o2", "p-kettle", 1, "39.90")]
    docs = build_sales_documents([bucket_id(DAY, "p-mug")], lines, PRODUCTS)
    assert [e["units"] for e in docs["2026-12-01|p-mug"]["sales"]] == [3]


def test_days_are_utc_and_ids_sort_a_day_before_its_buckets() -> None:
    late = datetime(2026, 12, 1, 23, 30, tzinfo=timezone(timedelta(hours=-2)))
    assert day_of(late) == "2026-12-02"
    assert day_of(datetime(2026, 12, 31, 12, 0)) == "2026-12-31"  # naive: UTC (SQLite)
    assert day_of(datetime(2026, 12, 1, 0, 0, tzinfo=UTC)) == DAY
    assert next_day("2026-12-31") == "2027-01-01"
    assert parse_id(bucket_id(DAY, "p-1")) == (DAY, "p-1") and parse_id(DAY) == (DAY, None)
    assert sorted([bucket_id(DAY, "p-1"), "2026-12-02", DAY]) == [
        DAY,
        "2026-12-01|p-1",
        "2026-12-02",
    ]
