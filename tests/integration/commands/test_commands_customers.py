"""registerCustomer and updateCustomer on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from commands.bus import CommandBus
from commands.messages import (
    CONFLICT,
    DUPLICATE,
    NOT_FOUND,
    VALIDATION_FAILED,
    RegisterCustomer,
    UpdateCustomer,
)
from positions import decode_token
from tests.integration.commands.commands_testkit import (
    assert_token_is_last_event,
    rejected,
    row_of,
    stream,
)
from tests.support.actors import STAFF

pytestmark = pytest.mark.anyio


async def register(bus: CommandBus, email: str = "ann@example.com") -> str:
    return (await bus.dispatch(RegisterCustomer(name="Ann Lee", email=email), STAFF)).id


async def test_register_writes_the_row_and_its_event(engine: AsyncEngine, bus: CommandBus) -> None:
    result = await bus.dispatch(RegisterCustomer(name=" Ann Lee ", email="Ann@Example.com"), STAFF)
    assert result.version == 1
    row = await row_of(engine, "customers", result.id)
    assert (row["name"], row["email"], row["version"]) == ("Ann Lee", "ann@example.com", 1)
    assert row["created_at"] == row["updated_at"]
    event = await assert_token_is_last_event(engine, result)
    assert (event["stream_type"], event["type"], event["stream_version"]) == (
        "customer",
        "CustomerRegistered",
        1,
    )
    assert event["data"] == {"customerId": result.id, "name": "Ann Lee", "email": "ann@example.com"}
    occurred = event["occurred_at"]
    assert (
        abs((occurred.replace(tzinfo=occurred.tzinfo or UTC)) - datetime.now(UTC)).total_seconds()
        < 60
    )


async def test_update_changes_the_row_and_appends_only_changed_fields(
    engine: AsyncEngine, bus: CommandBus
) -> None:
    customer = await register(bus)
    result = await bus.dispatch(
        UpdateCustomer(
            customer_id=customer, name="Ann Lee", email="ANN.LEE@example.com", expected_version=1
        ),
        STAFF,
    )
    assert (result.id, result.version) == (customer, 2)
    row = await row_of(engine, "customers", customer)
    assert (row["email"], row["version"]) == ("ann.lee@example.com", 2)
    assert row["updated_at"] > row["created_at"]
    event = await assert_token_is_last_event(engine, result)
    assert (event["type"], event["data"]) == (
        "CustomerUpdated",
        {"customerId": customer, "email": "ann.lee@example.com"},
    )


async def test_an_update_that_changes_nothing_is_a_no_op_success(
    engine: AsyncEngine, bus: CommandBus
) -> None:
    first = await bus.dispatch(RegisterCustomer(name="Ann Lee", email="ann@example.com"), STAFF)
    await register(bus, "other@example.com")  # moves the log head past the customer's event
    result = await bus.dispatch(
        UpdateCustomer(customer_id=first.id, email="ANN@example.com"), STAFF
    )
    assert (result.version, result.position) == (1, first.position)
    assert len(await stream(engine, first.id)) == 1
    assert (await row_of(engine, "customers", first.id))["version"] == 1


@pytest.mark.parametrize(
    ("name", "email", "expected"),
    [
        ("", "ann@example.com", [(VALIDATION_FAILED, ("name",))]),
        ("Ann", "ann.example.com", [(VALIDATION_FAILED, ("email",))]),
        (" ", "ann@", [(VALIDATION_FAILED, ("name",)), (VALIDATION_FAILED, ("email",))]),
        ("A" * 201, "ann@example.com", [(VALIDATION_FAILED, ("name",))]),
    ],
)
async def test_register_rejects_bad_input_and_writes_nothing(
    engine: AsyncEngine, bus: CommandBus, name: str, email: str, expected: list[object]
) -> None:
    await register(bus, "someone@example.com")
    assert (
        await rejected(engine, bus.dispatch(RegisterCustomer(name=name, email=email), STAFF))
        == expected
    )


async def test_register_with_a_taken_email_in_any_case_is_a_duplicate(
    engine: AsyncEngine, bus: CommandBus
) -> None:
    await register(bus)
    command = RegisterCustomer(name="Other Ann", email=" ANN@Example.COM ")
    assert await rejected(engine, bus.dispatch(command, STAFF)) == [(DUPLICATE, ("email",))]


async def test_update_rejections_write_nothing(engine: AsyncEngine, bus: CommandBus) -> None:
    ann = await register(bus)
    await register(bus, "bob@example.com")
    cases = [
        (UpdateCustomer(customer_id="missing"), [(NOT_FOUND, ("id",))]),
        (UpdateCustomer(customer_id=ann, email="Bob@example.com"), [(DUPLICATE, ("email",))]),
        (UpdateCustomer(customer_id=ann, email="bob"), [(VALIDATION_FAILED, ("email",))]),
        (UpdateCustomer(customer_id=ann, name=" "), [(VALIDATION_FAILED, ("name",))]),
        (
            UpdateCustomer(customer_id=ann, name="X", expected_version=2),
            [(CONFLICT, ("expectedVersion",))],
        ),
    ]
    for command, expected in cases:
        assert await rejected(engine, bus.dispatch(command, STAFF)) == expected, command


async def test_the_token_orders_commands(bus: CommandBus) -> None:
    first = decode_token(
        (await bus.dispatch(RegisterCustomer(name="A", email="a@example.com"), STAFF)).position
    )
    second = decode_token(
        (await bus.dispatch(RegisterCustomer(name="B", email="b@example.com"), STAFF)).position
    )
    assert second.seq > first.seq
    assert second >= first
