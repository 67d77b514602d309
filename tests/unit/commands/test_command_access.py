"""Who may send which command, decided from the principal alone (no rows read)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from commands import access, messages
from commands.messages import FORBIDDEN, NOT_FOUND, CommandRejected
from identity import ANONYMOUS, NotSignedIn, Principal

STAFF = Principal.staff("sam")
ANA = Principal.customer("user-ana", "ana")
ADDRESS = messages.Address("Ana", "Rua 1", "Lisboa", "1000-001", "PT")

REGISTER = messages.RegisterCustomer(name="Bo", email="bo@example.com")
OWN_UPDATE = messages.UpdateCustomer(customer_id="ana", name="Ana B")
OTHER_UPDATE = messages.UpdateCustomer(customer_id="bea", name="Bea B")
OWN_ORDER = messages.PlaceOrder("ana", (messages.OrderLineRequest("p", 1),), ADDRESS)
OTHER_ORDER = messages.PlaceOrder("bea", (messages.OrderLineRequest("p", 1),), ADDRESS)
STAFF_ONLY = [
    messages.AddProduct(sku="S", name="N", price=Decimal(1), currency="EUR"),
    messages.UpdateProduct(product_id="p", name="N"),
    messages.PayOrder(order_id="o", amount=Decimal(1)),
    messages.ShipOrder(order_id="o", carrier="DHL", tracking_number="T"),
    messages.DeliverOrder(order_id="o"),
]
ORDER_CHANGES: list[messages.Command] = [
    messages.UpdateShippingAddress(order_id="o", address=ADDRESS),
    messages.CancelOrder(order_id="o", reason="r"),
]
EVERY = [REGISTER, OWN_UPDATE, OTHER_UPDATE, OWN_ORDER, OTHER_ORDER, *STAFF_ONLY, *ORDER_CHANGES]


def codes(actor: Principal, command: messages.Command, *, open_: bool = True) -> list[str]:
    try:
        access.authorize(actor, command, registration_open=open_)
    except CommandRejected as rejected:
        return [error.code for error in rejected.errors]
    return []


@pytest.mark.parametrize("command", EVERY, ids=lambda c: type(c).__name__)
def test_staff_may_send_every_command(command: messages.Command) -> None:
    assert codes(STAFF, command) == []
    assert codes(STAFF, command, open_=False) == []


@pytest.mark.parametrize("command", STAFF_ONLY, ids=lambda c: type(c).__name__)
def test_customers_may_not_pay_ship_deliver_or_change_products(command: messages.Command) -> None:
    assert codes(ANA, command) == [FORBIDDEN]


def test_customers_act_on_their_own_record_and_orders() -> None:
    assert codes(ANA, OWN_UPDATE) == []
    assert codes(ANA, OWN_ORDER) == []
    assert codes(ANA, OTHER_UPDATE) == [NOT_FOUND]  # another's record does not exist for them
    assert codes(ANA, OTHER_ORDER) == [FORBIDDEN]
    for command in ORDER_CHANGES:  # ownership is checked once the order is loaded
        assert codes(ANA, command) == []


@pytest.mark.parametrize("command", [c for c in EVERY if c is not REGISTER])
def test_anonymous_callers_must_sign_in(command: messages.Command) -> None:
    with pytest.raises(NotSignedIn):
        access.authorize(ANONYMOUS, command, registration_open=True)


def test_registration_is_open_or_staff_only_by_the_setting() -> None:
    assert codes(ANONYMOUS, REGISTER) == []
    assert codes(ANA, REGISTER) == []
    assert codes(ANA, REGISTER, open_=False) == [FORBIDDEN]
    with pytest.raises(NotSignedIn):
        access.authorize(ANONYMOUS, REGISTER, registration_open=False)


def test_another_customers_order_is_not_found_for_a_customer() -> None:
    access.ensure_owner(ANA, "o1", "ana")
    access.ensure_owner(STAFF, "o1", "bea")
    with pytest.raises(CommandRejected) as rejected:
        access.ensure_owner(ANA, "o1", "bea")
    [error] = rejected.value.errors
    assert (error.code, error.field) == (NOT_FOUND, ("orderId",))
    assert error.message == "order 'o1' does not exist"
