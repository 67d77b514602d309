"""The Product aggregate: a unique SKU, a name, an optional category and a price."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import ClassVar

from commands import events
from commands.messages import DUPLICATE
from commands.model import streams
from commands.model.aggregate import Aggregate
from commands.model.validation import LIMITS, Problems, check_version, money_text

SKU_MAX, NAME_MAX, CATEGORY_MAX = LIMITS["sku"], LIMITS["name"], LIMITS["category"]


@dataclass(kw_only=True, eq=False)
class Product(Aggregate):
    STREAM: ClassVar[str] = streams.PRODUCT

    sku: str
    name: str
    category: str | None
    price: Decimal
    currency: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def add(
        cls,
        product_id: str,
        *,
        sku: str,
        name: str,
        category: str | None,
        price: Decimal,
        currency: str,
        sku_taken: bool,
        now: datetime,
    ) -> Product:
        """A new product; `sku_taken` says whether another product already has the SKU."""
        problems = Problems()
        sku = problems.code(sku, ("sku",), SKU_MAX)
        if sku_taken:
            problems.add(DUPLICATE, f"SKU {sku} already exists", ("sku",))
        name = problems.text(name, ("name",), NAME_MAX)
        if category is not None:
            category = problems.text(category, ("category",), CATEGORY_MAX)
        price = problems.money(price, ("price",))
        currency = problems.currency(currency, ("currency",))
        problems.raise_if_any()
        product = cls(
            id=product_id,
            sku=sku,
            name=name,
            category=category,
            price=price,
            currency=currency,
            created_at=now,
            updated_at=now,
        )
        product._record(events.PRODUCT_ADDED, product._added_payload(), now)
        return product

    def update(
        self,
        *,
        name: str | None,
        category: str | None,
        price: Decimal | None,
        expected_version: int | None,
        now: datetime,
    ) -> None:
        """Change name, category and/or price; unchanged values are a no-op (no event)."""
        check_version(expected_version, self.version)
        problems = Problems()
        changes = events.ProductUpdated(productId=self.id)
        if name is not None and (name := problems.text(name, ("name",), NAME_MAX)) != self.name:
            changes["name"] = name
        if category is not None:
            category = problems.text(category, ("category",), CATEGORY_MAX)
            if category != self.category:
                changes["category"] = category
        new_price = self.price
        if price is not None and (new_price := problems.money(price, ("price",))) != self.price:
            changes["price"] = money_text(new_price)
        problems.raise_if_any()
        if changes.keys() == {"productId"}:
            return
        self.name = changes.get("name", self.name)
        self.category = changes.get("category", self.category)
        self.price = new_price
        self.updated_at = now
        self._record(events.PRODUCT_UPDATED, changes, now)

    def _added_payload(self) -> events.ProductAdded:
        return events.ProductAdded(
            productId=self.id,
            sku=self.sku,
            name=self.name,
            category=self.category,
            price=money_text(self.price),
            currency=self.currency,
        )
