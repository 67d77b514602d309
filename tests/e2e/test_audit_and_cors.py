"""Who did what, in which request; and browsers on the configured origins only."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from websockets.exceptions import InvalidStatus

from database.engine import create_engine
from database.tables import events
from tests.e2e.conftest import serve
from tests.support.graphql_ws import open_live
from tests.support.tokens import bearer_headers, customer

pytestmark = [pytest.mark.search]

REGISTER = """mutation($input: RegisterCustomerInput!) {
  registerCustomer(input: $input) { customerId userErrors { code } } }"""
UPDATE = """mutation($input: UpdateCustomerInput!) {
  updateCustomer(input: $input) { customerId userErrors { code } } }"""
SHOP = "https://shop.example.com"


def metadata_of(database_url: str, stream_id: str) -> list[dict[str, Any]]:
    async def read() -> list[dict[str, Any]]:
        engine = create_engine(database_url)
        try:
            async with engine.connect() as conn:
                query = select(events.c.metadata).where(events.c.stream_id == stream_id)
                return [row[0] for row in (await conn.execute(query.order_by(events.c.seq)))]
        finally:
            await engine.dispose()

    return asyncio.run(read())


def test_each_event_names_its_actor_and_request(api: httpx.Client, database_url: str) -> None:
    variables = {"input": {"name": "Ana Alves", "email": "ana@example.com"}}
    response = api.post(
        "/graphql",
        json={"query": REGISTER, "variables": variables},
        headers={"X-Request-ID": "checkout-42"},
    )
    assert response.headers["x-request-id"] == "checkout-42"
    ana = response.json()["data"]["registerCustomer"]["customerId"]
    update = {"input": {"id": ana, "name": "Ana B. Alves"}}
    as_ana = api.post(
        "/graphql",
        json={"query": UPDATE, "variables": update},
        headers=bearer_headers(customer(ana)),
    )
    generated = as_ana.headers["x-request-id"]
    assert len(generated) >= 32  # none sent: the server made one
    assert metadata_of(database_url, ana) == [
        {"actor": {"sub": "test-staff", "role": "staff"}, "requestId": "checkout-42"},
        {"actor": {"sub": f"customer-{ana}", "role": "customer"}, "requestId": generated},
    ]


def test_a_malformed_request_id_is_replaced(api: httpx.Client) -> None:
    response = api.get("/health", headers={"X-Request-ID": "bad id\twith spaces"})
    assert response.headers["x-request-id"] != "bad id\twith spaces"
    assert len(response.headers["x-request-id"]) >= 32


@pytest.fixture
def shop_api(database_url: str, search_url: str, index_prefix: str) -> Iterator[httpx.Client]:
    with serve(database_url, search_url, index_prefix, cors_origins=SHOP) as client:
        yield client


def test_a_preflight_from_a_configured_origin_is_answered(shop_api: httpx.Client) -> None:
    response = shop_api.options(
        "/graphql",
        headers={
            "Origin": SHOP,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == SHOP
    allowed = response.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed and "content-type" in allowed
    post = shop_api.post("/graphql", json={"query": "{ __typename }"}, headers={"Origin": SHOP})
    assert post.headers["access-control-allow-origin"] == SHOP
    assert "x-request-id" in post.headers["access-control-expose-headers"].lower()


def test_other_origins_get_no_cors_grant(shop_api: httpx.Client) -> None:
    response = shop_api.options(
        "/graphql",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


def _ws(api: httpx.Client, origin: str) -> None:
    with open_live(api, headers={"Origin": origin}):
        pass


def test_websockets_from_configured_origins_only(shop_api: httpx.Client) -> None:
    _ws(shop_api, SHOP)
    with pytest.raises(InvalidStatus) as refused:
        _ws(shop_api, "https://evil.example")
    assert refused.value.response.status_code == 403
