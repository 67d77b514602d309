"""A dashboard's story over HTTP: staff read the sales report as orders come and go,
right after each write (consistency tokens); customers and anonymous callers may not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.support.tokens import bearer_headers, customer
from tests.support.writer import Writer, address

pytestmark = [pytest.mark.search]

REGISTER = "mutation($input: RegisterCustomerInput!) { registerCustomer(input: $input) { %s } }"
ADD_PRODUCT = "mutation($input: AddProductInput!) { addProduct(input: $input) { %s } }"
UPDATE_PRODUCT = "mutation($input: UpdateProductInput!) { updateProduct(input: $input) { %s } }"
PLACE = "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { %s } }"
CANCEL = "mutation($input: CancelOrderInput!) { cancelOrder(input: $input) { %s } }"
REPORT = """
query Sales($from: DateTime!, $to: DateTime!, $groupBy: [SalesGroup!], $token: String!) {
  salesReport(from: $from, to: $to, groupBy: $groupBy,
              consistency: {atLeast: $token, timeoutMs: 10000}) {
    rows { period product category country units orders revenue { amount currency } }
    totals { amount currency }
    units
    orders
  }
}"""
DAY = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
RANGE = {"from": DAY.isoformat(), "to": (DAY + timedelta(days=1)).isoformat()}
TODAY = DAY.date().isoformat()


class Dashboard(Writer):
    def report(self, *groups: str) -> dict[str, Any]:
        body = self.post(REPORT, {**RANGE, "groupBy": list(groups), "token": self.token})
        assert "errors" not in body, body
        found: dict[str, Any] = body["data"]["salesReport"]
        return found


def test_sales_report_story(api: httpx.Client) -> None:
    board = Dashboard(api)
    buyer = board.write(REGISTER, "customerId", name="Ada", email="ada@example.com")
    kettle = board.write(
        ADD_PRODUCT,
        "productId",
        sku="KTL-1",
        name="Kettle",
        price="39.90",
        currency="EUR",
        category="kitchen",
    )
    mug = board.write(
        ADD_PRODUCT, "productId", sku="MUG-1", name="Mug", price="5.00", currency="EUR"
    )
    lines = [{"productId": kettle, "quantity": 2}, {"productId": mug, "quantity": 3}]
    board.write(PLACE, "orderId", customerId=buyer, lines=lines, shippingAddress=address("PL"))
    second = board.write(
        PLACE,
        "orderId",
        customerId=buyer,
        lines=[{"productId": kettle, "quantity": 1}],
        shippingAddress=address("DE"),
    )
    assert board.report() == {
        "rows": [
            {
                "period": TODAY,
                "product": None,
                "category": None,
                "country": None,
                "units": 6,
                "orders": 2,
                "revenue": {"amount": "134.70", "currency": "EUR"},
            }
        ],
        "totals": [{"amount": "134.70", "currency": "EUR"}],
        "units": 6,
        "orders": 2,
    }

    board.write(CANCEL, "orderId", orderId=second, reason="changed mind")
    board.write(UPDATE_PRODUCT, "productId", id=kettle, category="home")
    by_product = board.report("PRODUCT", "COUNTRY")
    assert [
        (r["product"], r["category"], r["country"], r["units"], r["orders"], r["revenue"]["amount"])
        for r in by_product["rows"]
    ] == [("KTL-1", "home", "PL", 2, 1, "79.80"), ("MUG-1", None, "PL", 3, 1, "15.00")]
    assert (by_product["units"], by_product["orders"]) == (5, 1)
    assert by_product["totals"] == [{"amount": "94.80", "currency": "EUR"}]

    as_customer = board.post(
        REPORT, {**RANGE, "token": board.token}, bearer_headers(customer(buyer))
    )
    assert as_customer.get("data") is None
    assert [e["extensions"]["code"] for e in as_customer["errors"]] == ["FORBIDDEN"]
    with httpx.Client(base_url=api.base_url, timeout=30, trust_env=False) as no_token:
        anonymous = no_token.post(
            "/graphql", json={"query": REPORT, "variables": {**RANGE, "token": board.token}}
        )
    assert [e["extensions"]["code"] for e in anonymous.json()["errors"]] == ["UNAUTHENTICATED"]

    bad = board.post(REPORT, {**RANGE, "to": RANGE["from"], "token": board.token})
    assert [e["extensions"]["code"] for e in bad["errors"]] == ["BAD_USER_INPUT"]
