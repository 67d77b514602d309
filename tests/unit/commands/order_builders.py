"""Shared builders for the order aggregate's unit tests: products, lines, placed orders."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from commands.messages import Address, CommandRejected, OrderLineRequest
from commands.model.order import Order
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
