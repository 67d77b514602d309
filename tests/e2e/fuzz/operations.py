"""Every query and mutation as a document with variables, and a valid input for each built
from the seeded data, so fuzzed inputs start from something that would succeed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from tests.e2e.fuzz.wire import Enum, post, to_literal

OUTCOME = "version position userErrors { code field message }"
ID_FIELD = {"registerCustomer": "customerId", "updateCustomer": "customerId",
            "addProduct": "productId", "updateProduct": "productId"}  # fmt: skip
MUTATIONS = {
    "registerCustomer": "RegisterCustomerInput",
    "updateCustomer": "UpdateCustomerInput",
    "addProduct": "AddProductInput",
    "updateProduct": "UpdateProductInput",
    "placeOrder": "PlaceOrderInput",
    "updateShippingAddress": "UpdateShippingAddressInput",
    "payOrder": "PayOrderInput",
    "shipOrder": "ShipOrderInput",
    "deliverOrder": "DeliverOrderInput",
    "cancelOrder": "CancelOrderInput",
}
ORDER_FIELDS = (
    "id status version placedAt updatedAt total currency itemCount "
    "customer { id name email } lines { productId sku productName category quantity "
    "unitPrice lineTotal } shippingAddress { name line1 line2 city postalCode country } "
    "payment { amount paidAt } shipment { carrier trackingNumber shippedAt deliveredAt } "
    "cancellation { reason cancelledAt }"
)
FACETS = " ".join(
    f"{name} {{ value count }}"
    for name in ("status", "country", "category", "placedMonth", "totalRange")
)
QUERY_VARIABLES = {
    "order": "$id: ID!, $consistency: ConsistencyInput",
    "orders": "$search: String, $filter: OrderFilter, $sort: [OrderSort!], $first: Int, "
    "$after: String, $consistency: ConsistencyInput",
    "orderSuggestions": "$prefix: String!, $first: Int",
}
SELECTIONS = {
    "order": f"{{ {ORDER_FIELDS} }}",
    "orders": (
        "{ totalCount pageInfo { hasNextPage endCursor } edges { cursor "
        f"highlights {{ field fragments }} node {{ {ORDER_FIELDS} }} }} facets {{ {FACETS} }} }}"
    ),
    "orderSuggestions": "{ kind value orderCount orderId }",
    **{name: f"{{ {ID_FIELD.get(name, 'orderId')} {OUTCOME} }}" for name in MUTATIONS},
}
OPERATIONS = (*QUERY_VARIABLES, *MUTATIONS)


def document(name: str) -> str:
    """The operation with every argument a variable."""
    if name in MUTATIONS:
        head = f"mutation M($input: {MUTATIONS[name]}!)"
        return f"{head} {{ {name}(input: $input) {SELECTIONS[name]} }}"
    names = [part.split(":")[0].strip()[1:] for part in QUERY_VARIABLES[name].split(",")]
    arguments = ", ".join(f"{n}: ${n}" for n in names)
    return f"query Q({QUERY_VARIABLES[name]}) {{ {name}({arguments}) {SELECTIONS[name]} }}"


def literal_document(name: str, arguments: dict[str, Any]) -> str:
    """The operation with its arguments written as literals."""
    kind = "mutation" if name in MUTATIONS else "query"
    written = ", ".join(f"{key}: {to_literal(value)}" for key, value in arguments.items())
    call = f"{name}({written})" if written else name
    return f"{kind} {{ {call} {SELECTIONS[name]} }}"


@dataclass(frozen=True)
class Seeded:
    """Real data for the fuzzed inputs to hit: ids, a position token and a cursor."""

    customer_id: str
    product_id: str
    order_id: str
    token: str
    cursor: str


SEED_CUSTOMER = {"name": "Fuzz Ann", "email": "fuzz.ann@example.com"}
SEED_PRODUCT = {"sku": "FZ-1", "name": "Fuzz Kettle", "category": "kitchen",
                "price": "12.50", "currency": "EUR"}  # fmt: skip
ADDRESS = {"name": "Ann", "line1": "1 Main St", "line2": "Flat 2", "city": "Lyon",
           "postalCode": "69001", "country": "FR"}  # fmt: skip


def seed(api: httpx.Client) -> Seeded:
    """A customer, a product and a PLACED order, made through the API."""

    def mutate(operation: str, **fields: Any) -> dict[str, Any]:
        body = post(api, document(operation), {"input": fields}).json()
        payload = body["data"][operation]
        assert payload["userErrors"] == [], body
        return dict(payload)

    customer = mutate("registerCustomer", **SEED_CUSTOMER)["customerId"]
    product = mutate("addProduct", **SEED_PRODUCT)["productId"]
    placed = mutate(
        "placeOrder",
        customerId=customer,
        lines=[{"productId": product, "quantity": 2}],
        shippingAddress=ADDRESS,
    )
    first = {"first": 1, "consistency": {"atLeast": placed["position"], "timeoutMs": 10_000}}
    page = post(api, document("orders"), first).json()["data"]["orders"]
    return Seeded(customer, product, placed["orderId"], placed["position"],
                  page["pageInfo"]["endCursor"])  # fmt: skip


def valid_arguments(name: str, seeded: Seeded, n: int) -> dict[str, Any]:
    """Arguments with which `name` would succeed (or be refused for the order's state)."""
    address = {**ADDRESS, "city": f"Lyon {n}"}
    consistency = {"atLeast": seeded.token, "timeoutMs": 100}
    inputs: dict[str, dict[str, Any]] = {
        "registerCustomer": {"name": f"Ann {n}", "email": f"ann.{n}@example.com"},
        "updateCustomer": {"id": seeded.customer_id, "name": f"Ann {n}",
                           "email": f"ann.{n}@example.org", "expectedVersion": None},
        "addProduct": {**SEED_PRODUCT, "sku": f"FZ-{n}", "name": f"Kettle {n}"},
        "updateProduct": {"id": seeded.product_id, "name": f"Kettle {n}",
                          "category": "kitchen", "price": "12.50"},
        "placeOrder": {"customerId": seeded.customer_id,
                       "lines": [{"productId": seeded.product_id, "quantity": 1 + n % 3}],
                       "shippingAddress": address, "idempotencyKey": f"key-{n}"},
        "updateShippingAddress": {"orderId": seeded.order_id, "address": address},
        "payOrder": {"orderId": seeded.order_id, "amount": "25.00"},
        "shipOrder": {"orderId": seeded.order_id, "carrier": "DHL", "trackingNumber": f"T{n}"},
        "deliverOrder": {"orderId": seeded.order_id},
        "cancelOrder": {"orderId": seeded.order_id, "reason": "changed my mind"},
    }  # fmt: skip
    if name in inputs:
        return {"input": inputs[name]}
    queries: dict[str, dict[str, Any]] = {
        "order": {"id": seeded.order_id, "consistency": consistency},
        "orders": {
            "search": "fuzz ann",
            "filter": {"status": [Enum("PLACED")], "customerId": seeded.customer_id,
                       "productId": seeded.product_id, "sku": "FZ-1", "country": "FR",
                       "placedFrom": "2020-01-01T00:00:00Z", "placedTo": "2100-01-01T00:00:00Z",
                       "totalMin": "1.00", "totalMax": "999.00", "category": ["kitchen"]},
            "sort": [{"field": Enum("TOTAL"), "direction": Enum("ASC")}],
            "first": 5,
            "after": None,
            "consistency": consistency,
        },
        "orderSuggestions": {"prefix": "fuz", "first": 5},
    }  # fmt: skip
    return queries[name]
