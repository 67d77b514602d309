"""Pure builders: an `OrderSearch` → the search request body (Elasticsearch 8/9, OpenSearch 2/3).

Text goes to `bool.must`. Filters no facet owns (customer, product, SKU) go to
`bool.filter` (cached, unscored); the filters a facet owns go to `post_filter`, so the
hits get every filter while each facet ignores its own (see `queries.facets`).

Sorting always ends with the unique `id`, and pages continue with `search_after`
(never `from`), so paging has no depth limit (`index.max_result_window` bounds `from`
only). A sort ending in RELEVANCE breaks equal scores by `placedAt`, newest first, then
`id`: the same query over the same data lists its results in the same, meaningful order
on every run. What a cursor guarantees while orders keep arriving is in `queries.cursors`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal

from order_status import OrderStatus
from queries import facets, highlights, text_query
from queries.cursors import SortKind, decode_cursor, distinct_sorts, sort_fingerprint
from queries.errors import InvalidQuery
from queries.text_query import clean_input

SortField = Literal["RELEVANCE", "PLACED_AT", "UPDATED_AT", "TOTAL"]
Direction = Literal["ASC", "DESC"]

MAX_PAGE_SIZE = 100
STATUSES = frozenset(OrderStatus)
SORT_FIELDS: dict[str, str] = {
    "RELEVANCE": "_score",
    "PLACED_AT": "placedAt",
    "UPDATED_AT": "updatedAt",
    "TOTAL": "total",
}
SORT_KINDS: dict[str, SortKind] = {
    "RELEVANCE": "number",
    "PLACED_AT": "date",
    "UPDATED_AT": "date",
    "TOTAL": "number",
}
TIEBREAKER = "id"
MAX_SORTS = len(SORT_FIELDS)  # one entry per field
# Filter strings and lists, at most as long as any stored value they could equal
# (the write side's limits) or as the statuses and categories a client could mean.
FILTER_LIMITS = {"customer_id": 36, "product_id": 36, "sku": 64, "country": 2}
CATEGORY_MAX = 100
MAX_FILTER_VALUES = 50


@dataclass(frozen=True)
class OrderFilter:
    status: list[str] | None = None
    customer_id: str | None = None
    product_id: str | None = None
    sku: str | None = None
    country: str | None = None
    placed_from: datetime | None = None  # inclusive
    placed_to: datetime | None = None  # inclusive
    total_min: Decimal | None = None  # inclusive
    total_max: Decimal | None = None  # inclusive
    category: list[str] | None = None  # any of these product categories, as the facet shows them


@dataclass(frozen=True)
class SortSpec:
    field: SortField
    direction: Direction = "DESC"


@dataclass(frozen=True)
class OrderSearch:
    text: str | None = None
    filter: OrderFilter | None = None
    sort: list[SortSpec] = field(default_factory=list)
    first: int = 20
    after: str | None = None
    # What the caller will show: the engine computes facets and highlights only if asked.
    facets: bool = True
    highlights: bool = True


def build_search_body(search: OrderSearch) -> dict[str, Any]:
    """The complete request body; ValueError for out-of-range input or a foreign cursor."""
    if not 1 <= search.first <= MAX_PAGE_SIZE:
        raise InvalidQuery(f"first must be between 1 and {MAX_PAGE_SIZE}")
    text = text_query.normalise_text(search.text)
    sort = effective_sort(search)
    groups = filter_groups(search.filter)
    common = groups.pop(COMMON)
    query: dict[str, Any] = {"bool": {"filter": common}}
    body: dict[str, Any] = {
        "size": search.first + 1,  # one extra hit tells whether a next page exists
        "track_total_hits": True,  # exact totalCount, also past 10,000
        "sort": sort_clauses(sort),
    }
    faceted = [clause for clauses in groups.values() for clause in clauses]
    if search.facets:
        body["aggs"] = facets.aggregations(groups)
        if faceted:  # after the aggregations, so each facet ignores its own filter
            body["post_filter"] = {"bool": {"filter": faceted}}
    else:  # no aggregations to spare: the same hits, filtered in the query
        query["bool"]["filter"] = common + faceted
    if text is not None:
        matched = text_query.text_query(text)
        query["bool"]["must"] = [matched]
        if search.highlights:
            body["highlight"] = highlights.highlight(text)
    body["query"] = query
    if search.after is not None:
        kinds = [*(SORT_KINDS[spec.field] for spec in sort), *(k for _, _, k in tiebreakers(sort))]
        body["search_after"] = decode_cursor(search.after, cursor_fingerprint(sort), kinds)
    return body


def effective_sort(search: OrderSearch) -> list[SortSpec]:
    """The requested sort without repeats, or the default: relevance with text, else newest."""
    specs = distinct_sorts(search.sort, SORT_FIELDS, MAX_SORTS)
    if specs:
        return specs
    has_text = text_query.normalise_text(search.text) is not None
    return [SortSpec("RELEVANCE" if has_text else "PLACED_AT", "DESC")]


def tiebreakers(specs: list[SortSpec]) -> list[tuple[str, Direction, SortKind]]:
    """What orders equal sort values: after a relevance sort the newest order first (equal
    scores are common: text tiers are constant scores), and always the unique id last."""
    chain: list[tuple[str, Direction, SortKind]] = []
    if specs[-1].field == "RELEVANCE" and all(s.field != "PLACED_AT" for s in specs):
        chain.append((SORT_FIELDS["PLACED_AT"], "DESC", "date"))
    return [*chain, (TIEBREAKER, "ASC", "keyword")]


def sort_clauses(specs: list[SortSpec]) -> list[dict[str, Any]]:
    clauses = [(SORT_FIELDS[s.field], s.direction) for s in specs]
    clauses += [(path, direction) for path, direction, _ in tiebreakers(specs)]
    return [{path: {"order": direction.lower()}} for path, direction in clauses]


def cursor_fingerprint(specs: list[SortSpec]) -> str:
    key = ",".join(f"{s.field}:{s.direction}" for s in specs)
    ties = ",".join(f"{path}:{direction}" for path, direction, _ in tiebreakers(specs))
    return sort_fingerprint(f"{key},{ties}")


COMMON = ""  # the key of filter clauses no facet owns


def filter_groups(order_filter: OrderFilter | None) -> dict[str, list[dict[str, Any]]]:
    """Filter clauses by the facet that owns (and ignores) them; COMMON: owned by none.

    An empty or None status/category list means any.
    """
    groups: dict[str, list[dict[str, Any]]] = {COMMON: [], **{n: [] for n in facets.FACET_NAMES}}
    if order_filter is None:
        return groups
    f = checked_filter(order_filter)
    if f.status:
        unknown = sorted(set(f.status) - STATUSES)
        if unknown:
            raise InvalidQuery(f"unknown order status {', '.join(unknown)}")
        groups["status"].append({"terms": {"status": sorted(set(f.status))}})
    if f.category:
        groups["category"].append({"terms": {"lines.category": sorted(set(f.category))}})
    for path, value in (
        ("customer.id", f.customer_id),
        ("lines.productId", f.product_id),
        ("lines.sku", f.sku),
    ):
        if value is not None:
            groups[COMMON].append({"term": {path: {"value": value}}})
    if f.country is not None:
        groups["country"].append({"term": {"shippingAddress.country": {"value": f.country}}})
    groups["placedMonth"] += range_clause("placedAt", iso_utc(f.placed_from), iso_utc(f.placed_to))
    groups["totalRange"] += range_clause("total", _amount(f.total_min), _amount(f.total_max))
    return groups


def checked_filter(order_filter: OrderFilter) -> OrderFilter:
    """The filter with its strings trimmed and in NFC; InvalidQuery for strings or lists
    that are too long or hold refused characters (see `text_query.clean_input`)."""
    f = order_filter
    changes: dict[str, Any] = {}
    for name, limit in FILTER_LIMITS.items():
        if (value := getattr(f, name)) is not None:
            changes[name] = clean_input(value, _camel(name), limit)
    for name, values in (("status", f.status), ("category", f.category)):
        if values is not None and len(values) > MAX_FILTER_VALUES:
            raise InvalidQuery(f"{name} takes at most {MAX_FILTER_VALUES} values")
    if f.category is not None:
        changes["category"] = [clean_input(c, "category", CATEGORY_MAX) for c in f.category]
    return replace(f, **changes)


def _camel(name: str) -> str:
    head, _, tail = name.partition("_")
    return head + tail.title()


def build_filters(order_filter: OrderFilter | None) -> list[dict[str, Any]]:
    """Every filter clause, flat (common ones first): what the hits must match."""
    return [clause for clauses in filter_groups(order_filter).values() for clause in clauses]


def range_clause(path: str, low: str | None, high: str | None) -> list[dict[str, Any]]:
    if low is None and high is None:
        return []
    bounds = {k: v for k, v in (("gte", low), ("lte", high)) if v is not None}
    return [{"range": {path: bounds}}]


def iso_utc(value: datetime | None) -> str | None:
    """UTC ISO 8601 with milliseconds; a naive datetime is taken as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _amount(value: Decimal | None) -> str | None:
    if value is None:
        return None
    if not Decimal(value).is_finite():
        raise InvalidQuery("amounts must be finite numbers")
    return format(Decimal(value), "f")
