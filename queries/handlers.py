"""Query handlers: answer every read from the search index alone (invariant 6)."""

from __future__ import annotations

from typing import Any

from positions import Position
from queries import consistency
from queries.results import OrderPage, to_order_page
from queries.search_request import OrderSearch, build_search_body
from queries.suggestions import (
    Suggestion,
    build_suggest_body,
    normalise_prefix,
    suggestions_from,
)
from search_engine import names
from search_engine.client import SearchClient


class OrderQueries:
    def __init__(self, client: SearchClient, prefix: str):
        self._client = client
        self._prefix = prefix
        self._alias = names.alias(prefix)
        self._progress = consistency.ProgressWatch(client, prefix)

    async def get_order(self, order_id: str) -> dict[str, Any] | None:
        """The order document, None if unknown (GET through the single-index alias)."""
        if not order_id:
            return None
        return await self._client.get(self._alias, order_id)

    async def search_orders(self, search: OrderSearch) -> OrderPage:
        """One page of matching orders with facets; InvalidQuery for invalid input."""
        body = build_search_body(search)
        return to_order_page(await self._client.search(self._alias, body), search)

    async def suggest_orders(self, prefix: str, first: int) -> list[Suggestion]:
        """Typed search-box suggestions for `prefix` (one request); InvalidQuery for bad input."""
        text = normalise_prefix(prefix, first)
        if text is None:
            return []
        response = await self._client.search(self._alias, build_suggest_body(text, first))
        return suggestions_from(response, first)

    async def wait_for(self, token: str, timeout_ms: int) -> Position:
        """Block until the index has caught up with `token` (see consistency.wait_for)."""
        return await consistency.wait_for(
            self._client, self._prefix, token, timeout_ms, self._progress
        )
