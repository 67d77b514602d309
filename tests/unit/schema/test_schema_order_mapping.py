"""Order.from_document and the `order` query: the index document, as a frontend sees it."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from projections.document import build_order_document
from queries.results import OrderHit, OrderPage
from read_model.document import OrderDocument
from schema.connection import OrderConnection
from schema.enums import OrderStatus
from schema.order import Order
from tests.unit.schema.schema_fakes import Api

PLACED = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
SHIPPED = datetime(2024, 5, 3, 16, 0, tzinfo=UTC)


def shipped_order_document() -> OrderDocument:
    order = {
        "id": "ord-1",
        "status": "SHIPPED",
        "version": 4,
        "placed_at": PLACED,
        "updated_at": SHIPPED,
        "item_count": 3,
        "total": Decimal("104.30"),
        "currency": "EUR",
        "ship_name": "Marta Kowalski",
        "ship_line1": "ul. Długa 5",
        "ship_line2": None,
        "ship_city": "Gdańsk",
        "ship_postal_code": "80-827",
        "ship_country": "PL",
        "paid_at": datetime(2024, 5, 2, 10, 0),  # naive, as SQLite hands it back
        "payment_amount": Decimal("104.3"),
        "shipped_at": SHIPPED,
        "carrier": "DHL",
        "tracking_number": "JD014600003828",
        "delivered_at": None,
        "cancelled_at": None,
        "cancel_reason": None,
    }
    lines = [
        {"line_no": 1, "product_id": "p-1", "quantity": 2, "unit_price": Decimal("39.90"),
         "line_total": Decimal("79.80")},
        {"line_no": 2, "product_id": "p-2", "quantity": 1, "unit_price": Decimal("24.5"),
         "line_total": Decimal("24.5")},
    ]  # fmt: skip
    customer = {"id": "c-1", "name": "Marta Kowalski", "email": "marta@example.com"}
    products: dict[str, dict[str, Any]] = {
        "p-1": {"sku": "KTL-100", "name": "Steel Kettle", "category": "kitchen"},
        "p-2": {"sku": "SCF-7", "name": "Wool Scarf", "category": None},
    }
    return build_order_document(order, lines, customer, products)


def test_from_document_maps_every_field() -> None:
    order = Order.from_document(shipped_order_document())
    assert (order.id, order.status, order.version) == ("ord-1", OrderStatus.SHIPPED, 4)
    assert (order.placed_at, order.updated_at) == (PLACED, SHIPPED)
    assert (order.item_count, order.total, order.currency) == (3, Decimal("104.30"), "EUR")
    assert (order.customer.id, order.customer.email) == ("c-1", "marta@example.com")
    first, second = order.lines
    assert (first.product_id, first.sku, first.product_name, first.category) == (
        "p-1", "KTL-100", "Steel Kettle", "kitchen",
    )  # fmt: skip
    assert (first.quantity, first.unit_price, first.line_total) == (
        2, Decimal("39.90"), Decimal("79.80"),
    )  # fmt: skip
    assert second.category is None
    address = order.shipping_address
    assert (address.city, address.postal_code, address.country, address.line2) == (
        "Gdańsk", "80-827", "PL", None,
    )  # fmt: skip
    assert order.payment is not None
    assert order.payment.amount == Decimal("104.30")
    assert order.payment.paid_at == datetime(2024, 5, 2, 10, 0, tzinfo=UTC)
    assert order.shipment is not None
    assert (order.shipment.carrier, order.shipment.delivered_at) == ("DHL", None)
    assert order.cancellation is None


ORDER_QUERY = """
query($id: ID!) {
  order(id: $id) {
    id status version placedAt updatedAt
    customer { id name email }
    lines { productId sku productName category quantity unitPrice lineTotal }
    itemCount total currency
    shippingAddress { name line1 line2 city postalCode country }
    payment { amount paidAt }
    shipment { carrier trackingNumber shippedAt deliveredAt }
    cancellation { reason cancelledAt }
  }
}"""


@pytest.mark.anyio
async def test_the_order_query_answers_the_document_unchanged(api: Api) -> None:
    document = shipped_order_document()
    api.services.queries.documents["ord-1"] = document
    data, errors = await api.run(ORDER_QUERY, id="ord-1")
    assert errors == []
    # The contract's field names are the document's keys; only lineNo stays internal.
    expected = {**document, "lines": [
        {k: v for k, v in line.items() if k != "lineNo"} for line in document["lines"]
    ]}  # fmt: skip
    assert data == {"order": expected}


@pytest.mark.anyio
async def test_an_unknown_order_is_null(api: Api) -> None:
    data, errors = await api.run(ORDER_QUERY, id="nope")
    assert (data, errors) == ({"order": None}, [])


def test_connection_maps_edges_page_info_highlights_and_facets() -> None:
    page = OrderPage(
        edges=[OrderHit("cur-1", shipped_order_document(), [("customer.name", ["<em>M</em>"])])],
        has_next_page=True,
        end_cursor="cur-1",
        total_count=41,
        facets={"status": [("SHIPPED", 41)], "placedMonth": [("2024-05", 41)]},
    )
    connection = OrderConnection.from_page(page)
    (edge,) = connection.edges
    assert (edge.cursor, edge.node.id) == ("cur-1", "ord-1")
    assert [(h.field, h.fragments) for h in edge.highlights] == [("customer.name", ["<em>M</em>"])]
    assert (connection.page_info.has_next_page, connection.page_info.end_cursor) == (True, "cur-1")
    assert connection.total_count == 41
    assert [(b.value, b.count) for b in connection.facets.placed_month] == [("2024-05", 41)]
    assert connection.facets.country == []
