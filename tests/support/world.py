"""A running slice of the product for integration tests: DB, search index, bus, projector."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from commands.bus import CommandBus
from commands.messages import (
    AddProduct,
    Address,
    CommandResult,
    OrderLineRequest,
    PlaceOrder,
    RegisterCustomer,
)
from database.engine import create_engine
from projections import source
from projections.projector import Projector
from queries.handlers import OrderQueries
from read_model.document import OrderDocument
from read_model.indices import ensure_index
from read_model.names import alias
from read_model.stamps import STAMP
from search_engine.client import SearchClient
from tests.support.actors import STAFF


@dataclass
class World:
    engine: AsyncEngine
    search: SearchClient
    prefix: str
    bus: CommandBus
    projector: Projector
    queries: OrderQueries

    def new_projector(self, cls: type[Projector] = Projector, **kwargs: Any) -> Projector:
        return cls(self.engine, self.search, self.prefix, **kwargs)

    async def oracle(self) -> dict[str, OrderDocument]:
        """Every order document as computed from the write tables right now."""
        async with self.engine.connect() as conn:
            return await source.load_documents(conn, await source.all_order_ids(conn))

    async def indexed(self) -> dict[str, dict[str, Any]]:
        """Every order document in the read index, without the projector's batch stamp."""
        body = {
            "query": {"match_all": {}},
            "size": 10_000,
            "sort": [{"id": "asc"}],
            "_source": {"excludes": [STAMP]},  # bookkeeping, not part of the oracle's document
        }
        await self.search.refresh(alias(self.prefix))
        response = await self.search.search(alias(self.prefix), body)
        return {hit["_id"]: hit["_source"] for hit in response["hits"]["hits"]}

    async def customer(self, name: str, email: str) -> str:
        return (await self.bus.dispatch(RegisterCustomer(name=name, email=email), STAFF)).id

    async def product(
        self, sku: str, name: str, price: str, category: str | None = None, currency: str = "EUR"
    ) -> str:
        command = AddProduct(
            sku=sku, name=name, price=Decimal(price), currency=currency, category=category
        )
        return (await self.bus.dispatch(command, STAFF)).id

    async def order(
        self,
        customer_id: str,
        lines: list[tuple[str, int]],
        city: str = "Lyon",
        country: str = "FR",
    ) -> CommandResult:
        address = Address(
            name="Ship To", line1="1 Rue Neuve", city=city, postal_code="69001", country=country
        )
        requests = tuple(OrderLineRequest(product_id=p, quantity=q) for p, q in lines)
        return await self.bus.dispatch(
            PlaceOrder(customer_id=customer_id, lines=requests, shipping_address=address), STAFF
        )


@asynccontextmanager
async def running_world(database_url: str, search_url: str, prefix: str) -> AsyncIterator[World]:
    engine = create_engine(database_url)
    search = await SearchClient.connect(search_url)
    try:
        await ensure_index(search, prefix)
        yield World(
            engine=engine,
            search=search,
            prefix=prefix,
            bus=CommandBus(engine),
            projector=Projector(engine, search, prefix, batch_size=50, poll_interval=0.05),
            queries=OrderQueries(search, prefix),
        )
    finally:
        await search.close()
        await engine.dispose()
