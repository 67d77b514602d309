"""Customer view queries: a customer summary by id and customer search, from the customer
index alone (docs/ARCHITECTURE.md, invariant 6). A customer principal reads only their
own document; staff read all; anonymous callers none (queries/access.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from identity import Principal
from positions import Position
from queries import consistency
from queries.access import restricted
from queries.cursors import encode_cursor
from queries.customer_search import (
    CUSTOMER_HIGHLIGHTS,
    CustomerSearch,
    build_customer_search_body,
    cursor_fingerprint,
    effective_sort,
)
from queries.results import Highlights, merge_highlights, total_hits
from read_model import names
from read_model.customers import CustomerDocument
from search_engine.client import SearchClient


@dataclass(frozen=True)
class CustomerHit:
    cursor: str
    document: CustomerDocument
    highlights: Highlights


@dataclass(frozen=True)
class CustomerPage:
    edges: list[CustomerHit]
    has_next_page: bool
    end_cursor: str | None
    total_count: int


def to_customer_page(response: dict[str, Any], search: CustomerSearch) -> CustomerPage:
    """Map hits (fetched with size = first + 1) to edges, page info and the total."""
    fingerprint = cursor_fingerprint(effective_sort(search))
    hits = response["hits"]["hits"]
    edges = [
        CustomerHit(
            cursor=encode_cursor(fingerprint, hit["sort"]),
            document=hit["_source"],
            highlights=merge_highlights(hit.get("highlight") or {}, CUSTOMER_HIGHLIGHTS.fields),
        )
        for hit in hits[: search.first]
    ]
    return CustomerPage(
        edges=edges,
        has_next_page=len(hits) > search.first,
        end_cursor=edges[-1].cursor if edges else None,
        total_count=total_hits(response["hits"].get("total")),
    )


class CustomerQueries:
    """Every read takes the acting principal; `prefix` is the view's (`CUSTOMERS.prefix`)."""

    def __init__(self, client: SearchClient, prefix: str):
        self._client = client
        self._prefix = prefix
        self._alias = names.alias(self._prefix)
        self._progress = consistency.ProgressWatch(client, self._prefix)

    async def get_customer(self, customer_id: str, actor: Principal) -> CustomerDocument | None:
        """The customer's document; None if unknown or not the actor's own."""
        if not actor.signed_in().owns(customer_id) or not customer_id:
            return None
        document = await self._client.get(self._alias, customer_id)
        return None if document is None else cast(CustomerDocument, document)

    async def search_customers(self, search: CustomerSearch, actor: Principal) -> CustomerPage:
        """One page of the matching customers the actor may read; InvalidQuery for bad input."""
        body = restricted(build_customer_search_body(search), actor, owner_field="id")
        return to_customer_page(await self._client.search(self._alias, body), search)

    async def wait_for(self, token: str, timeout_ms: int) -> Position:
        """Block until the customer view has caught up with `token`."""
        return await consistency.wait_for(
            self._client, self._prefix, token, timeout_ms, self._progress
        )
