"""The single-model alternative as a server: the same GraphQL layer, answered by SQL.

A small Strawberry schema with the `orders(search, filter, first)` field of the contract
(the fields the benchmark's faceted search selects, under the same names, with the
service's own DateTime/Decimal scalars and OrderStatus enum and the same bounded parser
and validation caches) whose resolver runs `benchmarks.sql_search` on the write tables,
served by Starlette and uvicorn like the service:

    DATABASE_URL=postgresql+asyncpg://... python -m benchmarks.sql_server --port 8300 --workers 2
"""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import AsyncIterator
from datetime import datetime
from decimal import Decimal
from typing import Any

import asyncpg
import strawberry
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig

from benchmarks import sql_search
from benchmarks.dataset import dsn
from schema.enums import OrderStatus
from schema.scalars import SCALARS

CACHE_SIZE = 256
POOL_SIZE = 20


@strawberry.input
class OrderFilter:
    status: list[OrderStatus] | None = None


@strawberry.type
class FacetBucket:
    value: str
    count: int


@strawberry.type
class OrderFacets:
    status: list[FacetBucket]
    country: list[FacetBucket]
    category: list[FacetBucket]
    placed_month: list[FacetBucket]
    total_range: list[FacetBucket]


@strawberry.type
class Highlight:
    field: str
    fragments: list[str]


@strawberry.type
class OrderCustomer:
    name: str
    email: str


@strawberry.type
class Address:
    city: str
    postal_code: str
    country: str


@strawberry.type
class OrderLine:
    sku: str
    product_name: str
    quantity: int


@strawberry.type
class Order:
    id: strawberry.ID
    status: OrderStatus
    placed_at: datetime
    total: Decimal
    currency: str
    customer: OrderCustomer
    shipping_address: Address
    lines: list[OrderLine]


@strawberry.type
class OrderEdge:
    cursor: str
    node: Order
    highlights: list[Highlight]


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class OrderConnection:
    edges: list[OrderEdge]
    page_info: PageInfo
    total_count: int
    facets: OrderFacets


def _buckets(rows: list[dict[str, Any]]) -> list[FacetBucket]:
    return [FacetBucket(value=str(r["value"]), count=int(r["count"])) for r in rows]


def _edge(row: dict[str, Any], words: list[str]) -> OrderEdge:
    lines = [
        OrderLine(sku=ln["sku"], product_name=ln["name"], quantity=ln["quantity"])
        for ln in row["lines"] or []
    ]
    fields = {
        "customer.name": [row["name"]],
        "customer.email": [row["email"]],
        "shippingAddress.city": [row["ship_city"]],
        "lines.productName": [ln.product_name for ln in lines],
    }
    node = Order(
        id=strawberry.ID(row["id"]),
        status=OrderStatus(row["status"]),
        placed_at=datetime.fromisoformat(row["placed_at"]),
        total=Decimal(str(row["total"])),
        currency=row["currency"],
        customer=OrderCustomer(name=row["name"], email=row["email"]),
        shipping_address=Address(
            city=row["ship_city"],
            postal_code=row["ship_postal_code"],
            country=row["ship_country"],
        ),
        lines=lines,
    )
    marked = [
        Highlight(field=f, fragments=frags) for f, frags in sql_search.highlights(words, fields)
    ]
    return OrderEdge(cursor=row["id"], node=node, highlights=marked)


@strawberry.type
class Query:
    @strawberry.field
    async def orders(
        self,
        info: strawberry.Info,
        search: str | None = None,
        filter: OrderFilter | None = None,
        first: int | None = 20,
    ) -> OrderConnection:
        size = 20 if first is None else max(1, min(first, 100))
        statuses = [s.value for s in filter.status] if filter and filter.status else None
        pool: asyncpg.Pool = info.context["request"].app.state.pool
        async with pool.acquire() as conn:
            found = await sql_search.search(conn, search, statuses, size)
        words = sql_search.words_of(search)
        edges = [_edge(row, words) for row in found["page"][:size]]
        facets = OrderFacets(
            status=_buckets(found["status"]),
            country=_buckets(found["country"]),
            category=_buckets(found["category"]),
            placed_month=_buckets(found["placed_month"]),
            total_range=_buckets(found["total_range"]),
        )
        return OrderConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=len(found["page"]) > size,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=found["total_count"],
            facets=facets,
        )


def build_schema() -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        extensions=[
            lambda: ParserCache(maxsize=CACHE_SIZE),
            lambda: ValidationCache(maxsize=CACHE_SIZE),
        ],
        config=StrawberryConfig(scalar_map=SCALARS),
    )


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def create_app() -> Starlette:
    """The ASGI app (a factory for uvicorn's workers); DATABASE_URL names the database."""
    url = os.environ["DATABASE_URL"]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.pool = await asyncpg.create_pool(dsn(url), min_size=2, max_size=POOL_SIZE)
        try:
            yield
        finally:
            await app.state.pool.close()

    graphql: GraphQL[Any, None] = GraphQL(build_schema(), graphql_ide=None)
    routes = [Route("/graphql", graphql, methods=["POST"]), Route("/health", health)]
    return Starlette(routes=routes, lifespan=lifespan)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    uvicorn.run(
        "benchmarks.sql_server:create_app",
        factory=True,
        host="127.0.0.1",
        port=args.port,
        workers=args.workers,
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
