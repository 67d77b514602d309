"""Query handlers: answer every read from the search index alone.

docs/ARCHITECTURE.md, invariant 6.
"""

from __future__ import annotations

from typing import cast

from identity import Principal
from positions import Position
from queries import consistency
from queries.access import may_read, restricted
from queries.results import OrderPage, to_order_page
from queries.search_request import OrderSearch, build_search_body
from queries.suggestions import (
    Suggestion,
    build_suggest_body,
    normalise_prefix,
    suggestions_from,
)
from read_model import names
from read_model.document import OrderDocument
from search_engine.client import SearchClient


class OrderQueries:
    """Every read takes the acting principal: customers see only their own orders."""

    def __init__(self, client: SearchClient, prefix: str):
        self._client = client
        self._prefix = prefix
        self._alias = names.alias(prefix)
        self._progress = consistency.ProgressWatch(client, prefix)

    async def get_order(self, order_id: str, actor: Principal) -> OrderDocument | None:
        """The order document, None if unknown or not the actor's (GET through the alias)."""
        actor.signed_in()
        if not order_id:
            return None
        document = await self._client.get(self._alias, order_id)
        # Another customer's order does not exist for this one: the same None.
        if document is None or not may_read(actor, document):
            return None
        return cast(OrderDocument, document)  # as the projector wrote it

    async def search_orders(self, search: OrderSearch, actor: Principal) -> OrderPage:
        """One page of the actor's matching orders with facets; InvalidQuery for bad input."""
        body = restricted(build_search_body(search), actor)
        return to_order_page(await self._client.search(self._alias, body), search)

    async def suggest_orders(self, prefix: str, first: int, actor: Principal) -> list[Suggestion]:
        """Search-box suggestions from the actor's orders; InvalidQuery for bad input."""
        actor.signed_in()
        text = normalise_prefix(prefix, first)
        if text is None:
            return []
        body = restricted(build_suggest_body(text, first), actor)
        return suggestions_from(await self._client.search(self._alias, body), first)

    async def wait_for(self, token: str, timeout_ms: int) -> Position:
        """Block until the index has caught up with `token` (see consistency.wait_for)."""
        return await consistency.wait_for(
            self._client, self._prefix, token, timeout_ms, self._progress
        )
