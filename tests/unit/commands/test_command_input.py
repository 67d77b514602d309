"""check_command: every text field of every command, refused before any lookup."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest

from commands import messages as m
from commands.messages import VALIDATION_FAILED, CommandRejected
from commands.model.command_input import check_command
from commands.model.validation import LIMITS

ADDRESS = m.Address(name="Ann", line1="1 Main St", city="Lyon", postal_code="69001", country="FR")
LINE = m.OrderLineRequest(product_id="p-1", quantity=1)
# One good command of each kind, with every optional text field set.
GOOD: list[m.Command] = [
    m.RegisterCustomer(name="Ann", email="ann@example.com"),
    m.UpdateCustomer(customer_id="c-1", name="Ann", email="ann@example.com"),
    m.AddProduct(sku="K-1", name="Kettle", price=Decimal(1), currency="EUR", category="kitchen"),
    m.UpdateProduct(product_id="p-1", name="Kettle", category="kitchen"),
    m.PlaceOrder(
        customer_id="c-1",
        lines=(LINE,),
        shipping_address=dataclasses.replace(ADDRESS, line2="Flat 2"),
        idempotency_key="k-1",
    ),
    m.UpdateShippingAddress(order_id="o-1", address=dataclasses.replace(ADDRESS, line2="x")),
    m.PayOrder(order_id="o-1", amount=Decimal(1)),
    m.ShipOrder(order_id="o-1", carrier="DHL", tracking_number="T-1"),
    m.DeliverOrder(order_id="o-1"),
    m.CancelOrder(order_id="o-1", reason="changed my mind"),
]


def text_fields(message: Any, at: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """(GraphQL path, a function putting a value there) for every string in `message`."""
    found: list[tuple[tuple[str, ...], Any]] = []
    renames = {"customer_id": "id", "product_id": "id"}
    for field in dataclasses.fields(message):
        value = getattr(message, field.name)
        head, *rest = field.name.split("_")
        name = head + "".join(part.title() for part in rest)
        if isinstance(message, m.UpdateCustomer | m.UpdateProduct):
            name = renames.get(field.name, name)

        def put(new: Any, key: str = field.name) -> Any:
            return dataclasses.replace(message, **{key: new})

        if isinstance(value, str):
            found.append(((*at, name), put))
        elif isinstance(value, m.Address):
            for path, inner in text_fields(value, (*at, name)):
                found.append((path, lambda new, inner=inner, put=put: put(inner(new))))
        elif isinstance(value, tuple):
            for path, inner in text_fields(value[0], (*at, name, "0")):
                found.append((path, lambda new, inner=inner, put=put: put((inner(new),))))
    return found


FIELDS = [(command, path, put) for command in GOOD for path, put in text_fields(command)]
CASES = [
    pytest.param(command, path, put, id=f"{type(command).__name__}-{'.'.join(path)}")
    for command, path, put in FIELDS
]
BAD = {"nul": "a\x00b", "lf": "a\nb", "esc": "a\x1b[31mb", "c1": "a\x9bb",
       "surrogate": "a\ud800b", "rlo": "a\u202eb", "rlm": "a\u200fb"}  # fmt: skip


@pytest.mark.parametrize("command", GOOD, ids=lambda c: type(c).__name__)
def test_good_commands_pass(command: m.Command) -> None:
    check_command(command)


def test_every_text_field_is_covered() -> None:
    assert len(CASES) == 2 + 3 + 4 + 3 + 9 + 7 + 1 + 3 + 1 + 2  # per command, as in GOOD
    assert {path[-1] for _, path, _ in FIELDS} <= set(LIMITS)


@pytest.mark.parametrize(("command", "path", "put"), CASES)
@pytest.mark.parametrize("kind", sorted(BAD))
def test_refused_text_in_any_field_is_validation_failed(
    command: m.Command, path: tuple[str, ...], put: Any, kind: str
) -> None:
    with pytest.raises(CommandRejected) as rejected:
        check_command(put(BAD[kind]))
    assert [(e.code, e.field) for e in rejected.value.errors] == [(VALIDATION_FAILED, path)]


@pytest.mark.parametrize(("command", "path", "put"), CASES)
def test_a_megabyte_in_any_field_is_refused_by_length(
    command: m.Command, path: tuple[str, ...], put: Any
) -> None:
    with pytest.raises(CommandRejected) as rejected:
        check_command(put("x" * 1_000_000))
    ((error),) = rejected.value.errors
    assert error.field == path
    assert error.message == f"{path[-1]} must be at most {LIMITS[path[-1]]} characters"


def test_every_problem_is_reported_at_once() -> None:
    command = m.ShipOrder(order_id="o\x00", carrier="D\u202eHL", tracking_number="x" * 101)
    with pytest.raises(CommandRejected) as rejected:
        check_command(command)
    fields = [e.field for e in rejected.value.errors]
    assert fields == [("orderId",), ("carrier",), ("trackingNumber",)]


def test_too_many_lines_are_refused_without_looking_at_them() -> None:
    lines = tuple(m.OrderLineRequest(product_id="\x00", quantity=1) for _ in range(100_001))
    command = m.PlaceOrder(customer_id="c-1", lines=lines, shipping_address=ADDRESS)
    with pytest.raises(CommandRejected) as rejected:
        check_command(command)
    assert [(e.field, e.message) for e in rejected.value.errors] == [
        (("lines",), "an order needs 1 to 100 lines")
    ]


def test_empty_and_blank_values_are_left_to_the_aggregates() -> None:
    check_command(m.RegisterCustomer(name="  ", email=""))
    check_command(m.PayOrder(order_id="", amount=Decimal(0)))
