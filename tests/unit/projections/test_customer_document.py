"""The customer document is computed from a customer row and their order rows alone."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from projections.customers import build_customer_document

CUSTOMER = {
    "id": "c-1",
    "name": "José Müller",
    "email": "jose@example.com",
    "version": 3,
    "created_at": datetime(2026, 1, 2, 3, 4, 5, 678_000, tzinfo=UTC),
}


def order(
    status: str, total: str, placed: datetime, currency: str = "EUR", country: str = "DE"
) -> dict[str, Any]:
    return {
        "status": status,
        "total": Decimal(total),
        "currency": currency,
        "placed_at": placed,
        "ship_country": country,
    }


def test_a_customer_without_orders_has_empty_figures() -> None:
    doc = build_customer_document(CUSTOMER, [])
    assert doc == {
        "id": "c-1",
        "name": "José Müller",
        "email": "jose@example.com",
        "registeredAt": "2026-01-02T03:04:05.678Z",
        "version": 3,
        "orderCount": 0,
        "ordersByStatus": [],
        "lifetimeValue": [],
        "mainCurrency": None,
        "mainValue": "0.00",
        "firstOrderAt": None,
        "lastOrderAt": None,
        "countries": [],
    }


def test_orders_are_counted_by_status_in_the_lifecycle_order() -> None:
    day = datetime(2026, 3, 1, tzinfo=UTC)
    rows = [
        order("SHIPPED", "1.00", day),
        order("PLACED", "1.00", day),
        order("CANCELLED", "1.00", day),
        order("PLACED", "1.00", day),
    ]
    doc = build_customer_document(CUSTOMER, rows)
    assert doc["orderCount"] == 4
    assert doc["ordersByStatus"] == [
        {"status": "PLACED", "count": 2},
        {"status": "SHIPPED", "count": 1},
        {"status": "CANCELLED", "count": 1},
    ]


def test_lifetime_value_is_per_currency_and_leaves_cancelled_orders_out() -> None:
    day = datetime(2026, 3, 1, tzinfo=UTC)
    rows = [
        order("PAID", "10.50", day),
        order("DELIVERED", "4.25", day),
        order("CANCELLED", "100.00", day),
        order("PLACED", "7", day, currency="CHF"),
        order("CANCELLED", "9.00", day, currency="USD"),
    ]
    doc = build_customer_document(CUSTOMER, rows)
    assert doc["lifetimeValue"] == [
        {"currency": "CHF", "amount": "7.00"},
        {"currency": "EUR", "amount": "14.75"},
    ]
    # The main currency is the one of most orders not cancelled.
    assert (doc["mainCurrency"], doc["mainValue"]) == ("EUR", "14.75")


def test_the_main_currency_of_a_tie_is_the_larger_value_then_the_code() -> None:
    day = datetime(2026, 3, 1, tzinfo=UTC)
    larger = [order("PAID", "5.00", day), order("PAID", "9.00", day, currency="CHF")]
    assert build_customer_document(CUSTOMER, larger)["mainCurrency"] == "CHF"
    equal = [order("PAID", "5.00", day, currency="USD"), order("PAID", "5.00", day)]
    assert build_customer_document(CUSTOMER, equal)["mainCurrency"] == "EUR"


def test_only_cancelled_orders_give_no_lifetime_value() -> None:
    rows = [order("CANCELLED", "3.00", datetime(2026, 3, 1, tzinfo=UTC))]
    doc = build_customer_document(CUSTOMER, rows)
    assert (doc["lifetimeValue"], doc["mainCurrency"], doc["mainValue"]) == ([], None, "0.00")
    assert doc["orderCount"] == 1


def test_first_and_last_order_and_countries_span_every_order() -> None:
    rows = [
        order("PLACED", "1.00", datetime(2026, 5, 1, 12, tzinfo=UTC), country="PL"),
        # SQLite hands back naive UTC datetimes.
        order("CANCELLED", "1.00", datetime(2025, 12, 31, 23, 59)),
        order("PAID", "1.00", datetime(2026, 2, 1, tzinfo=UTC), country="PL"),
        order("DELIVERED", "1.00", datetime(2026, 5, 1, 13, tzinfo=UTC), country="AT"),
    ]
    doc = build_customer_document(CUSTOMER, rows)
    assert doc["firstOrderAt"] == "2025-12-31T23:59:00.000Z"
    assert doc["lastOrderAt"] == "2026-05-01T13:00:00.000Z"
    assert doc["countries"] == ["AT", "DE", "PL"]


def test_the_name_and_email_are_the_rows_current_values() -> None:
    renamed = {**CUSTOMER, "name": "José Müller-Weiß", "email": "jmw@example.org", "version": 4}
    doc = build_customer_document(renamed, [])
    assert (doc["name"], doc["email"], doc["version"]) == (
        "José Müller-Weiß",
        "jmw@example.org",
        4,
    )
