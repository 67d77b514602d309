"""GraphiQL in a real browser with no network beyond loopback: open, paste a token, search.

Debian's Chromium (`/usr/bin/chromium`, or ORDERS_CHROMIUM) driven by Playwright; Playwright's
own browser download is not used. Without the binary the test skips, unless
ORDERS_REQUIRE_BROWSER=1 (as in CI), where it fails. The screenshot goes to
`.artifacts/playground-browser.png` (git-ignored).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, Route, WebSocketRoute, expect, sync_playwright

pytestmark = [pytest.mark.search]

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / ".artifacts" / "playground-browser.png"
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
# Reports every Content-Security-Policy violation, so a blocked script or style fails the test.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""
CUSTOMERS = [("Marta Kowalski", "marta@example.com"), ("Jonas Berg", "jonas@example.org")]
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
    product = {"sku": "KTL-100", "name": "Steel Kettle", "category": "kitchen", "price": "39.90"}
    kettle = mutate(api, ADD_PRODUCT, **product, currency="EUR")["productId"]
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
        ws.connect_to_server()


def paste(page: Page, editor: str, text: str) -> None:
    """Replace an editor's text as a paste would (no key events, so no auto-closed brackets)."""
    page.locator(editor).click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(text)


def run_in_graphiql(page: Page, query: str, authorization: str | None) -> dict[str, Any]:
    """Set the token header (if any) and the query, run it, and read the result pane."""
    expect(page.locator(QUERY_EDITOR)).to_be_visible(timeout=WAIT_MS)
    if authorization is not None:
        paste(page, HEADERS_EDITOR, json.dumps({"Authorization": authorization}))
    paste(page, QUERY_EDITOR, query)
    # GraphiQL reads the operation name from the text a moment after each edit.
    page.wait_for_function(
        "(editor) => document.querySelector(editor).CodeMirror.operationName === 'FindKowalski'",
        arg=QUERY_EDITOR,
        timeout=WAIT_MS,
    )
    page.get_by_label("Execute query (Ctrl-Enter)").click()
    expect(page.locator(".graphiql-response")).to_contain_text("totalCount", timeout=WAIT_MS)
    result: dict[str, Any] = json.loads(
        page.evaluate(f"document.querySelector({RESPONSE!r}).CodeMirror.getValue()")
    )
    return result


def test_graphiql_searches_orders_with_no_network_beyond_loopback(
    api: httpx.Client, chromium: Path, tmp_path: Path
) -> None:
    order_id, position = seed(api)
    authorization = api.headers.get("authorization")
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
            try:
                result = run_in_graphiql(page, FIND_ORDERS % position, authorization)
                expect(page.locator(".graphiql-response")).to_contain_text("Marta Kowalski")
            finally:  # also of a failure, to see what the page showed
                SCREENSHOT.parent.mkdir(exist_ok=True)
                page.screenshot(path=str(SCREENSHOT))
            violations = page.evaluate("window.__cspViolations")
        finally:
            context.close()

    assert result == {
        "data": {
            "orders": {
                "totalCount": 1,
                "edges": [{"node": {"id": order_id, "customer": {"name": "Marta Kowalski"}}}],
            }
        }
    }
    assert loopback.blocked == []
    assert violations == []
    # The pasted token went with the search and with the schema fetch it triggered.
    assert ("FindKowalski", authorization) in loopback.sent
    assert ("IntrospectionQuery", authorization) in loopback.sent
