"""The search result page: OrderConnection and its edges, page info, highlights and facets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import strawberry

from schema.order import Order

if TYPE_CHECKING:
    from queries.results import OrderHit, OrderPage


@strawberry.type
class Highlight:
    field: str
    fragments: list[str]


@strawberry.type
class FacetBucket:
    value: str
    count: int


@strawberry.type(
    description=(
        "Order counts per value. Each facet applies the search text and every filter "
        "except its own (status ignores `status`, country `country`, category `category`, "
        "placedMonth `placedFrom`/`placedTo`, totalRange `totalMin`/`totalMax`), so the "
        "counts say how many orders ticking a value would show."
    )
)
class OrderFacets:
    status: list[FacetBucket]
    country: list[FacetBucket]
    category: list[FacetBucket]
    placed_month: list[FacetBucket]
    total_range: list[FacetBucket]

    @classmethod
    def from_buckets(cls, facets: Mapping[str, Sequence[tuple[str, int]]]) -> OrderFacets:
        def buckets(key: str) -> list[FacetBucket]:
            return [FacetBucket(value=value, count=count) for value, count in facets.get(key, ())]

        return cls(
            status=buckets("status"),
            country=buckets("country"),
            category=buckets("category"),
            placed_month=buckets("placedMonth"),
            total_range=buckets("totalRange"),
        )


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class OrderEdge:
    cursor: str
    node: Order
    highlights: list[Highlight]

    @classmethod
    def from_hit(cls, hit: OrderHit) -> OrderEdge:
        return cls(
            cursor=hit.cursor,
            node=Order.from_document(hit.document),
            highlights=[
                Highlight(field=field, fragments=list(fragments))
                for field, fragments in hit.highlights
            ],
        )


@strawberry.type
class OrderConnection:
    edges: list[OrderEdge]
    page_info: PageInfo
    total_count: int
    facets: OrderFacets

    @classmethod
    def from_page(cls, page: OrderPage) -> OrderConnection:
        """Map the read side's page onto the GraphQL connection."""
        return cls(
            edges=[OrderEdge.from_hit(hit) for hit in page.edges],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            total_count=page.total_count,
            facets=OrderFacets.from_buckets(page.facets),
        )
