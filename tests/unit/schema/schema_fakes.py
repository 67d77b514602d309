"""Fakes at the schema's boundary: a command bus and a query service that record calls.

They stand in for `Services.bus` / `Services.queries` so the GraphQL layer's
translation and error mapping can be tested without a database or a search node.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from commands.messages import CommandResult
from queries.errors import InvalidQuery
from schema.build import build_schema
from schema.context import Context

RESULT = CommandResult(id="o-1", version=1, position="MDox")
Behaviour = Callable[..., Any]


@dataclass
class FakeBus:
    """Returns `result` for every command, or calls `behaviour` (which may raise)."""

    result: CommandResult = field(default_factory=lambda: RESULT)
    behaviour: Behaviour | None = None
    commands: list[Any] = field(default_factory=list)

    async def dispatch(self, command: Any) -> CommandResult:
        self.commands.append(command)
        if self.behaviour is not None:
            return self.behaviour(command)  # type: ignore[no-any-return]
        return self.result


@dataclass
class FakeQueries:
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    page: Any = None
    on_wait: Behaviour | None = None
    on_search: Behaviour | None = None
    suggestions: list[Any] = field(default_factory=list)
    waits: list[tuple[str, int]] = field(default_factory=list)
    searches: list[Any] = field(default_factory=list)
    suggested: list[tuple[str, int]] = field(default_factory=list)

    async def get_order(self, order_id: str) -> dict[str, Any] | None:
        return self.documents.get(order_id)

    async def search_orders(self, request: Any) -> Any:
        self.searches.append(request)
        if self.on_search is not None:
            return self.on_search(request)
        return self.page

    async def suggest_orders(self, prefix: str, first: int) -> list[Any]:
        self.suggested.append((prefix, first))
        if first > 50:
            raise InvalidQuery("first must be between 1 and 50")
        return self.suggestions

    async def wait_for(self, token: str, timeout_ms: int) -> None:
        self.waits.append((token, timeout_ms))
        if self.on_wait is not None:
            self.on_wait(token, timeout_ms)


@dataclass
class FakeServices:
    bus: FakeBus = field(default_factory=FakeBus)
    queries: FakeQueries = field(default_factory=FakeQueries)


@dataclass
class Api:
    """Executes operations against the real schema with fake services behind it."""

    services: FakeServices

    def __post_init__(self) -> None:
        self.schema = build_schema(query_cache_size=16)

    async def run(self, query: str, **variables: Any) -> tuple[Any, list[dict[str, Any]]]:
        context = Context(services=self.services, request=None)  # type: ignore[arg-type]
        result = await self.schema.execute(query, variable_values=variables, context_value=context)
        errors = [error.formatted for error in result.errors or []]
        return result.data, errors
