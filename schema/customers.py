"""The customer view's queries: `customer(id)` and `customers(search, filter, sort, ...)`,
answered from the customer index alone (queries/customers.py). A customer reads only
their own summary; anonymous callers are refused (UNAUTHENTICATED)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any

import strawberry

from positions import encode_token
from queries.change_feed import ChangeFilter, parse_after
from queries.customer_search import CustomerFilter, CustomerSearch, CustomerSort
from schema.connection import FacetBucket, Highlight, PageInfo
from schema.context import Info
from schema.enums import SortDirection
from schema.errors import Forbidden, bad_user_input
from schema.money import Money
from schema.queries import DEFAULT_FIRST, Consistency, catch_up, selects
from schema.scalars import parse_datetime
from schema.subscriptions import After

if TYPE_CHECKING:
    from queries.customers import CustomerHit, CustomerPage


def _when(value: str | None) -> datetime | None:
    return None if value is None else parse_datetime(value)


@strawberry.type(description="A customer as the customer view shows them (current values).")
class CustomerSummary:
    id: strawberry.ID
    name: str
    email: str
    registered_at: datetime
    version: int
    order_count: int = strawberry.field(description="Every order, cancelled ones included.")
    orders_by_status: list[FacetBucket] = strawberry.field(
        description="Order counts per status (statuses with orders only)."
    )
    lifetime_value: list[Money] = strawberry.field(
        description="Per currency: the totals of the orders not cancelled."
    )
    first_order_at: datetime | None
    last_order_at: datetime | None
    countries: list[str] = strawberry.field(description="Where their orders ship to (ISO).")

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> CustomerSummary:
        return cls(
            id=strawberry.ID(doc["id"]),
            name=doc["name"],
            email=doc["email"],
            registered_at=parse_datetime(doc["registeredAt"]),
            version=doc["version"],
            order_count=doc["orderCount"],
            orders_by_status=[
                FacetBucket(value=s["status"], count=s["count"]) for s in doc["ordersByStatus"]
            ],
            lifetime_value=[
                Money(amount=Decimal(m["amount"]), currency=m["currency"])
                for m in doc["lifetimeValue"]
            ],
            first_order_at=_when(doc.get("firstOrderAt")),
            last_order_at=_when(doc.get("lastOrderAt")),
            countries=list(doc["countries"]),
        )


@strawberry.type
class CustomerEdge:
    cursor: str
    node: CustomerSummary
    highlights: list[Highlight]

    @classmethod
    def from_hit(cls, hit: CustomerHit) -> CustomerEdge:
        return cls(
            cursor=hit.cursor,
            node=CustomerSummary.from_document(hit.document),
            highlights=[Highlight(field=f, fragments=list(frags)) for f, frags in hit.highlights],
        )


@strawberry.type
class CustomerConnection:
    edges: list[CustomerEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def from_page(cls, page: CustomerPage) -> CustomerConnection:
        return cls(
            edges=[CustomerEdge.from_hit(hit) for hit in page.edges],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            total_count=page.total_count,
        )


@strawberry.enum(
    description=(
        "LIFETIME_VALUE: the lifetime value in the customer's main currency (the one of "
        "most of their orders not cancelled). LAST_ORDER_AT: customers without orders last."
    )
)
class CustomerSortField(Enum):
    LIFETIME_VALUE = "LIFETIME_VALUE"
    LAST_ORDER_AT = "LAST_ORDER_AT"
    ORDER_COUNT = "ORDER_COUNT"
    NAME = "NAME"


@strawberry.input(name="CustomerFilter")
class CustomerFilterInput:
    country: str | None = strawberry.field(default=None, description="Shipped to at least once.")
    min_orders: int | None = strawberry.field(default=None, description="orderCount at least.")
    last_order_from: datetime | None = None
    last_order_to: datetime | None = None

    def to_filter(self) -> CustomerFilter:
        return CustomerFilter(
            country=self.country,
            min_orders=self.min_orders,
            last_order_from=self.last_order_from,
            last_order_to=self.last_order_to,
        )


@strawberry.input(name="CustomerSort")
class CustomerSortInput:
    field: CustomerSortField
    direction: SortDirection | None = SortDirection.DESC

    def to_sort(self) -> CustomerSort:
        direction = self.direction or SortDirection.DESC
        return CustomerSort(field=self.field.value, direction=direction.value)


@strawberry.type
class CustomerQuery:
    @strawberry.field(description="One customer's summary, or null (unknown, or not yours).")
    async def customer(
        self, info: Info, id: strawberry.ID, consistency: Consistency = None
    ) -> CustomerSummary | None:
        customers, actor = info.context.api.customers, info.context.actor()
        await catch_up(customers, consistency)
        document = await customers.get_customer(str(id), actor)
        return None if document is None else CustomerSummary.from_document(document)

    @strawberry.field(
        description=(
            "Customer search: name, email (whole, local part, domain), id; filters and sorts; "
            "by relevance with text, else by name; ties by name, then id."
        )
    )
    async def customers(
        self,
        info: Info,
        search: str | None = None,
        filter: CustomerFilterInput | None = None,
        sort: list[CustomerSortInput] | None = None,
        first: int | None = DEFAULT_FIRST,
        after: str | None = None,
        consistency: Consistency = None,
    ) -> CustomerConnection:
        customers, actor = info.context.api.customers, info.context.actor()
        await catch_up(customers, consistency)
        request = CustomerSearch(
            text=search,
            filter=None if filter is None else filter.to_filter(),
            sort=[spec.to_sort() for spec in sort or []],
            first=DEFAULT_FIRST if first is None else first,
            after=after,
            highlights=selects(info.selected_fields, "customers", "edges", "highlights"),
        )
        with bad_user_input():  # a bad cursor, filter or `first` out of 1..100
            page = await customers.search_customers(request, actor)
        return CustomerConnection.from_page(page)


@strawberry.type(description="A customer's summary as it became searchable.")
class CustomerChange:
    customer: CustomerSummary
    version: int = strawberry.field(description="The customer's version after the change.")
    position: str = strawberry.field(
        description="Consistency token of the change; queries with `atLeast` it see it."
    )


@strawberry.type
class CustomerSubscription:
    @strawberry.subscription(
        description=(
            "Changes of one customer's summary (their record or any of their orders), once "
            "searchable; a customer may follow only their own."
        )
    )
    async def customer_changed(
        self, info: Info, id: strawberry.ID, after: After = None
    ) -> AsyncGenerator[CustomerChange, None]:
        actor = info.context.actor().signed_in()
        if not actor.owns(str(id)):
            raise Forbidden("customers follow their own summary only")
        with bad_user_input():
            start = parse_after(after)
        feed = info.context.api.customer_changes
        async with feed.subscribe(ChangeFilter(document_id=str(id)), start) as subscriber:
            while True:
                change = await subscriber.next()
                summary = CustomerSummary.from_document(change.document)
                yield CustomerChange(
                    customer=summary,
                    version=summary.version,
                    position=encode_token(change.position),
                )
