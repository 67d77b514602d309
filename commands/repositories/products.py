"""The product repository."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import bindparam, exists, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from commands.model.product import Product
from commands.repositories.rows import not_found, raise_if_duplicate, write_row
from database.engine import utc
from database.tables import products

_BY_ID = select(products).where(products.c.id == bindparam("id")).with_for_update()
_BY_IDS = select(products).where(products.c.id.in_(bindparam("ids", expanding=True)))
_SKU_EXISTS = select(exists().where(products.c.sku == bindparam("sku")))


class ProductRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def get(self, product_id: str) -> Product:
        """The product, row-locked; NOT_FOUND (field `id`) when missing."""
        row = (await self._connection.execute(_BY_ID, {"id": product_id})).mappings().first()
        if row is None:
            not_found("product", product_id, "id")
        return product_from_row(row)

    async def find_many(self, product_ids: Collection[str]) -> dict[str, Product]:
        """The existing products among `product_ids`, by id, in one query (not locked)."""
        if not product_ids:
            return {}
        result = await self._connection.execute(_BY_IDS, {"ids": list(product_ids)})
        return {row["id"]: product_from_row(row) for row in result.mappings()}

    async def sku_in_use(self, sku: str) -> bool:
        return bool(await self._connection.scalar(_SKU_EXISTS, {"sku": sku.strip()}))

    async def save(self, product: Product) -> None:
        """Write the row if the product changed; a concurrent same-SKU insert is DUPLICATE."""
        if not product.events:
            return
        row: dict[str, Any] = {
            "name": product.name,
            "category": product.category,
            "price": product.price,
            "version": product.version,
            "updated_at": product.updated_at,
        }
        if product.is_new:
            row |= {"sku": product.sku, "currency": product.currency}
            row["created_at"] = product.created_at
        try:
            await write_row(self._connection, products, product, row)
        except IntegrityError as error:
            raise_if_duplicate(error, "sku", f"SKU {product.sku} already exists")
            raise


def product_from_row(row: RowMapping) -> Product:
    """The aggregate from its `products` row."""
    return Product(
        id=row["id"],
        version=row["version"],
        sku=row["sku"],
        name=row["name"],
        category=row["category"],
        price=row["price"],
        currency=row["currency"],
        created_at=utc(row["created_at"]),
        updated_at=utc(row["updated_at"]),
    )
