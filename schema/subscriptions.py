"""Subscriptions: live order changes over WebSocket (graphql-transport-ws).

Each change is sent only once it is searchable (queries/change_feed.py), so a query
sent on receipt with `consistency: {atLeast: position}` sees it without waiting.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from positions import encode_token
from queries.change_feed import ChangeFilter, DocumentChange, parse_after
from schema.context import Info
from schema.errors import Forbidden, bad_user_input
from schema.order import Order

After = Annotated[
    str | None,
    strawberry.argument(
        description="A position token: also send the changes made after it (no gap)."
    ),
]


@strawberry.type(description="An order as it became searchable.")
class OrderChange:
    order: Order
    version: int = strawberry.field(description="The order's version after the change.")
    position: str = strawberry.field(
        description="Consistency token of the change; queries with `atLeast` it see it."
    )

    @classmethod
    def from_change(cls, change: DocumentChange) -> OrderChange:
        order = Order.from_document(change.document)
        return cls(order=order, version=order.version, position=encode_token(change.position))


@strawberry.type
class Subscription:
    @strawberry.subscription(description="Changes of one order, once they are searchable.")
    async def order_changed(
        self, info: Info, id: strawberry.ID, after: After = None
    ) -> AsyncGenerator[OrderChange, None]:
        actor = info.context.actor().signed_in()
        # A customer's filter also names them: another customer's order sends nothing.
        wanted = ChangeFilter(document_id=str(id), customer_id=actor.customer_id)
        async for change in _changes(info, wanted, after):
            yield change

    @strawberry.subscription(
        description=(
            "Changes of a customer's orders (all orders when omitted; for a customer, their"
            " own), once searchable."
        )
    )
    async def orders_changed(
        self, info: Info, customer_id: strawberry.ID | None = None, after: After = None
    ) -> AsyncGenerator[OrderChange, None]:
        actor = info.context.actor().signed_in()
        wanted_id = None if customer_id is None else str(customer_id)
        if actor.customer_id is not None:  # a customer hears of their own orders only
            if wanted_id not in (None, actor.customer_id):
                raise Forbidden("customers subscribe to their own orders only")
            wanted_id = actor.customer_id
        async for change in _changes(info, ChangeFilter(customer_id=wanted_id), after):
            yield change


async def _changes(
    info: Info, wanted: ChangeFilter, after: str | None
) -> AsyncGenerator[OrderChange, None]:
    with bad_user_input():
        start = parse_after(after)
    async with info.context.api.changes.subscribe(wanted, start) as subscriber:
        while True:
            yield OrderChange.from_change(await subscriber.next())
