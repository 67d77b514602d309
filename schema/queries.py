"""Queries: read the search index through OrderQueries, never the write database."""

from __future__ import annotations

import strawberry

from queries.handlers import OrderQueries
from queries.search_request import OrderFilter, OrderSearch
from schema.connection import OrderConnection
from schema.context import Info
from schema.errors import bad_user_input, consistency_timeout
from schema.order import Order
from schema.search_inputs import ConsistencyInput, OrderFilterInput, OrderSortInput

_CONSISTENCY = "Answer only once the index has caught up to this mutation position."


async def catch_up(queries: OrderQueries, consistency: ConsistencyInput | None) -> None:
    """Wait for the index to reach the client's token, if it sent one."""
    if consistency is None:
        return
    with bad_user_input(), consistency_timeout():
        await queries.wait_for(consistency.at_least, consistency.timeout_ms)


@strawberry.type
class Query:
    @strawberry.field(description="One order by id, or null when the index has none.")
    async def order(
        self,
        info: Info,
        id: strawberry.ID,
        consistency: ConsistencyInput | None = strawberry.argument(
            default=None, description=_CONSISTENCY
        ),
    ) -> Order | None:
        queries = info.context.services.queries
        await catch_up(queries, consistency)
        document = await queries.get_order(str(id))
        return None if document is None else Order.from_document(document)

    @strawberry.field(description="Full-text order search with filters, sorting and facets.")
    async def orders(
        self,
        info: Info,
        search: str | None = None,
        filter: OrderFilterInput | None = None,
        sort: list[OrderSortInput] | None = None,
        first: int = 20,
        after: str | None = None,
        consistency: ConsistencyInput | None = strawberry.argument(
            default=None, description=_CONSISTENCY
        ),
    ) -> OrderConnection:
        queries = info.context.services.queries
        await catch_up(queries, consistency)
        with bad_user_input():  # bad cursor, `first` out of range
            request = OrderSearch(
                text=search,
                filter=filter.to_filter() if filter else OrderFilter(),
                sort=[spec.to_sort() for spec in sort or []],
                first=first,
                after=after,
            )
        return OrderConnection.from_page(await queries.search_orders(request))
