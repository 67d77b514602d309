"""Fakes at the schema's boundary: a command bus and a query service that record calls.

They stand in for `Services.bus` / `Services.queries` so the GraphQL layer's
translation and error mapping can be tested without a database or a search node.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLFormattedError

from commands.messages import CommandResult
from identity.tokens import TokenVerifier
from queries.errors import InvalidQuery
from read_model.document import OrderDocument
from schema.build import build_schema
from schema.context import Context
from tests.support.actors import STAFF

RESULT = CommandResult(id="o-1", version=1, position="MDox")
Behaviour = Callable[..., Any]


@dataclass
class FakeBus:
    """Returns `result` for every command, or calls `behaviour` (which may raise)."""

    result: CommandResult = field(default_factory=lambda: RESULT)
    behaviour: Behaviour | None = None
    commands: list[Any] = field(default_factory=list)
    actors: list[Any] = field(default_factory=list)

    async def dispatch(
        self, command: Any, actor: Any = None, *, request_id: str | None = None
    ) -> CommandResult:
        self.commands.append(command)
        self.actors.append(actor)
        if self.behaviour is not None:
            result: CommandResult = self.behaviour(command)
            return result
        return self.result


@dataclass
class FakeQueries:
    documents: dict[str, OrderDocument] = field(default_factory=dict)
    page: Any = None
    on_wait: Behaviour | None = None
    on_search: Behaviour | None = None
    suggestions: list[Any] = field(default_factory=list)
    waits: list[tuple[str, int]] = field(default_factory=list)
    searches: list[Any] = field(default_factory=list)
    suggested: list[tuple[str, int]] = field(default_factory=list)

    async def get_order(self, order_id: str, actor: Any = None) -> OrderDocument | None:
        return self.documents.get(order_id)

    async def search_orders(self, request: Any, actor: Any = None) -> Any:
        self.searches.append(request)
        if self.on_search is not None:
            return self.on_search(request)
        return self.page

    async def suggest_orders(self, prefix: str, first: int, actor: Any = None) -> list[Any]:
        self.suggested.append((prefix, first))
        if first > 50:
            raise InvalidQuery("first must be between 1 and 50")
        return self.suggestions

    async def wait_for(self, token: str, timeout_ms: int) -> None:
        self.waits.append((token, timeout_ms))
        if self.on_wait is not None:
            self.on_wait(token, timeout_ms)


@dataclass
class FakeCustomers:
    """Stands in for `Services.customers`: documents by id, a fixed page, recorded calls."""

    documents: dict[str, Any] = field(default_factory=dict)
    page: Any = None
    on_search: Behaviour | None = None
    searches: list[Any] = field(default_factory=list)
    waits: list[tuple[str, int]] = field(default_factory=list)

    async def get_customer(self, customer_id: str, actor: Any = None) -> Any:
        return self.documents.get(customer_id)

    async def search_customers(self, request: Any, actor: Any = None) -> Any:
        self.searches.append(request)
        if self.on_search is not None:
            return self.on_search(request)
        return self.page

    async def wait_for(self, token: str, timeout_ms: int) -> None:
        self.waits.append((token, timeout_ms))


@dataclass
class FakeServices:
    bus: FakeBus = field(default_factory=FakeBus)
    queries: FakeQueries = field(default_factory=FakeQueries)
    customers: FakeCustomers = field(default_factory=FakeCustomers)
    # The suite's secret (tests/conftest.py), as the real services would load it.
    tokens: TokenVerifier = field(
        default_factory=lambda: TokenVerifier("HS256", key=os.environ["AUTH_SECRET"])
    )


@dataclass
class FakeWorker:
    """What the app keeps on `app.state.worker` (composition.ApiWorker), as far as the
    GraphQL view reads it."""

    api: FakeServices = field(default_factory=FakeServices)


@dataclass
class Api:
    """Executes operations against the real schema with fake services behind it."""

    services: FakeServices

    def __post_init__(self) -> None:
        self.schema = build_schema(query_cache_size=16)

    async def run(self, query: str, **variables: Any) -> tuple[Any, list[GraphQLFormattedError]]:
        context = Context(
            api=self.services,  # type: ignore[arg-type]
            request=None,  # type: ignore[arg-type]
            principal=STAFF,
        )
        result = await self.schema.execute(query, variable_values=variables, context_value=context)
        errors = [error.formatted for error in result.errors or []]
        return result.data, errors
