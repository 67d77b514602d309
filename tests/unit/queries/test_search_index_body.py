"""The index definition and the search adapter's pure helpers."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import elasticsearch
import pytest

from positions import Position
from projections.document import build_order_document
from read_model.document import OrderDocument
from read_model.mapping import MAPPING_VERSION, index_body, progress_body
from read_model.stamps import stamped
from search_engine.client import SearchError, _bulk_failures, _check_client_major, _error_type

NOW = datetime(2024, 5, 1, 12, tzinfo=UTC)


def full_document() -> OrderDocument:
    """A document with every optional part present."""
    order = {
        "id": "o1",
        "status": "DELIVERED",
        "version": 4,
        "placed_at": NOW,
        "updated_at": NOW,
        "item_count": 2,
        "total": Decimal("25"),
        "currency": "EUR",
        "ship_name": "A",
        "ship_line1": "1 Road",
        "ship_line2": "Flat 2",
        "ship_city": "Berlin",
        "ship_postal_code": "10115",
        "ship_country": "DE",
        "payment_amount": Decimal("25"),
        "paid_at": NOW,
        "carrier": "DHL",
        "tracking_number": "T1",
        "shipped_at": NOW,
        "delivered_at": NOW,
        "cancel_reason": "x",
        "cancelled_at": NOW,
    }
    line = {
        "line_no": 1,
        "product_id": "p1",
        "quantity": 2,
        "unit_price": Decimal("12.5"),
        "line_total": Decimal("25"),
    }
    customer = {"id": "c1", "name": "Alice", "email": "a@example.com"}
    products = {"p1": {"sku": "S1", "name": "Scarf", "category": "apparel"}}
    return build_order_document(order, [line], customer, products)


def mapped_paths(properties: dict[str, Any], prefix: str = "") -> set[str]:
    paths: set[str] = set()
    for name, spec in properties.items():
        paths.add(prefix + name)
        paths |= mapped_paths(spec.get("properties", {}), f"{prefix}{name}.")
    return paths


def document_paths(doc: dict[str, Any], prefix: str = "") -> set[str]:
    paths: set[str] = set()
    for key, value in doc.items():
        paths.add(prefix + key)
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, dict):
                paths |= document_paths(item, f"{prefix}{key}.")
    return paths


def test_mapping_is_strict_and_covers_the_document_exactly() -> None:
    mappings = index_body()["mappings"]
    assert mappings["dynamic"] == "strict"
    written = stamped({"o1": full_document()}, Position(1, 2))["o1"]  # as the projector writes
    assert mapped_paths(mappings["properties"]) == document_paths(written)


def test_money_is_scaled_and_identifiers_have_prefix_subfields() -> None:
    props = index_body()["mappings"]["properties"]
    assert props["total"] == {"type": "scaled_float", "scaling_factor": 100}
    for spec in (
        props["id"],
        props["lines"]["properties"]["sku"],
        props["shippingAddress"]["properties"]["postalCode"],
    ):
        assert spec["type"] == "keyword" and "prefix" in spec["fields"]
    assert (
        props["customer"]["properties"]["name"]["fields"]["prefix"]["search_analyzer"] == "folded"
    )


def test_emails_categories_and_names_have_their_search_subfields() -> None:
    props = index_body()["mappings"]["properties"]
    customer, lines = props["customer"]["properties"], props["lines"]["properties"]
    email = customer["email"]
    assert (email["type"], email["normalizer"]) == ("keyword", "lower")
    assert set(email["fields"]) == {"prefix", "parts", "local", "domain"}
    assert email["fields"]["domain"]["search_analyzer"] == "email_domain_query"
    assert lines["category"]["type"] == "keyword"  # facet values as written
    assert lines["category"]["fields"]["text"]["analyzer"] == "folded"
    for name in (customer["name"], lines["productName"]):
        assert name["fields"]["key"] == {
            "type": "keyword",
            "normalizer": "name_key",
            "ignore_above": 256,
        }
    assert props["shipment"]["properties"]["trackingNumber"]["normalizer"] == "lower"


def test_the_mapping_version_names_this_mapping() -> None:
    assert MAPPING_VERSION >= 2  # v2: the search analysis (email parts, keys, compact prefixes)


def test_every_analyzer_used_is_defined() -> None:
    body = index_body()
    analysis = body["settings"]["analysis"]
    used = {
        value for key, value in _walk(body["mappings"]) if key in ("analyzer", "search_analyzer")
    }
    normalizers = {value for key, value in _walk(body["mappings"]) if key == "normalizer"}
    assert used <= set(analysis["analyzer"])
    assert normalizers <= set(analysis["normalizer"])
    assert progress_body()["mappings"]["properties"]["seq"] == {"type": "long"}


def _walk(node: Any) -> list[tuple[str, Any]]:
    if not isinstance(node, dict):
        return []
    return [(k, v) for k, v in node.items()] + [p for v in node.values() for p in _walk(v)]


def test_bulk_failures_are_reported_per_item() -> None:
    items = [
        {"index": {"_id": "1", "status": 201}},
        {
            "index": {
                "_id": "2",
                "status": 400,
                "error": {"type": "mapper_parsing_exception", "reason": "bad"},
            }
        },
    ]
    assert _bulk_failures(items) == [("2", 400, "mapper_parsing_exception: bad")]


def test_error_type_from_either_body_shape() -> None:
    assert (
        _error_type({"error": {"type": "resource_already_exists_exception"}})
        == "resource_already_exists_exception"
    )
    assert _error_type({"error": "boom"}) == "boom"
    assert _error_type("text") is None


def test_elasticsearch_major_must_match_the_client() -> None:
    # elasticsearch documents __versionstr__ but imports it into the package without
    # re-exporting it (not in __all__), so strict mypy's no-implicit-reexport misses it.
    major = elasticsearch.__versionstr__.split(".")[0]  # type: ignore[attr-defined]
    _check_client_major(f"{major}.1.0")
    with pytest.raises(SearchError, match=r"elasticsearch Python client 7\.x"):
        _check_client_major("7.17.0")
