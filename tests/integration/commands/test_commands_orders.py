"""placeOrder and the order lifecycle mutations on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from commands.bus import CommandBus
from commands.messages import (
    CONFLICT,
    INVALID_STATE,
    NOT_FOUND,
    VALIDATION_FAILED,
    Address,
    CancelOrder,
    Command,
    DeliverOrder,
    OrderLineRequest,
    PayOrder,
    PlaceOrder,
    ShipOrder,
    UpdateProduct,
    UpdateShippingAddress,
)
from database.tables import order_lines
from tests.integration.commands.commands_testkit import (
    ADDRESS,
    Catalogue,
    assert_token_is_last_event,
    place_order,
    rejected,
    row_of,
    stream,
)
from tests.support.actors import STAFF

pytestmark = pytest.mark.anyio

NEW_ADDRESS = Address(
    name="Bob", line1="2 High St", line2="Flat 3", city="Leeds", postal_code="LS1 4AP", country="GB"
)


async def lines_of(engine: AsyncEngine, order_id: str) -> list[tuple[object, ...]]:
    columns = (order_lines.c.line_no, order_lines.c.product_id, order_lines.c.quantity)
    query = (
        select(*columns, order_lines.c.unit_price, order_lines.c.line_total)
        .where(order_lines.c.order_id == order_id)
        .order_by(order_lines.c.line_no)
    )
    async with engine.connect() as connection:
        return [tuple(row) for row in await connection.execute(query)]


async def test_place_order_writes_order_lines_and_event(
    engine: AsyncEngine, bus: CommandBus, catalogue: Catalogue
) -> None:
    result = await bus.dispatch(
        place_order(catalogue, (catalogue.mug, 2), (catalogue.pen, 3)), STAFF
    )
    assert result.version == 1
    order = await row_of(engine, "orders", result.id)
    assert (order["status"], order["customer_id"], order["currency"]) == (
        "PLACED",
        catalogue.customer,
        "EUR",
    )
    assert (order["total"], order["item_count"], order["version"]) == (Decimal("30.97"), 5, 1)
    assert (order["ship_city"], order["ship_country"], order["ship_line2"]) == ("Lyon", "FR", None)
    assert order["placed_at"] == order["updated_at"]
    assert order["paid_at"] is None
    assert await lines_of(engine, result.id) == [
        (1, catalogue.mug, 2, Decimal("12.50"), Decimal("25.00")),
        (2, catalogue.pen, 3, Decimal("1.99"), Decimal("5.97")),
    ]
    event = await assert_token_is_last_event(engine, result)
    assert (event["type"], event["stream_type"], event["stream_version"]) == (
        "OrderPlaced",
        "order",
        1,
    )
    assert event["data"] == {
        "orderId": result.id,
        "customerId": catalogue.customer,
        "lines": [
            {"productId": catalogue.mug, "quantity": 2, "unitPrice": "12.50"},
            {"productId": catalogue.pen, "quantity": 3, "unitPrice": "1.99"},
        ],
        "shippingAddress": {
            "name": "Ann Lee",
            "line1": "1 Rue Neuve",
            "line2": None,
            "city": "Lyon",
            "postalCode": "69001",
            "country": "FR",
        },
        "total": "30.97",
        "currency": "EUR",
    }


async def test_unit_prices_are_fixed_at_placement(
    engine: AsyncEngine, bus: CommandBus, catalogue: Catalogue
) -> None:
    order = await bus.dispatch(place_order(catalogue, (catalogue.mug, 1)), STAFF)
    await bus.dispatch(UpdateProduct(product_id=catalogue.mug, price=Decimal("99.00")), STAFF)
    assert (await lines_of(engine, order.id))[0][3] == Decimal("12.50")
    assert (await row_of(engine, "orders", order.id))["total"] == Decimal("12.50")
    await bus.dispatch(PayOrder(order_id=order.id, amount=Decimal("12.50")), STAFF)
    later = await bus.dispatch(place_order(catalogue, (catalogue.mug, 1)), STAFF)
    assert (await row_of(engine, "orders", later.id))["total"] == Decimal("99.00")


async def test_the_whole_lifecycle_updates_row_version_and_log(
    engine: AsyncEngine, bus: CommandBus, catalogue: Catalogue
) -> None:
    order = (await bus.dispatch(place_order(catalogue, (catalogue.mug, 2)), STAFF)).id
    steps: list[Command] = [
        UpdateShippingAddress(order_id=order, address=NEW_ADDRESS, expected_version=1),
        PayOrder(order_id=order, amount=Decimal("25.00"), expected_version=2),
        ShipOrder(order_id=order, carrier="UPS", tracking_number="1Z999", expected_version=3),
        DeliverOrder(order_id=order, expected_version=4),
    ]
    previous = await row_of(engine, "orders", order)
    for version, command in enumerate(steps, start=2):
        result = await bus.dispatch(command, STAFF)
        assert (result.id, result.version) == (order, version)
        await assert_token_is_last_event(engine, result)
        row = await row_of(engine, "orders", order)
        assert row["version"] == version
        assert row["updated_at"] > previous["updated_at"]
        previous = row
    assert (previous["status"], previous["ship_name"], previous["ship_line2"]) == (
        "DELIVERED",
        "Bob",
        "Flat 3",
    )
    assert (previous["ship_postal_code"], previous["ship_country"]) == ("LS1 4AP", "GB")
    assert (previous["payment_amount"], previous["carrier"], previous["tracking_number"]) == (
        Decimal("25.00"),
        "UPS",
        "1Z999",
    )
    assert previous["paid_at"] < previous["shipped_at"] < previous["delivered_at"]
    log = await stream(engine, order)
    assert [(e["stream_version"], e["type"]) for e in log] == [
        (1, "OrderPlaced"),
        (2, "ShippingAddressUpdated"),
        (3, "OrderPaid"),
        (4, "OrderShipped"),
        (5, "OrderDelivered"),
    ]
    assert [e["data"] for e in log[1:]] == [
        {
            "orderId": order,
            "shippingAddress": {
                "name": "Bob",
                "line1": "2 High St",
                "line2": "Flat 3",
                "city": "Leeds",
                "postalCode": "LS1 4AP",
                "country": "GB",
            },
        },
        {"orderId": order, "amount": "25.00"},
        {"orderId": order, "carrier": "UPS", "trackingNumber": "1Z999"},
        {"orderId": order},
    ]
    assert [e["seq"] for e in log] == sorted(e["seq"] for e in log)


async def test_cancel_writes_reason_and_event(
    engine: AsyncEngine, bus: CommandBus, catalogue: Catalogue
) -> None:
    order = (await bus.dispatch(place_order(catalogue, (catalogue.pen, 1)), STAFF)).id
    await bus.dispatch(PayOrder(order_id=order, amount=Decimal("1.99")), STAFF)
    result = await bus.dispatch(CancelOrder(order_id=order, reason="out of stock"), STAFF)
    assert result.version == 3
    row = await row_of(engine, "orders", order)
    assert (row["status"], row["cancel_reason"], row["payment_amount"]) == (
        "CANCELLED",
        "out of stock",
        Decimal("1.99"),
    )
    assert row["cancelled_at"] == row["updated_at"]
    event = await assert_token_is_last_event(engine, result)
    assert (event["type"], event["data"]) == (
        "OrderCancelled",
        {"orderId": order, "reason": "out of stock"},
    )


def lines(*pairs: tuple[str, int]) -> tuple[OrderLineRequest, ...]:
    return tuple(OrderLineRequest(product_id=p, quantity=q) for p, q in pairs)


async def test_place_order_rejections_write_nothing(
    engine: AsyncEngine, bus: CommandBus, catalogue: Catalogue
) -> None:
    mug, pen, hat = catalogue.mug, catalogue.pen, catalogue.hat
    bad_country = Address(name="A", line1="B", city="C", postal_code="D", country="XX")
    cases = [
        (place_order(catalogue, (mug, 0)), [(VALIDATION_FAILED, ("lines", "0", "quantity"))]),
        (
            place_order(catalogue, (mug, 1), (pen, 1001)),
            [(VALIDATION_FAILED, ("lines", "1", "quantity"))],
        ),
        (place_order(catalogue, (mug, 1), ("nope", 1)), [(NOT_FOUND, ("lines", "1", "productId"))]),
        (
            place_order(catalogue, (mug, 1), (mug, 1)),
            [(VALIDATION_FAILED, ("lines", "1", "productId"))],
        ),
        (place_order(catalogue, (mug, 1), (hat, 1)), [(VALIDATION_FAILED, ("lines",))]),
        (place_order(catalogue), [(VALIDATION_FAILED, ("lines",))]),
        (
            place_order(catalogue, *[(f"p{i}", 1) for i in range(101)]),
            [(VALIDATION_FAILED, ("lines",))],
        ),
        (
            PlaceOrder(customer_id="ghost", lines=lines((mug, 1)), shipping_address=ADDRESS),
            [(NOT_FOUND, ("customerId",))],
        ),
        (
            PlaceOrder(
                customer_id=catalogue.customer, lines=lines((mug, 1)), shipping_address=bad_country
            ),
            [(VALIDATION_FAILED, ("shippingAddress", "country"))],
        ),
        (
            PlaceOrder(
                customer_id="ghost", lines=lines((mug, -1), ("x", 1)), shipping_address=bad_country
            ),
            [
                (NOT_FOUND, ("customerId",)),
                (VALIDATION_FAILED, ("lines", "0", "quantity")),
                (NOT_FOUND, ("lines", "1", "productId")),
                (VALIDATION_FAILED, ("shippingAddress", "country")),
            ],
        ),
    ]
    for command, expected in cases:
        assert await rejected(engine, bus.dispatch(command, STAFF)) == expected, command


async def test_every_order_mutation_rejects_an_unknown_order(
    engine: AsyncEngine, bus: CommandBus, catalogue: Catalogue
) -> None:
    await bus.dispatch(place_order(catalogue, (catalogue.mug, 1)), STAFF)
    commands: list[Command] = [
        UpdateShippingAddress(order_id="nope", address=NEW_ADDRESS),
        PayOrder(order_id="nope", amount=Decimal("12.50")),
        ShipOrder(order_id="nope", carrier="UPS", tracking_number="1"),
        DeliverOrder(order_id="nope"),
        CancelOrder(order_id="nope", reason="x"),
    ]
    for command in commands:
        assert await rejected(engine, bus.dispatch(command, STAFF)) == [
            (NOT_FOUND, ("orderId",))
        ], command


async def test_order_mutation_rejections_write_nothing(
    engine: AsyncEngine, bus: CommandBus, catalogue: Catalogue
) -> None:
    placed = (await bus.dispatch(place_order(catalogue, (catalogue.mug, 2)), STAFF)).id
    shipped = (await bus.dispatch(place_order(catalogue, (catalogue.pen, 1)), STAFF)).id
    await bus.dispatch(PayOrder(order_id=shipped, amount=Decimal("1.99")), STAFF)
    await bus.dispatch(ShipOrder(order_id=shipped, carrier="DHL", tracking_number="T1"), STAFF)
    bad_address = Address(name="", line1="x", city="y", postal_code="z", country="gb")
    cases: list[tuple[Command, list[tuple[str, tuple[str, ...] | None]]]] = [
        (PayOrder(order_id=placed, amount=Decimal("25.01")), [(VALIDATION_FAILED, ("amount",))]),
        (
            PayOrder(order_id=placed, amount=Decimal("25.00"), expected_version=2),
            [(CONFLICT, ("expectedVersion",))],
        ),
        (PayOrder(order_id=shipped, amount=Decimal("1.99")), [(INVALID_STATE, None)]),
        (ShipOrder(order_id=placed, carrier="UPS", tracking_number="1"), [(INVALID_STATE, None)]),
        (
            ShipOrder(order_id=placed, carrier="", tracking_number=" "),
            [
                (INVALID_STATE, None),
                (VALIDATION_FAILED, ("carrier",)),
                (VALIDATION_FAILED, ("trackingNumber",)),
            ],
        ),
        (DeliverOrder(order_id=placed), [(INVALID_STATE, None)]),
        (CancelOrder(order_id=shipped, reason="too late"), [(INVALID_STATE, None)]),
        (CancelOrder(order_id=placed, reason=" "), [(VALIDATION_FAILED, ("reason",))]),
        (UpdateShippingAddress(order_id=shipped, address=NEW_ADDRESS), [(INVALID_STATE, None)]),
        (
            UpdateShippingAddress(order_id=placed, address=bad_address),
            [(VALIDATION_FAILED, ("address", "name")), (VALIDATION_FAILED, ("address", "country"))],
        ),
        (DeliverOrder(order_id=shipped, expected_version=2), [(CONFLICT, ("expectedVersion",))]),
    ]
    for command, expected in cases:
        assert await rejected(engine, bus.dispatch(command, STAFF)) == expected, command
    assert (await row_of(engine, "orders", shipped))["status"] == "SHIPPED"
