"""server.py's own routes, driven in-process (no lifespan, no network, no search node)."""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool
from starlette.applications import Starlette
from starlette.exceptions import StarletteDeprecationWarning

from database.tables import events
from positions import Position
from projections.projector import Lag
from server import create_app
from settings import Settings, load_settings
from tests.unit.schema.schema_fakes import FakeWorker

with warnings.catch_warnings():
    # Starlette now prefers `httpx2` for its TestClient; plain httpx still works for this test.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

SETTINGS = load_settings(database_url="sqlite+aiosqlite:///:memory:", search_url="http://s:9200")


@dataclass
class FakeSearch:
    up: bool
    engine: str = "opensearch"
    version: str = "3.0.0"

    async def ping(self) -> bool:
        return self.up

    async def health(self, indices: list[str]) -> str:
        return "green"


@dataclass
class FakeProjector:
    prefix: str = "orders"

    async def lag(self) -> Lag:
        return Lag(checkpoint=Position(0, 5), head=Position(0, 7), events=2)


@dataclass
class ReadinessWorker:
    engine: AsyncEngine
    search: FakeSearch
    projector: FakeProjector
    settings: Settings = field(default_factory=lambda: SETTINGS)

    @property
    def projectors(self) -> dict[str, FakeProjector]:
        return {"orders": self.projector}


@pytest.fixture
async def engine() -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine("sqlite+aiosqlite:///:memory:", poolclass=StaticPool)
    async with engine.begin() as conn:  # /ready reads and (writing nothing) writes it
        await conn.run_sync(events.create)
    yield engine
    await engine.dispose()


def client(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api")


def test_create_app_needs_a_search_url() -> None:
    with pytest.raises(ValueError, match="SEARCH_URL"):
        create_app(load_settings(search_url=None))


@pytest.mark.anyio
async def test_health_is_ok_without_any_dependency() -> None:
    async with client(create_app(SETTINGS)) as http:
        response = await http.get("/health")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


@pytest.mark.anyio
async def test_graphql_serves_graphiql_to_browsers() -> None:
    app = create_app(SETTINGS)
    app.state.worker = FakeWorker()  # the context is built before the IDE is served
    async with client(app) as http:
        response = await http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


@pytest.mark.anyio
@pytest.mark.parametrize(("search_up", "status"), [(True, 200), (False, 503)])
async def test_ready_reports_each_check(engine: AsyncEngine, search_up: bool, status: int) -> None:
    app = create_app(SETTINGS)
    app.state.worker = ReadinessWorker(engine, FakeSearch(search_up), FakeProjector())
    async with client(app) as http:
        response = await http.get("/ready")
    body: dict[str, Any] = response.json()
    assert response.status_code == status
    assert body["database"] == {"status": "ok", "backend": "sqlite", "writable": True}
    assert body["search"]["status"] == ("ok" if search_up else "error")
    assert body["projection"] == {"status": "ok", "behind": 2, "checkpoint": "MDo1", "head": "MDo3"}


PAY = 'mutation { payOrder(input: {orderId: "o-1", amount: "5.00"}) { orderId position } }'


@pytest.mark.anyio
async def test_graphql_post_reaches_the_services_on_app_state() -> None:
    app = create_app(SETTINGS)
    app.state.worker = FakeWorker()
    async with client(app) as http:
        response = await http.post("/graphql", json={"query": PAY})
    assert response.status_code == 200
    assert response.json() == {"data": {"payOrder": {"orderId": "o-1", "position": "MDox"}}}


def test_graphql_answers_over_graphql_transport_ws() -> None:
    app = create_app(SETTINGS)
    app.state.worker = FakeWorker()
    http = TestClient(app)  # not entered: entering would run the lifespan
    with http.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init"})
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": PAY}})
        assert ws.receive_json() == {
            "id": "1",
            "type": "next",
            "payload": {"data": {"payOrder": {"orderId": "o-1", "position": "MDox"}}},
        }
        assert ws.receive_json() == {"id": "1", "type": "complete"}
