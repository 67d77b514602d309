"""What the dependency-outage tests share: a shop frontend that tells a refusal from a
success, `/ready`, and `orders serve` as a process of the test's own."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.cli_kit import Served, serve_process, wait_for

ROOT = Path(__file__).resolve().parents[2]
UNAVAILABLE = "UNAVAILABLE"

REGISTER_CUSTOMER = """
mutation($input: RegisterCustomerInput!) {
  registerCustomer(input: $input) { customerId position userErrors { code message } }
}"""
ADD_PRODUCT = """
mutation($input: AddProductInput!) {
  addProduct(input: $input) { productId position userErrors { code message } }
}"""
PLACE_ORDER = """
mutation($input: PlaceOrderInput!) {
  placeOrder(input: $input) { orderId position userErrors { code message } }
}"""
ORDERS_OF = """
query($customer: ID!, $token: String!) {
  orders(filter: {customerId: $customer}, first: 100,
         consistency: {atLeast: $token, timeoutMs: 20000}) { totalCount }
}"""


class Shop:
    """One customer buying one product, again and again; remembers the last position."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.token = ""
        self.placed = 0  # orders the API confirmed
        tag = uuid.uuid4().hex[:8]
        self.customer = self._ok(REGISTER_CUSTOMER, name="Ana Lima", email=f"ana.{tag}@example.com")
        self.product = self._ok(
            ADD_PRODUCT, sku=f"CUP-{tag}", name="Cup", price="4.50", currency="EUR"
        )

    def call(self, query: str, **variables: Any) -> dict[str, Any]:
        response = self.client.post("/graphql", json={"query": query, "variables": variables})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def place(self) -> dict[str, Any]:
        """Try to place an order: the whole answer (data or errors)."""
        body = self.call(PLACE_ORDER, input=self._order())
        if "errors" not in body:
            payload = body["data"]["placeOrder"]
            assert payload["userErrors"] == [], payload
            self.token, self.placed = payload["position"], self.placed + 1
        return body

    def search(self) -> dict[str, Any]:
        """The customer's orders once the index holds the last confirmed write: the answer."""
        return self.call(ORDERS_OF, customer=self.customer, token=self.token)

    def count_orders(self) -> int:
        body = self.search()
        assert "errors" not in body, body
        return int(body["data"]["orders"]["totalCount"])

    def _ok(self, query: str, **fields: Any) -> str:
        body = self.call(query, input=fields)
        assert "errors" not in body, body
        (payload,) = body["data"].values()
        self.token = payload["position"]
        return str(payload.get("customerId") or payload["productId"])

    def _order(self) -> dict[str, Any]:
        address = {"name": "Ana", "line1": "Rua Nova 1", "city": "Porto", "postalCode": "4000"}
        return {
            "customerId": self.customer,
            "lines": [{"productId": self.product, "quantity": 1}],
            "shippingAddress": {**address, "country": "PT"},
        }


def error_code(body: dict[str, Any]) -> str | None:
    errors = body.get("errors") or [{}]
    code = errors[0].get("extensions", {}).get("code")
    return None if code is None else str(code)


def assert_unavailable(body: dict[str, Any], dependency: str) -> None:
    """The refusal a client should see: UNAVAILABLE, a message naming the dependency, and
    nothing of the internals (driver, file, SQL, host)."""
    assert error_code(body) == UNAVAILABLE, body
    message = body["errors"][0]["message"]
    assert message == f"The {dependency} is unavailable right now; retry later.", message


def ready(client: httpx.Client) -> tuple[int, dict[str, Any]]:
    response = client.get("/ready")
    body: dict[str, Any] = response.json()
    return response.status_code, body


OUTAGE = 3.0  # seconds each outage lasts, mutations refused all along
RECOVERY = 30.0  # seconds within which a mutation must succeed once the dependency is back
IN_A_ROW = 20  # then this many mutations in a row, none failing


def database_outage(shop: Shop, reason: str, counts: Callable[[], dict[str, int]] | None) -> None:
    """While the database is out: every mutation UNAVAILABLE, nothing written (`counts`
    of the write tables unchanged), queries answered from the index, /ready 503 and why."""
    before = None if counts is None else counts()
    started = time.monotonic()
    while time.monotonic() - started < OUTAGE:
        assert_unavailable(shop.place(), "database")
        time.sleep(0.1)
    if counts is not None:
        assert counts() == before
    assert shop.count_orders() == shop.placed
    status, body = ready(shop.client)
    assert (status, body["status"], body["database"]["status"]) == (503, "unavailable", "error")
    assert reason in body["database"]["reason"], body["database"]
    assert body["search"]["status"] == "ok"


def database_recovered(shop: Shop, counts: Callable[[], dict[str, int]], backend: str) -> None:
    """Once it is back: writes succeed by themselves, none is lost, the index catches up."""
    wait_for(lambda: "errors" not in shop.place(), RECOVERY, "a mutation succeeding again")
    for _ in range(IN_A_ROW):
        body = shop.place()
        assert "errors" not in body, body
    assert counts()["orders"] == shop.placed
    assert shop.count_orders() == shop.placed  # the projector caught up
    status, body = ready(shop.client)
    assert status == 200, body
    assert body["database"] == {"status": "ok", "backend": backend, "writable": True}


def sqlite_counts(path: Path) -> dict[str, int]:
    """Orders and events in a SQLite file, read without writing."""
    with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as db:
        return {
            table: int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            for table in ("orders", "events")
        }


@contextlib.contextmanager
def orders_serve(
    env: Mapping[str, str | None], log_path: Path, *, without_root_powers: bool = False
) -> Iterator[Served]:
    """`orders serve` in a process of its own, with `env` over ours (a None value unsets).

    `without_root_powers`: as root, drop every capability, so file modes bind the server
    as they bind any other user (root writes a 0444 file otherwise).
    """
    wrapper: list[str] = []
    if without_root_powers and os.geteuid() == 0:
        wrapper = ["setpriv", "--inh-caps=-all", "--bounding-set=-all", "--"]
    settings = {**os.environ, "PYTHONUNBUFFERED": "1", **env}
    kept = {name: value for name, value in settings.items() if value is not None}
    with serve_process(ROOT, kept, log_path, wrapper=wrapper) as served:
        yield served
