"""Pure builders: a `CustomerSearch` → the search request body of the customer view.

The text is ranked as an order search's (queries/text_query.py: the same tiers, accents,
typo limits, email parts and identifiers) over the customer document's fields: the whole
text as a customer id or an email first, then an email's local part or domain, then the
name as a phrase, then every word in the name, email parts, id or country.

Sorting: with text, by relevance unless a sort is given; without, by NAME. Every sort
ends with the folded name ascending (unless it sorts by NAME already), then the unique
id, so equal values list in the same order on every run. LIFETIME_VALUE is the lifetime
value in the customer's main currency (read_model/customers.py); LAST_ORDER_AT puts
customers without orders last in either direction. Pages continue with `search_after`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from queries import text_query
from queries.cursors import SortKind, decode_cursor, distinct_sorts, sort_fingerprint
from queries.errors import InvalidQuery
from queries.highlights import HighlightFields, highlight
from queries.search_request import MAX_PAGE_SIZE, Direction, iso_utc, range_clause
from queries.text_query import TextFields, clean_input

SortField = Literal["RELEVANCE", "LIFETIME_VALUE", "LAST_ORDER_AT", "ORDER_COUNT", "NAME"]

SORT_FIELDS: dict[str, tuple[str, SortKind]] = {
    "RELEVANCE": ("_score", "number"),  # the default with text; not a field of the enum
    "LIFETIME_VALUE": ("mainValue", "number"),
    "LAST_ORDER_AT": ("lastOrderAt", "date"),
    "ORDER_COUNT": ("orderCount", "number"),
    "NAME": ("name.key", "keyword"),
}
NAME_KEY = SORT_FIELDS["NAME"][0]
MAX_SORTS = 4  # one per field a client can name (RELEVANCE is only the default)
MAX_MIN_ORDERS = 2**31 - 1
# A NAME cursor carries the folded name (up to 200 characters, `\u` escapes for letters
# that do not fold to ASCII) besides the id: the order view's 512 characters do not do.
CURSOR_MAX = 4096
KEYWORD_MAX = 256  # the `.key` subfield's ignore_above

CUSTOMER_TEXT = TextFields(
    id_field="id",
    exact=("email",),
    key_terms=(),
    key_matches=("email.local", "email.domain"),
    phrases=("name",),
    spelled=("name.spelled",),
    words=("name",),
    secondary=("email.parts",),
    fuzzy=("name",),
    email="email",
    keywords=("id", "countries"),
    prefixes=("name.prefix", "email.prefix", "id.prefix"),
    ident_prefixes=("email.prefix", "id.prefix"),
)
CUSTOMER_HIGHLIGHTS = HighlightFields(
    fields=(
        "name",
        "name.prefix",
        "email.domain",
        "email.parts",
        "email.prefix",
        "email.local",
        "email",
        "countries",
        "id.prefix",
        "id",
    ),
    words=frozenset({"name", "name.prefix", "email.parts", "email.prefix"}),
    text=CUSTOMER_TEXT,
    hex_ids=frozenset({"id"}),
    with_digits=frozenset(),
    emails=frozenset({"email", "email.local", "email.domain"}),
    countries=frozenset({"countries"}),
)


@dataclass(frozen=True)
class CustomerFilter:
    country: str | None = None  # shipped to at least once (ISO alpha-2)
    min_orders: int | None = None  # orderCount at least
    last_order_from: datetime | None = None  # inclusive
    last_order_to: datetime | None = None  # inclusive


@dataclass(frozen=True)
class CustomerSort:
    field: SortField
    direction: Direction = "DESC"


@dataclass(frozen=True)
class CustomerSearch:
    text: str | None = None
    filter: CustomerFilter | None = None
    sort: list[CustomerSort] = field(default_factory=list)
    first: int = 20
    after: str | None = None
    highlights: bool = True  # only when the caller shows them


def build_customer_search_body(search: CustomerSearch) -> dict[str, Any]:
    """The complete request body; InvalidQuery for out-of-range input or a foreign cursor."""
    if not 1 <= search.first <= MAX_PAGE_SIZE:
        raise InvalidQuery(f"first must be between 1 and {MAX_PAGE_SIZE}")
    text = text_query.normalise_text(search.text)
    sort = effective_sort(search)
    query: dict[str, Any] = {"bool": {"filter": customer_filters(search.filter)}}
    body: dict[str, Any] = {
        "size": search.first + 1,  # one extra hit tells whether a next page exists
        "track_total_hits": True,
        "sort": sort_clauses(sort),
    }
    if text is not None:
        query["bool"]["must"] = [text_query.text_query(text, CUSTOMER_TEXT)]
        if search.highlights:
            body["highlight"] = highlight(text, CUSTOMER_HIGHLIGHTS)
    body["query"] = query
    if search.after is not None:
        kinds = [kind for _, _, kind in sort_chain(sort)]
        body["search_after"] = decode_cursor(
            search.after,
            cursor_fingerprint(sort),
            kinds,
            max_length=CURSOR_MAX,
            max_keyword=KEYWORD_MAX,
        )
    return body


def effective_sort(search: CustomerSearch) -> list[CustomerSort]:
    """The requested sort without repeats, or the default: relevance with text, else name."""
    specs = distinct_sorts(search.sort, SORT_FIELDS, MAX_SORTS)
    if specs:
        return specs
    if text_query.normalise_text(search.text) is not None:
        return [CustomerSort("RELEVANCE", "DESC")]
    return [CustomerSort("NAME", "ASC")]


def sort_chain(specs: list[CustomerSort]) -> list[tuple[str, Direction, SortKind]]:
    """Every sort key in order: the requested ones, the folded name, the unique id."""
    chain = [(*SORT_FIELDS[s.field], s.direction) for s in specs]
    keys = [(path, direction, kind) for path, kind, direction in chain]
    if all(s.field != "NAME" for s in specs):
        keys.append((NAME_KEY, "ASC", "keyword"))
    return [*keys, ("id", "ASC", "keyword")]


def sort_clauses(specs: list[CustomerSort]) -> list[dict[str, Any]]:
    clauses: list[dict[str, Any]] = []
    for path, direction, _ in sort_chain(specs):
        clause: dict[str, Any] = {"order": direction.lower()}
        if path == "lastOrderAt":
            clause["missing"] = "_last"  # customers without orders, in either direction
        clauses.append({path: clause})
    return clauses


def cursor_fingerprint(specs: list[CustomerSort]) -> str:
    keys = ",".join(f"{path}:{direction}" for path, direction, _ in sort_chain(specs))
    return sort_fingerprint(f"customers,{keys}")


def customer_filters(customer_filter: CustomerFilter | None) -> list[dict[str, Any]]:
    """The filter clauses the hits must match; InvalidQuery for values out of range."""
    if customer_filter is None:
        return []
    f = customer_filter
    clauses: list[dict[str, Any]] = []
    if f.country is not None:
        country = clean_input(f.country, "country", 2)
        clauses.append({"term": {"countries": {"value": country}}})
    if f.min_orders is not None:
        if not 0 <= f.min_orders <= MAX_MIN_ORDERS:
            raise InvalidQuery("minOrders must be between 0 and 2147483647")
        clauses.append({"range": {"orderCount": {"gte": f.min_orders}}})
    clauses += range_clause("lastOrderAt", iso_utc(f.last_order_from), iso_utc(f.last_order_to))
    return clauses
