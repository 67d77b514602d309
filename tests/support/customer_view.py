"""The customer view beside a test's world (tests/support/world.py): its alias, a
projector of its own, the oracle and what the index holds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import anyio

from database.tables import customers
from projections import customers as customer_projection
from projections import source
from projections.projector import Projector
from projections.registry import CUSTOMERS
from queries.customers import CustomerQueries
from read_model.indices import ensure_index
from read_model.stamps import STAMP
from tests.support.world import World


@dataclass
class CustomerView:
    world: World
    prefix: str
    projector: Projector
    queries: CustomerQueries

    async def catch_up(self, projector: Projector | None = None) -> None:
        """Project until the checkpoint passes the log's head (a shared PostgreSQL server's
        snapshot horizon can hold a run back a moment, see test_projector's catch_up)."""
        projector = projector or self.projector
        async with self.world.engine.connect() as conn:
            target = await source.head(conn)
        for _ in range(1200):
            await projector.run_until_caught_up()
            if projector.checkpoint is not None and projector.checkpoint >= target:
                return
            await anyio.sleep(0.05)
        raise AssertionError(f"the customer projector never reached {tuple(target)}")

    async def oracle(self) -> dict[str, Any]:
        """Every customer document as computed from the write tables right now."""
        async with self.world.engine.connect() as conn:
            ids = list((await conn.execute(customers.select())).scalars())
            return dict(await customer_projection.load_customers(conn, ids))

    async def indexed(self) -> dict[str, dict[str, Any]]:
        """Every customer document in the index, without the batch stamp."""
        search = self.world.search
        await search.refresh(self.prefix)
        body = {"query": {"match_all": {}}, "size": 1000, "_source": {"excludes": [STAMP]}}
        response = await search.search(self.prefix, body)
        return {hit["_id"]: hit["_source"] for hit in response["hits"]["hits"]}


async def customer_view(world: World, batch_size: int = 50) -> CustomerView:
    """The world's customer view, its index created."""
    prefix = CUSTOMERS.prefix(world.prefix)
    await ensure_index(world.search, prefix, CUSTOMERS.view)
    projector = Projector(
        world.engine, world.search, prefix, batch_size=batch_size, projection=CUSTOMERS
    )
    return CustomerView(world, prefix, projector, CustomerQueries(world.search, prefix))
