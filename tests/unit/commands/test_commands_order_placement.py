"""Placing an order: lines, prices, currency and address rules, without a database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from commands import events
from commands.messages import (
    NOT_FOUND,
    VALIDATION_FAILED,
    Address,
    CommandRejected,
    OrderLineRequest,
)
from commands.model.order import Order, wanted_product_ids
from tests.unit.commands.order_builders import (
    ADDRESS,
    T0,
    codes,
    lines,
    place,
    product,
    rejected_codes,
)

# --- placing ---------------------------------------------------------------------------


def test_place_prices_lines_from_products_and_records_the_payload() -> None:
    order = place(("mug", 2), ("pen", 3))
    assert (order.status, order.version, order.currency) == ("PLACED", 1, "EUR")
    assert [(line.line_no, line.product_id, line.quantity) for line in order.lines] == [
        (1, "mug", 2), (2, "pen", 3),
    ]  # fmt: skip
    assert [line.line_total for line in order.lines] == [Decimal("25.00"), Decimal("5.97")]
    assert (order.total, order.item_count) == (Decimal("30.97"), 5)
    (event,) = order.events
    assert (event.type, event.stream_type, event.stream_version) == (
        events.ORDER_PLACED,
        "order",
        1,
    )
    assert event.data == {
        "orderId": "o-1",
        "customerId": "c-1",
        "lines": [
            {"productId": "mug", "quantity": 2, "unitPrice": "12.50"},
            {"productId": "pen", "quantity": 3, "unitPrice": "1.99"},
        ],
        "shippingAddress": {
            "name": "Ann", "line1": "1 Main St", "line2": None, "city": "Lyon",
            "postalCode": "69001", "country": "FR",
        },
        "total": "30.97",
        "currency": "EUR",
    }  # fmt: skip


def test_unknown_customer_is_not_found() -> None:
    assert rejected_codes(lambda: place(("mug", 1), customer_exists=False)) == [
        (NOT_FOUND, ("customerId",))
    ]


@pytest.mark.parametrize("count", [0, 101])
def test_an_order_has_1_to_100_lines(count: int) -> None:
    requests = tuple(OrderLineRequest(product_id=f"p{i}", quantity=1) for i in range(count))
    action = lambda: Order.place(  # noqa: E731
        "o-1",
        customer_id="c",
        customer_exists=True,
        lines=requests,
        products={},
        address=ADDRESS,
        now=T0,
    )
    assert rejected_codes(action) == [(VALIDATION_FAILED, ("lines",))]


def test_100_lines_are_allowed() -> None:
    catalogue = {f"p{i}": product(f"p{i}", "1.00") for i in range(100)}
    requests = tuple(OrderLineRequest(product_id=f"p{i}", quantity=1) for i in range(100))
    order = Order.place(
        "o-1", customer_id="c", customer_exists=True, lines=requests, products=catalogue,
        address=ADDRESS, now=T0,
    )  # fmt: skip
    assert (len(order.lines), order.total) == (100, Decimal("100.00"))


@pytest.mark.parametrize("quantity", [0, -1, 1001, True])
def test_quantity_must_be_1_to_1000(quantity: int) -> None:
    assert rejected_codes(lambda: place(("mug", 1), ("pen", quantity))) == [
        (VALIDATION_FAILED, ("lines", "1", "quantity"))
    ]


@pytest.mark.parametrize("quantity", [1, 1000])
def test_quantity_bounds_are_inclusive(quantity: int) -> None:
    assert place(("mug", quantity)).item_count == quantity


def test_unknown_product_is_not_found_on_its_line() -> None:
    assert rejected_codes(lambda: place(("mug", 1), ("nope", 1))) == [
        (NOT_FOUND, ("lines", "1", "productId"))
    ]


def test_a_product_may_appear_on_one_line_only() -> None:
    assert rejected_codes(lambda: place(("mug", 1), ("pen", 1), ("mug", 2))) == [
        (VALIDATION_FAILED, ("lines", "2", "productId"))
    ]


def test_all_products_must_share_one_currency() -> None:
    with pytest.raises(CommandRejected) as rejected:
        place(("mug", 1), ("usd", 1))
    assert codes(rejected) == [(VALIDATION_FAILED, ("lines",))]
    assert "EUR, USD" in rejected.value.errors[0].message


def test_a_single_usd_product_makes_a_usd_order() -> None:
    assert place(("usd", 3)).currency == "USD"


def test_a_bad_shipping_address_is_reported_under_shipping_address() -> None:
    bad = Address(name="Ann", line1="", city="Lyon", postal_code="69001", country="France")
    assert rejected_codes(lambda: place(("mug", 1), address=bad)) == [
        (VALIDATION_FAILED, ("shippingAddress", "line1")),
        (VALIDATION_FAILED, ("shippingAddress", "country")),
    ]


def test_placing_reports_every_problem_at_once() -> None:
    bad = Address(name="Ann", line1="x", city="Lyon", postal_code="69001", country="zz")
    action = lambda: place(("mug", 0), ("ghost", 1), customer_exists=False, address=bad)  # noqa: E731
    assert rejected_codes(action) == [
        (NOT_FOUND, ("customerId",)),
        (VALIDATION_FAILED, ("lines", "0", "quantity")),
        (NOT_FOUND, ("lines", "1", "productId")),
        (VALIDATION_FAILED, ("shippingAddress", "country")),
    ]


def test_a_total_beyond_the_money_column_is_rejected() -> None:
    catalogue = {f"p{i}": product(f"p{i}", "999999999999.99") for i in range(2)}
    requests = lines(("p0", 1000), ("p1", 1000))
    action = lambda: Order.place(  # noqa: E731
        "o",
        customer_id="c",
        customer_exists=True,
        lines=requests,
        products=catalogue,
        address=ADDRESS,
        now=T0,
    )
    assert rejected_codes(action) == [(VALIDATION_FAILED, ("lines",))]


def test_wanted_product_ids_are_distinct_and_skipped_for_too_many_lines() -> None:
    assert wanted_product_ids(lines(("a", 1), ("b", 1), ("a", 2))) == {"a", "b"}
    assert wanted_product_ids(lines(*[(f"p{i}", 1) for i in range(101)])) == set()
