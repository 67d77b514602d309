"""The order lifecycle: PLACED → PAID → SHIPPED → DELIVERED, and CANCELLED, without a database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from commands import events
from commands.messages import (
    CONFLICT,
    INVALID_STATE,
    VALIDATION_FAILED,
    Address,
    CommandRejected,
)
from commands.model.order import Order
from tests.unit.commands.order_builders import (
    ADDRESS,
    NEW_ADDRESS,
    T0,
    codes,
    placed,
    rejected_codes,
)

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
