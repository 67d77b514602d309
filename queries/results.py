"""Pure mapping of a raw search response to an `OrderPage` (one connection page)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from queries.cursors import encode_cursor
from queries.facets import Facets, facets_from
from queries.highlights import HIGHLIGHT_FIELDS, document_path
from queries.search_request import OrderSearch, cursor_fingerprint, effective_sort
from read_model.document import OrderDocument

Highlights = list[tuple[str, list[str]]]


@dataclass(frozen=True)
class OrderHit:
    cursor: str
    document: OrderDocument
    highlights: Highlights


@dataclass(frozen=True)
class OrderPage:
    edges: list[OrderHit]
    has_next_page: bool
    end_cursor: str | None
    total_count: int
    facets: Facets


def to_order_page(response: dict[str, Any], search: OrderSearch) -> OrderPage:
    """Map hits (fetched with size = first + 1) to edges, page info, total and facets."""
    fingerprint = cursor_fingerprint(effective_sort(search))
    hits = response["hits"]["hits"]
    edges = [
        OrderHit(
            cursor=encode_cursor(fingerprint, hit["sort"]),
            document=hit["_source"],
            highlights=merge_highlights(hit.get("highlight") or {}),
        )
        for hit in hits[: search.first]
    ]
    return OrderPage(
        edges=edges,
        has_next_page=len(hits) > search.first,
        end_cursor=edges[-1].cursor if edges else None,
        total_count=total_hits(response["hits"].get("total")),
        facets=facets_from(response.get("aggregations")),
    )


def merge_highlights(
    raw: dict[str, list[str]], preferred: tuple[str, ...] = HIGHLIGHT_FIELDS
) -> Highlights:
    """Fragments per document path, from the `preferred` field that has any (a subfield
    match such as "customer.name.prefix" is reported as "customer.name")."""
    merged: dict[str, list[str]] = {}
    order = {name: i for i, name in enumerate(preferred)}
    for name in sorted(raw, key=lambda n: (order.get(n, len(order)), n)):
        path = document_path(name)
        if path not in merged and raw[name]:
            merged[path] = list(raw[name])
    return list(merged.items())


def total_hits(total: Any) -> int:
    if isinstance(total, dict):  # {"value": n, "relation": "eq"} on ES 7+/OpenSearch
        return int(total.get("value", 0))
    return int(total or 0)
