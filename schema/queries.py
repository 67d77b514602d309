"""Queries: read the search index through OrderQueries, never the write database."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Protocol, TypeAlias

import strawberry
from strawberry.types.nodes import SelectedField, Selection

from queries.search_request import OrderSearch
from schema.connection import OrderConnection
from schema.context import Info
from schema.errors import bad_user_input, consistency_timeout
from schema.order import Order
from schema.search_inputs import ConsistencyInput, OrderFilterInput, OrderSortInput
from schema.suggestions import OrderSuggestion

DEFAULT_FIRST = 20
DEFAULT_SUGGESTIONS = 10

Consistency: TypeAlias = Annotated[
    ConsistencyInput | None,
    strawberry.argument(description="Answer only once the index has caught up to this token."),
]


class CatchesUp(Protocol):
    """A view's queries: they can wait for their index to reach a token."""

    async def wait_for(self, token: str, timeout_ms: int) -> object: ...


async def catch_up(queries: CatchesUp, consistency: ConsistencyInput | None) -> None:
    """Wait for the view's index to reach the client's token, if it sent one."""
    if consistency is None:
        return
    with bad_user_input(), consistency_timeout():
        await queries.wait_for(consistency.at_least, consistency.timeout())


def selects(selections: Sequence[Selection], *path: str) -> bool:
    """Whether the query selects the field at `path` (through fragments too)."""
    name, *rest = path
    for selection in selections:
        if not isinstance(selection, SelectedField):  # a fragment: look inside it
            if selects(selection.selections, *path):
                return True
        elif selection.name == name and (not rest or selects(selection.selections, *rest)):
            return True
    return False


@strawberry.type
class Query:
    @strawberry.field(description="One order by id, or null when the index has none.")
    async def order(
        self,
        info: Info,
        id: strawberry.ID,
        consistency: Consistency = None,
    ) -> Order | None:
        queries, actor = info.context.api.queries, info.context.actor()
        await catch_up(queries, consistency)
        document = await queries.get_order(str(id), actor)
        return None if document is None else Order.from_document(document)

    @strawberry.field(description="Full-text order search with filters, sorting and facets.")
    async def orders(
        self,
        info: Info,
        search: str | None = None,
        filter: OrderFilterInput | None = None,
        sort: list[OrderSortInput] | None = None,
        first: int | None = DEFAULT_FIRST,
        after: str | None = None,
        consistency: Consistency = None,
    ) -> OrderConnection:
        queries, actor = info.context.api.queries, info.context.actor()
        await catch_up(queries, consistency)
        request = OrderSearch(
            text=search,
            filter=None if filter is None else filter.to_filter(),
            sort=[spec.to_sort() for spec in sort or []],
            first=DEFAULT_FIRST if first is None else first,
            after=after,
            facets=selects(info.selected_fields, "orders", "facets"),
            highlights=selects(info.selected_fields, "orders", "edges", "highlights"),
        )
        with bad_user_input():  # the read side refuses a bad cursor or `first` out of 1..100
            page = await queries.search_orders(request, actor)
        return OrderConnection.from_page(page)

    @strawberry.field(
        description=(
            "As-you-type suggestions for a search box: customer names, emails, product "
            "names, SKUs and order ids starting with `prefix` (names: at any word), most "
            "orders first, at most `first` (1..50), grouped by kind."
        )
    )
    async def order_suggestions(
        self, info: Info, prefix: str, first: int | None = DEFAULT_SUGGESTIONS
    ) -> list[OrderSuggestion]:
        queries, actor = info.context.api.queries, info.context.actor()
        with bad_user_input():  # `first` out of 1..50 or a prefix that is too long
            found = await queries.suggest_orders(
                prefix, DEFAULT_SUGGESTIONS if first is None else first, actor
            )
        return [OrderSuggestion.from_suggestion(suggestion) for suggestion in found]
