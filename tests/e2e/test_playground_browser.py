"""GraphiQL in a real browser with no network beyond loopback: open, paste a token, search.

Debian's Chromium (`/usr/bin/chromium`, or ORDERS_CHROMIUM) driven by Playwright; Playwright's
own browser download is not used. Without the binary the test skips, unless
ORDERS_REQUIRE_BROWSER=1 (as in CI), where it fails. Each test saves a screenshot as
`.artifacts/<test name>.png` (git-ignored).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import (
    BrowserContext,
    Page,
    Route,
    WebSocketRoute,
    expect,
    sync_playwright,
)

pytestmark = [pytest.mark.search]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / ".artifacts"  # screenshots, one per test, git-ignored
CHROMIUM = Path(os.environ.get("ORDERS_CHROMIUM", "/usr/bin/chromium"))
# Without the background-networking flags Chromium calls Google's hosts at start.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 30_000  # generous for a loaded 2-core machine; nothing here is timed

REGISTER_CUSTOMER = """
mutation($input: RegisterCustomerInput!) {
  registerCustomer(input: $input) { customerId position userErrors { code field message } }
}"""
ADD_PRODUCT = """
mutation($input: AddProductInput!) {
  addProduct(input: $input) { productId position userErrors { code field message } }
}"""
PLACE_ORDER = """
mutation($input: PlaceOrderInput!) {
  placeOrder(input: $input) { orderId position userErrors { code field message } }
}"""
# What a user types into GraphiQL; the token makes the search wait for the seeded orders.
FIND_ORDERS = """query FindKowalski {
  orders(search: "kowalski", consistency: {atLeast: "%s", timeoutMs: 10000}) {
    totalCount
    edges { node { id customer { name } } }
  }
}"""
WATCH_ORDERS = """subscription WatchOrders {
  ordersChanged(after: "%s") { order { id customer { name } } }
}"""
# Reports every Content-Security-Policy violation, so a blocked script or style fails the test.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""
CUSTOMERS = [("Marta Kowalski", "marta@example.com"), ("Jonas Berg", "jonas@example.org")]
KETTLE = {"sku": "KTL-100", "name": "Steel Kettle", "category": "kitchen", "price": "39.90"}
SCARF = {"sku": "SCF-7", "name": "Wool Scarf", "category": "apparel", "price": "24.50"}
ADDRESS = {"line1": "ul. Długa 5", "city": "Gdańsk", "postalCode": "80-831", "country": "PL"}
QUERY_EDITOR = ".graphiql-query-editor .CodeMirror"
HEADERS_EDITOR = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror"
RESPONSE = ".graphiql-response .CodeMirror"


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """The page does not touch the write store: one backend is enough."""
    return sqlite_url


@pytest.fixture
def chromium() -> Path:
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    reason = f"no Chromium at {CHROMIUM} (apt-get install chromium, or set ORDERS_CHROMIUM)"
    if os.environ.get("ORDERS_REQUIRE_BROWSER") == "1":
        pytest.fail(reason + "; ORDERS_REQUIRE_BROWSER=1 requires it")
    pytest.skip(reason)


def mutate(api: httpx.Client, query: str, **fields: Any) -> dict[str, Any]:
    response = api.post("/graphql", json={"query": query, "variables": {"input": fields}})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    (payload,) = body["data"].values()
    assert payload["userErrors"] == [], payload["userErrors"]
    return dict(payload)


def seed(api: httpx.Client) -> tuple[str, str]:
    """Two customers with an order each: Marta Kowalski's order id, and the last position."""
    kettle = mutate(api, ADD_PRODUCT, currency="EUR", **KETTLE)["productId"]
    placed = []
    for name, email in CUSTOMERS:
        customer = mutate(api, REGISTER_CUSTOMER, name=name, email=email)["customerId"]
        address = {**ADDRESS, "name": name}
        lines = [{"productId": kettle, "quantity": 1}]
        order = mutate(api, PLACE_ORDER, customerId=customer, lines=lines, shippingAddress=address)
        placed.append(order)
    return placed[0]["orderId"], placed[-1]["position"]


@dataclass
class Loopback:
    """Lets through only requests to the API server; records (and aborts) every other one."""

    netloc: str
    blocked: list[str] = field(default_factory=list)
    sent: list[tuple[str, str | None]] = field(default_factory=list)  # operation, token
    sockets: list[str] = field(default_factory=list)

    def install(self, context: BrowserContext) -> None:
        context.route("**/*", self.http)
        context.route_web_socket("**/*", self.socket)

    def http(self, route: Route) -> None:
        request = route.request
        if urlsplit(request.url).netloc != self.netloc:
            self.blocked.append(request.url)
            route.abort()
            return
        if request.method == "POST" and urlsplit(request.url).path == "/graphql":
            operation = (request.post_data_json or {}).get("operationName") or ""
            self.sent.append((operation, request.headers.get("authorization")))
        route.continue_()

    def socket(self, ws: WebSocketRoute) -> None:
        if urlsplit(ws.url).netloc != self.netloc:
            self.blocked.append(ws.url)
            ws.close()
            return
        self.sockets.append(ws.url)
        ws.connect_to_server()


def paste(page: Page, editor: str, text: str) -> None:
    """Replace an editor's text as a paste would (no key events, so no auto-closed brackets)."""
    page.locator(editor).click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(text)


@dataclass
class GraphiQLPage:
    """The playground as a user drives it: headers, query, run, result pane."""

    page: Page
    loopback: Loopback

    def set_token(self, authorization: str | None) -> None:
        if authorization is not None:  # as the README says: {"Authorization": "Bearer ..."}
            paste(self.page, HEADERS_EDITOR, json.dumps({"Authorization": authorization}))

    def run(self, document: str, operation: str) -> None:
        paste(self.page, QUERY_EDITOR, document)
        # GraphiQL reads the operation name from the text a moment after each edit.
        self.page.wait_for_function(
            "([editor, name]) => document.querySelector(editor).CodeMirror.operationName === name",
            arg=[QUERY_EDITOR, operation],
            timeout=WAIT_MS,
        )
        self.page.get_by_label("Execute query (Ctrl-Enter)").click()

    def shows(self, text: str) -> None:
        expect(self.page.locator(".graphiql-response")).to_contain_text(text, timeout=WAIT_MS)

    def result(self) -> Any:
        return json.loads(
            self.page.evaluate(f"document.querySelector({RESPONSE!r}).CodeMirror.getValue()")
        )

    def csp_violations(self) -> Any:
        return self.page.evaluate("window.__cspViolations")


@pytest.fixture
def graphiql(
    chromium: Path, api: httpx.Client, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[GraphiQLPage]:
    """`/graphql` open in a fresh headless Chromium that reaches nothing but the API server."""
    loopback = Loopback(netloc=api.base_url.netloc.decode())
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            tmp_path / "profile", executable_path=str(chromium), args=FLAGS, headless=True
        )
        try:
            loopback.install(context)
            page = context.new_page()
            page.add_init_script(WATCH_CSP)
            page.goto(str(api.base_url.join("/graphql")))
            yield GraphiQLPage(page, loopback)
            # Also after a failure: what the page showed.
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"))
        finally:
            context.close()


def test_graphiql_searches_orders_with_no_network_beyond_loopback(
    graphiql: GraphiQLPage, api: httpx.Client
) -> None:
    order_id, position = seed(api)
    authorization = api.headers.get("authorization")
    expect(graphiql.page.locator(QUERY_EDITOR)).to_be_visible(timeout=WAIT_MS)
    graphiql.set_token(authorization)
    graphiql.run(FIND_ORDERS % position, "FindKowalski")
    graphiql.shows("Marta Kowalski")
    # A dialog makes GraphiQL inject its one <style> element, which the CSP admits by hash.
    graphiql.page.get_by_label("Open settings dialog").click()
    expect(graphiql.page.get_by_role("dialog")).to_be_visible(timeout=WAIT_MS)
    graphiql.page.keyboard.press("Escape")

    assert graphiql.result() == {
        "data": {
            "orders": {
                "totalCount": 1,
                "edges": [{"node": {"id": order_id, "customer": {"name": "Marta Kowalski"}}}],
            }
        }
    }
    assert graphiql.loopback.blocked == []
    assert graphiql.csp_violations() == []
    # The pasted token went with the search and with the schema fetch it triggered.
    assert ("FindKowalski", authorization) in graphiql.loopback.sent
    assert ("IntrospectionQuery", authorization) in graphiql.loopback.sent


def test_graphiql_subscribes_over_the_same_origin_websocket(
    graphiql: GraphiQLPage, api: httpx.Client
) -> None:
    _, position = seed(api)
    expect(graphiql.page.locator(QUERY_EDITOR)).to_be_visible(timeout=WAIT_MS)
    graphiql.set_token(api.headers.get("authorization"))
    # `after`: the order placed below arrives even if it is indexed before the socket opens.
    graphiql.run(WATCH_ORDERS % position, "WatchOrders")
    customer = mutate(api, REGISTER_CUSTOMER, name="Ingrid Sørensen", email="ingrid@example.no")
    scarf = mutate(api, ADD_PRODUCT, currency="EUR", **SCARF)["productId"]
    order = mutate(
        api,
        PLACE_ORDER,
        customerId=customer["customerId"],
        lines=[{"productId": scarf, "quantity": 2}],
        shippingAddress={**ADDRESS, "name": "Ingrid Sørensen"},
    )
    graphiql.shows(order["orderId"])

    assert graphiql.result()["data"]["ordersChanged"]["order"] == {
        "id": order["orderId"],
        "customer": {"name": "Ingrid Sørensen"},
    }
    assert graphiql.loopback.sockets == [str(api.base_url.join("/graphql")).replace("http", "ws")]
    assert graphiql.loopback.blocked == []
    assert graphiql.csp_violations() == []
