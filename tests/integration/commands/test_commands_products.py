"""addProduct and updateProduct on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from commands.bus import CommandBus
from commands.messages import (
    CONFLICT,
    DUPLICATE,
    NOT_FOUND,
    VALIDATION_FAILED,
    AddProduct,
    UpdateProduct,
)
from tests.integration.commands.commands_testkit import (
    assert_token_is_last_event,
    rejected,
    row_of,
    stream,
)
from tests.support.actors import STAFF

pytestmark = pytest.mark.anyio

MUG = AddProduct(sku="MUG-1", name="Mug", price=Decimal("12.5"), currency="EUR", category="kitchen")


async def test_add_writes_the_row_and_its_event(engine: AsyncEngine, bus: CommandBus) -> None:
    result = await bus.dispatch(MUG, STAFF)
    row = await row_of(engine, "products", result.id)
    assert (row["sku"], row["name"], row["category"], row["currency"], row["version"]) == (
        "MUG-1",
        "Mug",
        "kitchen",
        "EUR",
        1,
    )
    assert row["price"] == Decimal("12.50")
    event = await assert_token_is_last_event(engine, result)
    assert (event["type"], event["stream_type"]) == ("ProductAdded", "product")
    assert event["data"] == {
        "productId": result.id,
        "sku": "MUG-1",
        "name": "Mug",
        "category": "kitchen",
        "price": "12.50",
        "currency": "EUR",
    }


async def test_update_changes_price_and_name(engine: AsyncEngine, bus: CommandBus) -> None:
    product = (await bus.dispatch(MUG, STAFF)).id
    command = UpdateProduct(
        product_id=product, name="Big Mug", price=Decimal("14.99"), expected_version=1
    )
    result = await bus.dispatch(command, STAFF)
    assert result.version == 2
    row = await row_of(engine, "products", product)
    assert (row["name"], row["price"], row["category"], row["version"]) == (
        "Big Mug",
        Decimal("14.99"),
        "kitchen",
        2,
    )
    event = await assert_token_is_last_event(engine, result)
    assert event["data"] == {"productId": product, "name": "Big Mug", "price": "14.99"}


async def test_an_update_that_changes_nothing_is_a_no_op_success(
    engine: AsyncEngine, bus: CommandBus
) -> None:
    first = await bus.dispatch(MUG, STAFF)
    result = await bus.dispatch(
        UpdateProduct(product_id=first.id, price=Decimal("12.500"), category="kitchen"), STAFF
    )
    assert (result.version, result.position) == (1, first.position)
    assert len(await stream(engine, first.id)) == 1


def add(sku: str = "A", name: str = "X", price: str = "1", currency: str = "EUR") -> AddProduct:
    return AddProduct(sku=sku, name=name, price=Decimal(price), currency=currency)


def invalid(*names: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(VALIDATION_FAILED, (name,)) for name in names]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (add(sku=""), invalid("sku")),
        (add(price="0"), invalid("price")),
        (add(price="1.001"), invalid("price")),
        (add(currency="euro"), invalid("currency")),
        (add(name="", price="-1", currency="E"), invalid("name", "price", "currency")),
        (add(sku="MUG-1"), [(DUPLICATE, ("sku",))]),
        (add(sku=" MUG-1 "), [(DUPLICATE, ("sku",))]),
    ],
)
async def test_add_rejects_bad_input_and_writes_nothing(
    engine: AsyncEngine, bus: CommandBus, command: AddProduct, expected: list[object]
) -> None:
    await bus.dispatch(MUG, STAFF)
    assert await rejected(engine, bus.dispatch(command, STAFF)) == expected


async def test_update_rejections_write_nothing(engine: AsyncEngine, bus: CommandBus) -> None:
    product = (await bus.dispatch(MUG, STAFF)).id
    cases = [
        (UpdateProduct(product_id="missing", name="X"), [(NOT_FOUND, ("id",))]),
        (UpdateProduct(product_id=product, price=Decimal("-2")), [(VALIDATION_FAILED, ("price",))]),
        (UpdateProduct(product_id=product, name=""), [(VALIDATION_FAILED, ("name",))]),
        (UpdateProduct(product_id=product, category=" "), [(VALIDATION_FAILED, ("category",))]),
        (
            UpdateProduct(product_id=product, name="X", expected_version=3),
            [(CONFLICT, ("expectedVersion",))],
        ),
    ]
    for command, expected in cases:
        assert await rejected(engine, bus.dispatch(command, STAFF)) == expected, command
