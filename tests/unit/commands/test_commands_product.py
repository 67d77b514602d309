"""The Product aggregate's rules, without a database."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import cast

import pytest

from commands import events
from commands.messages import CONFLICT, DUPLICATE, VALIDATION_FAILED, CommandRejected
from commands.model.product import Product

T0 = datetime(2026, 1, 1, tzinfo=UTC)
T1 = datetime(2026, 1, 2, tzinfo=UTC)


def add(**overrides: object) -> Product:
    values: dict[str, object] = {
        "sku": "MUG-1", "name": "Mug", "category": "kitchen", "price": Decimal("12.5"),
        "currency": "EUR", "sku_taken": False, "now": T0,
    }  # fmt: skip
    return Product.add("p-1", **{**values, **overrides})  # type: ignore[arg-type]


def added() -> Product:
    product = add()
    product.events.clear()
    return product


def codes(
    rejected: pytest.ExceptionInfo[CommandRejected],
) -> list[tuple[str, tuple[str, ...] | None]]:
    return [(error.code, error.field) for error in rejected.value.errors]


def test_add_creates_version_1_with_a_money_string_payload() -> None:
    product = add(sku=" MUG-1 ")
    assert (product.sku, product.price, product.version) == ("MUG-1", Decimal("12.50"), 1)
    (event,) = product.events
    assert (event.stream_type, event.stream_id, event.stream_version) == ("product", "p-1", 1)
    assert event.type == events.PRODUCT_ADDED
    assert event.data == {
        "productId": "p-1", "sku": "MUG-1", "name": "Mug", "category": "kitchen",
        "price": "12.50", "currency": "EUR",
    }  # fmt: skip


def test_category_is_optional() -> None:
    product = add(category=None)
    assert product.category is None
    assert cast(events.ProductAdded, product.events[0].data)["category"] is None


def test_add_reports_every_problem_at_once() -> None:
    with pytest.raises(CommandRejected) as rejected:
        add(sku="", name=" ", category="", price=Decimal("1.001"), currency="eur")
    assert codes(rejected) == [
        (VALIDATION_FAILED, ("sku",)),
        (VALIDATION_FAILED, ("name",)),
        (VALIDATION_FAILED, ("category",)),
        (VALIDATION_FAILED, ("price",)),
        (VALIDATION_FAILED, ("currency",)),
    ]


@pytest.mark.parametrize("price", ["0", "-5", "0.001"])
def test_price_must_be_positive_with_two_places(price: str) -> None:
    with pytest.raises(CommandRejected) as rejected:
        add(price=Decimal(price))
    assert codes(rejected) == [(VALIDATION_FAILED, ("price",))]


def test_a_taken_sku_is_a_duplicate() -> None:
    with pytest.raises(CommandRejected) as rejected:
        add(sku_taken=True)
    assert codes(rejected) == [(DUPLICATE, ("sku",))]


def test_update_records_only_changed_fields() -> None:
    product = added()
    product.update(
        name="Big Mug", category="kitchen", price=Decimal("14"), expected_version=1, now=T1
    )
    assert (product.name, product.price, product.version, product.updated_at) == (
        "Big Mug", Decimal("14.00"), 2, T1,
    )  # fmt: skip
    (event,) = product.events
    assert (event.type, event.stream_version) == (events.PRODUCT_UPDATED, 2)
    assert event.data == {"productId": "p-1", "name": "Big Mug", "price": "14.00"}


def test_update_category() -> None:
    product = added()
    product.update(name=None, category="home", price=None, expected_version=None, now=T1)
    assert product.events[0].data == {"productId": "p-1", "category": "home"}


@pytest.mark.parametrize(
    ("name", "category", "price"),
    [(None, None, None), ("Mug", None, None), (None, "kitchen", Decimal("12.500"))],
)
def test_update_without_a_real_change_is_a_no_op(
    name: str | None, category: str | None, price: Decimal | None
) -> None:
    product = added()
    product.update(name=name, category=category, price=price, expected_version=1, now=T1)
    assert (product.version, product.events, product.updated_at) == (1, [], T0)


def test_update_with_a_stale_version_is_a_conflict() -> None:
    product = added()
    with pytest.raises(CommandRejected) as rejected:
        product.update(name="X", category=None, price=None, expected_version=0, now=T1)
    assert codes(rejected) == [(CONFLICT, ("expectedVersion",))]
    assert (product.name, product.version) == ("Mug", 1)


def test_update_with_bad_values_changes_nothing() -> None:
    product = added()
    with pytest.raises(CommandRejected) as rejected:
        product.update(name="", category=" ", price=Decimal("-1"), expected_version=None, now=T1)
    assert codes(rejected) == [
        (VALIDATION_FAILED, ("name",)),
        (VALIDATION_FAILED, ("category",)),
        (VALIDATION_FAILED, ("price",)),
    ]
    assert (product.name, product.category, product.price) == ("Mug", "kitchen", Decimal("12.50"))
