"""The Customer aggregate's rules, without a database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from commands import events
from commands.messages import CONFLICT, DUPLICATE, VALIDATION_FAILED, CommandRejected
from commands.model.customer import Customer

T0 = datetime(2026, 1, 1, tzinfo=UTC)
T1 = datetime(2026, 1, 2, tzinfo=UTC)


def registered() -> Customer:
    customer = Customer.register("c-1", "Ann Lee", "ann@example.com", email_taken=False, now=T0)
    customer.events.clear()  # as if saved
    return customer


def codes(
    rejected: pytest.ExceptionInfo[CommandRejected],
) -> list[tuple[str, tuple[str, ...] | None]]:
    return [(error.code, error.field) for error in rejected.value.errors]


def test_register_creates_version_1_with_one_event() -> None:
    customer = Customer.register("c-1", " Ann Lee ", " Ann@Example.COM", email_taken=False, now=T0)
    assert (customer.name, customer.email, customer.version) == ("Ann Lee", "ann@example.com", 1)
    assert (customer.created_at, customer.updated_at) == (T0, T0)
    (event,) = customer.events
    assert (event.stream_type, event.stream_id, event.stream_version) == ("customer", "c-1", 1)
    assert event.type == events.CUSTOMER_REGISTERED
    assert event.data == {"customerId": "c-1", "name": "Ann Lee", "email": "ann@example.com"}
    assert event.occurred_at == T0


def test_register_reports_every_problem_at_once() -> None:
    with pytest.raises(CommandRejected) as rejected:
        Customer.register("c-1", "  ", "not-an-email", email_taken=False, now=T0)
    assert codes(rejected) == [(VALIDATION_FAILED, ("name",)), (VALIDATION_FAILED, ("email",))]


def test_register_with_a_taken_email_is_a_duplicate() -> None:
    with pytest.raises(CommandRejected) as rejected:
        Customer.register("c-1", "Ann", "ann@example.com", email_taken=True, now=T0)
    assert codes(rejected) == [(DUPLICATE, ("email",))]
    assert "ann@example.com is already registered" in rejected.value.errors[0].message


def test_update_name_records_only_the_changed_field() -> None:
    customer = registered()
    customer.update(name="Ann Smith", email=None, expected_version=1, email_taken=False, now=T1)
    assert (customer.name, customer.version, customer.updated_at) == ("Ann Smith", 2, T1)
    (event,) = customer.events
    assert (event.type, event.stream_version) == (events.CUSTOMER_UPDATED, 2)
    assert event.data == {"customerId": "c-1", "name": "Ann Smith"}


def test_update_email_normalises_it() -> None:
    customer = registered()
    customer.update(
        name=None, email="ANN@new.example", expected_version=None, email_taken=False, now=T1
    )
    assert customer.email == "ann@new.example"
    assert customer.events[0].data == {"customerId": "c-1", "email": "ann@new.example"}


@pytest.mark.parametrize(
    ("name", "email"),
    [(None, None), ("Ann Lee", None), (None, "ANN@example.com"), (" Ann Lee", "ann@example.com")],
)
def test_update_without_a_real_change_is_a_no_op(name: str | None, email: str | None) -> None:
    customer = registered()
    customer.update(name=name, email=email, expected_version=1, email_taken=False, now=T1)
    assert (customer.version, customer.events, customer.updated_at) == (1, [], T0)


def test_update_with_a_stale_version_is_a_conflict_and_changes_nothing() -> None:
    customer = registered()
    with pytest.raises(CommandRejected) as rejected:
        customer.update(name="Bob", email=None, expected_version=2, email_taken=False, now=T1)
    assert codes(rejected) == [(CONFLICT, ("expectedVersion",))]
    assert (customer.name, customer.version, customer.events) == ("Ann Lee", 1, [])


def test_update_to_a_taken_email_is_a_duplicate() -> None:
    customer = registered()
    with pytest.raises(CommandRejected) as rejected:
        customer.update(
            name=None, email="bob@example.com", expected_version=None, email_taken=True, now=T1
        )
    assert codes(rejected) == [(DUPLICATE, ("email",))]
    assert customer.email == "ann@example.com"


def test_update_reports_every_problem_and_changes_nothing() -> None:
    customer = registered()
    with pytest.raises(CommandRejected) as rejected:
        customer.update(name="", email="bad@", expected_version=None, email_taken=False, now=T1)
    assert codes(rejected) == [(VALIDATION_FAILED, ("name",)), (VALIDATION_FAILED, ("email",))]
    assert (customer.name, customer.email, customer.version) == ("Ann Lee", "ann@example.com", 1)
