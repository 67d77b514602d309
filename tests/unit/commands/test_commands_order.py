"""The Order aggregate: placement rules and the lifecycle, without a database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from commands import events
from commands.messages import (
    CONFLICT,
    INVALID_STATE,
    NOT_FOUND,
    VALIDATION_FAILED,
    Address,
    CommandRejected,
    OrderLineRequest,
)
from commands.model.order import Order, wanted_product_ids
from commands.model.product import Product

T0 = datetime(2026, 1, 1, tzinfo=UTC)
ADDRESS = Address(name="Ann", line1="1 Main St", city="Lyon", postal_code="69001", country="FR")
NEW_ADDRESS = Address(
    name="Bob", line1="2 High St", line2="Flat 3", city="Leeds", postal_code="LS1", country="GB"
)


def product(product_id: str, price: str, currency: str = "EUR") -> Product:
    item = Product.add(
        product_id, sku=f"SKU-{product_id}", name=product_id, category=None,
        price=Decimal(price), currency=currency, sku_taken=False, now=T0,
    )  # fmt: skip
    item.events.clear()
    return item


PRODUCTS = {
    p.id: p for p in (product("mug", "12.50"), product("pen", "1.99"), product("usd", "5", "USD"))
}


def lines(*pairs: tuple[str, int]) -> tuple[OrderLineRequest, ...]:
    return tuple(OrderLineRequest(product_id=p, quantity=q) for p, q in pairs)


def place(
    *pairs: tuple[str, int], customer_exists: bool = True, address: Address = ADDRESS
) -> Order:
    return Order.place(
        "o-1", customer_id="c-1", customer_exists=customer_exists, lines=lines(*pairs),
        products=PRODUCTS, address=address, now=T0,
    )  # fmt: skip


def placed() -> Order:
    order = place(("mug", 2), ("pen", 3))
    order.events.clear()
    return order


def codes(
    rejected: pytest.ExceptionInfo[CommandRejected],
) -> list[tuple[str, tuple[str, ...] | None]]:
    return [(error.code, error.field) for error in rejected.value.errors]


def rejected_codes(action: Callable[[], object]) -> list[tuple[str, tuple[str, ...] | None]]:
    with pytest.raises(CommandRejected) as rejected:
        action()
    return codes(rejected)


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


# --- the lifecycle ---------------------------------------------------------------------

ACTIONS: dict[str, Callable[[Order, datetime], None]] = {
    "pay": lambda o, now: o.pay(Decimal("30.97"), expected_version=None, now=now),
    "ship": lambda o, now: o.ship("UPS", "1Z999", expected_version=None, now=now),
    "deliver": lambda o, now: o.deliver(expected_version=None, now=now),
    "cancel": lambda o, now: o.cancel("changed my mind", expected_version=None, now=now),
    "address": lambda o, now: o.update_shipping_address(
        NEW_ADDRESS, expected_version=None, now=now
    ),
}
PATHS = {
    "PLACED": [],
    "PAID": ["pay"],
    "SHIPPED": ["pay", "ship"],
    "DELIVERED": ["pay", "ship", "deliver"],
    "CANCELLED": ["cancel"],
}
ALLOWED = {
    ("PLACED", "pay"), ("PAID", "ship"), ("SHIPPED", "deliver"), ("PLACED", "cancel"),
    ("PAID", "cancel"), ("PLACED", "address"), ("PAID", "address"),
}  # fmt: skip
RESULT = {"pay": "PAID", "ship": "SHIPPED", "deliver": "DELIVERED", "cancel": "CANCELLED"}


def in_state(status: str) -> Order:
    order = placed()
    for step, name in enumerate(PATHS[status], start=1):
        ACTIONS[name](order, T0 + timedelta(hours=step))
    order.events.clear()
    assert order.status == status
    return order


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("status", sorted(PATHS))
def test_every_transition_is_allowed_or_invalid_state(status: str, action: str) -> None:
    order = in_state(status)
    version, updated_at = order.version, order.updated_at
    later = T0 + timedelta(days=1)
    if (status, action) in ALLOWED:
        ACTIONS[action](order, later)
        assert order.status == RESULT.get(action, status)
        assert (order.version, order.updated_at) == (version + 1, later)
        assert [(e.stream_version, e.occurred_at) for e in order.events] == [(version + 1, later)]
    else:
        with pytest.raises(CommandRejected) as rejected:
            ACTIONS[action](order, later)
        assert codes(rejected) == [(INVALID_STATE, None)]
        assert f"an order that is {status}" in rejected.value.errors[0].message
        assert (order.status, order.version, order.updated_at, order.events) == (
            status, version, updated_at, [],
        )  # fmt: skip


def test_the_full_story_records_each_event_and_timestamp() -> None:
    order = placed()
    t1, t2, t3 = (T0 + timedelta(hours=h) for h in (1, 2, 3))
    order.pay(Decimal("30.970"), expected_version=1, now=t1)
    order.ship(" UPS ", " 1Z999 ", expected_version=2, now=t2)
    order.deliver(expected_version=3, now=t3)
    assert (order.payment_amount, order.paid_at) == (Decimal("30.97"), t1)
    assert (order.carrier, order.tracking_number, order.shipped_at) == ("UPS", "1Z999", t2)
    assert (order.delivered_at, order.version, order.status) == (t3, 4, "DELIVERED")
    assert [(e.type, e.stream_version, e.data) for e in order.events] == [
        (events.ORDER_PAID, 2, {"orderId": "o-1", "amount": "30.97"}),
        (events.ORDER_SHIPPED, 3, {"orderId": "o-1", "carrier": "UPS", "trackingNumber": "1Z999"}),
        (events.ORDER_DELIVERED, 4, {"orderId": "o-1"}),
    ]


def test_cancel_from_paid_keeps_the_payment_and_records_the_reason() -> None:
    order = in_state("PAID")
    order.cancel(" out of stock ", expected_version=2, now=T0)
    assert (order.status, order.cancel_reason, order.payment_amount) == (
        "CANCELLED", "out of stock", Decimal("30.97"),
    )  # fmt: skip
    assert order.events[0].data == {"orderId": "o-1", "reason": "out of stock"}


def test_update_shipping_address_records_the_new_address() -> None:
    order = placed()
    order.update_shipping_address(NEW_ADDRESS, expected_version=1, now=T0)
    assert order.shipping_address == NEW_ADDRESS
    assert order.events[0].data == {
        "orderId": "o-1",
        "shippingAddress": {
            "name": "Bob", "line1": "2 High St", "line2": "Flat 3", "city": "Leeds",
            "postalCode": "LS1", "country": "GB",
        },
    }  # fmt: skip


def test_a_bad_new_address_is_reported_under_address() -> None:
    bad = Address(name="", line1="x", city="y", postal_code="z", country="GBR")
    action = lambda: placed().update_shipping_address(bad, expected_version=None, now=T0)  # noqa: E731
    assert rejected_codes(action) == [
        (VALIDATION_FAILED, ("address", "name")),
        (VALIDATION_FAILED, ("address", "country")),
    ]


@pytest.mark.parametrize("amount", ["30.96", "30.98", "0", "-30.97", "30.971", "NaN", "sNaN"])
def test_payment_must_equal_the_total(amount: str) -> None:
    order = placed()
    with pytest.raises(CommandRejected) as rejected:
        order.pay(Decimal(amount), expected_version=None, now=T0)
    assert codes(rejected) == [(VALIDATION_FAILED, ("amount",))]
    assert "30.97 EUR" in rejected.value.errors[0].message
    assert (order.status, order.payment_amount) == ("PLACED", None)


def test_a_wrong_amount_in_a_wrong_state_reports_both() -> None:
    order = in_state("SHIPPED")
    with pytest.raises(CommandRejected) as rejected:
        order.pay(Decimal("1"), expected_version=None, now=T0)
    assert codes(rejected) == [(INVALID_STATE, None), (VALIDATION_FAILED, ("amount",))]


def test_ship_needs_carrier_and_tracking_number() -> None:
    order = in_state("PAID")
    action = lambda: order.ship(" ", "", expected_version=None, now=T0)  # noqa: E731
    assert rejected_codes(action) == [
        (VALIDATION_FAILED, ("carrier",)),
        (VALIDATION_FAILED, ("trackingNumber",)),
    ]
    assert order.status == "PAID"


def test_cancel_needs_a_reason() -> None:
    order = placed()
    assert rejected_codes(lambda: order.cancel("  ", expected_version=None, now=T0)) == [
        (VALIDATION_FAILED, ("reason",))
    ]
    assert order.status == "PLACED"


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_a_stale_expected_version_is_a_conflict_before_any_other_rule(action: str) -> None:
    order = in_state("DELIVERED")  # every action would also be INVALID_STATE here
    calls: dict[str, Callable[[], None]] = {
        "pay": lambda: order.pay(Decimal("1"), expected_version=1, now=T0),
        "ship": lambda: order.ship("", "", expected_version=1, now=T0),
        "deliver": lambda: order.deliver(expected_version=1, now=T0),
        "cancel": lambda: order.cancel("", expected_version=1, now=T0),
        "address": lambda: order.update_shipping_address(ADDRESS, expected_version=1, now=T0),
    }
    assert rejected_codes(calls[action]) == [(CONFLICT, ("expectedVersion",))]
    assert order.version == 4
