"""Bad input over HTTP: a coded userError or GraphQL error, and nothing written."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from database.tables import customers, events, order_lines, orders, products
from tests.support.tables import row_counts

pytestmark = [pytest.mark.search]

PLACE_ORDER = """
mutation($input: PlaceOrderInput!) {
  placeOrder(input: $input) { orderId version position userErrors { code field message } }
}"""
REGISTER = """
mutation($input: RegisterCustomerInput!) {
  registerCustomer(input: $input) { customerId version position userErrors { code field } }
}"""
PAY = """
mutation($input: PayOrderInput!) {
  payOrder(input: $input) { orderId version position userErrors { code field } }
}"""
SHIP = """
mutation($input: ShipOrderInput!) {
  shipOrder(input: $input) { orderId version position userErrors { code field } }
}"""
ADDRESS = {"name": "A", "line1": "1 Road", "city": "Oslo", "postalCode": "0150", "country": "NO"}


def post(api: httpx.Client, query: str, **variables: Any) -> dict[str, Any]:
    response = api.post("/graphql", json={"query": query, "variables": variables})
    assert "Traceback" not in response.text
    body: dict[str, Any] = response.json()
    return body


def payload(api: httpx.Client, query: str, **fields: Any) -> dict[str, Any]:
    body = post(api, query, input=fields)
    assert "errors" not in body, body
    result: dict[str, Any]
    (result,) = body["data"].values()
    return result


def counts(database_url: str) -> dict[str, int]:
    return row_counts(database_url, (customers, products, orders, order_lines, events))


def test_rejected_mutations_write_nothing(api: httpx.Client, database_url: str) -> None:
    customer = payload(api, REGISTER, name="Ida Lund", email="ida@example.com")["customerId"]
    before = counts(database_url)

    bad_email = payload(api, REGISTER, name="Ida Two", email="not-an-email")
    assert bad_email == {
        "customerId": None,
        "version": None,
        "position": None,
        "userErrors": [{"code": "VALIDATION_FAILED", "field": ["email"]}],
    }
    taken = payload(api, REGISTER, name="Ida Again", email="IDA@example.com")
    assert taken["userErrors"] == [{"code": "DUPLICATE", "field": ["email"]}]

    unknown_product = payload(
        api,
        PLACE_ORDER,
        customerId=customer,
        lines=[{"productId": "no-such-product", "quantity": 0}],
        shippingAddress={**ADDRESS, "country": "XX"},
    )
    assert unknown_product["orderId"] is None
    codes = {(e["code"], tuple(e["field"] or ())) for e in unknown_product["userErrors"]}
    assert ("VALIDATION_FAILED", ("lines", "0", "quantity")) in codes
    assert ("VALIDATION_FAILED", ("shippingAddress", "country")) in codes

    missing = payload(api, PAY, orderId="no-such-order", amount="10.00")
    assert [e["code"] for e in missing["userErrors"]] == ["NOT_FOUND"]
    not_paid = payload(api, SHIP, orderId="no-such-order", carrier="DHL", trackingNumber="X1")
    assert [e["code"] for e in not_paid["userErrors"]] == ["NOT_FOUND"]

    assert counts(database_url) == before


def test_malformed_requests_get_coded_errors(api: httpx.Client) -> None:
    syntax = post(api, "{ orders(first: 5 }")
    assert syntax["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    unknown_field = post(api, "{ orders { totalCount nope } }")
    assert unknown_field["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    too_many = post(api, "{ orders(first: 101) { totalCount } }")
    assert too_many["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    bad_token = post(api, '{ orders(consistency: {atLeast: "garbage"}) { totalCount } }')
    assert bad_token["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    bad_cursor = post(api, '{ orders(after: "bm9wZQ") { totalCount } }')
    assert bad_cursor["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    bad_decimal = post(api, '{ orders(filter: {totalMin: "lots"}) { totalCount } }')
    assert bad_decimal["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert post(api, '{ order(id: "unknown") { id } }') == {"data": {"order": None}}
