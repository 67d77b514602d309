"""Elasticsearch 8/9 and OpenSearch 2/3 parity of every request body the read side sends.

The integration tests run the bodies on a real OpenSearch node. Elasticsearch cannot
run here, so this test pins the vocabulary: every DSL key used must be in VOCABULARY,
each entry checked against both engines' reference (ES 8.0+ and OpenSearch 2.0+). A new
key fails this test until someone checks it on both.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from queries.cursors import encode_cursor
from queries.search_request import (
    OrderFilter,
    OrderSearch,
    SortSpec,
    build_search_body,
    cursor_fingerprint,
)
from queries.suggestions import build_suggest_body
from read_model.mapping import index_body

QUERIES = {
    "bool",
    "filter",
    "must",
    "should",
    "minimum_should_match",
    "term",
    "terms",
    "value",
    "range",
    "gte",
    "lte",
    "match",
    "match_phrase",
    "multi_match",
    "query",
    "type",
    "fields",
    "operator",
    "fuzziness",
    "prefix_length",  # match/multi_match: ES 8.0+ and OpenSearch 2.0+
    "max_expansions",  # match/multi_match: ES 8.0+ and OpenSearch 2.0+
    "boost",
    "constant_score",
    "dis_max",
    "queries",
}
AGGREGATIONS = {
    "aggs",
    "filter",
    "terms",
    "field",
    "size",
    "include",
    "top_hits",
    "_source",
    "includes",
    "sort",
    "order",
    "date_histogram",
    "calendar_interval",
    "format",
    "time_zone",
    "min_doc_count",
    "range",
    "ranges",
    "key",
    "from",
    "to",
}
REQUEST = {
    "size", "track_total_hits", "sort", "order", "query", "post_filter", "search_after",
    "highlight", "highlight_query", "pre_tags", "post_tags", "encoder", "require_field_match",
    "fields", "number_of_fragments", "fragment_size",
}  # fmt: skip
VOCABULARY = QUERIES | AGGREGATIONS | REQUEST
# Removed or never present in one of the engines.
FORBIDDEN = {"query_string", "simple_query_string", "interval", "_type", "regexp", "wildcard"}


def field_paths() -> set[str]:
    """Every mapped path and subfield, plus the sort pseudo-field: keys that are data."""
    paths = {"_score"}

    def walk(properties: dict[str, Any], prefix: str) -> None:
        for name, spec in properties.items():
            path = prefix + name
            paths.add(path)
            paths.update(f"{path}.{sub}" for sub in spec.get("fields", {}))
            walk(spec.get("properties", {}), path + ".")

    walk(index_body()["mappings"]["properties"], "")
    return paths


def keys(node: Any, data: set[str], parent: str = "") -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            # Aggregation names, highlight fields and field-keyed queries are data, not DSL.
            if key not in data and parent not in ("aggs", "aggregations"):
                found.add(key)
            found |= keys(value, data, key)
    elif isinstance(node, list):
        for item in node:
            found |= keys(item, data, parent)
    return found


def bodies() -> list[dict[str, Any]]:
    every_filter = OrderFilter(
        status=["PAID"],
        category=["books"],
        customer_id="c",
        product_id="p",
        sku="s",
        country="DE",
        placed_from=datetime(2024, 1, 1, tzinfo=UTC),
        placed_to=datetime(2024, 2, 1, tzinfo=UTC),
        total_min=Decimal(1),
        total_max=Decimal(2),
    )
    sort = [SortSpec("TOTAL", "ASC"), SortSpec("RELEVANCE", "DESC")]
    # A sort ending in RELEVANCE breaks ties by placedAt (epoch ms), then id.
    cursor = encode_cursor(cursor_fingerprint(sort), [1.5, 3.2, 1_700_000_000_000, "o-1"])
    return [
        build_search_body(OrderSearch()),
        build_search_body(OrderSearch(text="alice smith 80-331", filter=every_filter)),
        build_search_body(OrderSearch(text="x", sort=sort, after=cursor)),
        build_suggest_body("6f1c zoe", 10),
    ]


@pytest.mark.parametrize("body", bodies())
def test_requests_use_only_the_shared_vocabulary(body: dict[str, Any]) -> None:
    used = keys(body, field_paths())
    assert not used & FORBIDDEN
    assert used <= VOCABULARY, f"check {sorted(used - VOCABULARY)} on ES 8/9 and OpenSearch 2/3"


ANALYSIS = {
    "tokenizer": {"edge_ngram", "pattern"},
    "char_filter": {"pattern_replace"},
    "normalizer": {"custom"},
}
BUILT_IN = {"standard", "keyword", "lowercase", "uppercase", "asciifolding"}
FIELD_TYPES = {"keyword", "text", "date", "integer", "long", "scaled_float"}


def test_the_mapping_uses_components_of_every_engine() -> None:
    body = index_body()
    analysis = body["settings"]["analysis"]
    for section, types in ANALYSIS.items():
        assert {spec["type"] for spec in analysis[section].values()} <= types
    for analyzer in analysis["analyzer"].values():
        assert "type" not in analyzer or analyzer["type"] == "custom"
        tokenizer = analyzer["tokenizer"]
        assert tokenizer in BUILT_IN or tokenizer in analysis["tokenizer"]
        assert set(analyzer.get("filter", [])) <= BUILT_IN
        assert set(analyzer.get("char_filter", [])) <= set(analysis["char_filter"])
    for normalizer in analysis["normalizer"].values():
        assert set(normalizer.get("filter", [])) <= BUILT_IN
        assert set(normalizer.get("char_filter", [])) <= set(analysis["char_filter"])
    types = {v for k, v in _walk(body["mappings"]) if k == "type"}
    assert types <= FIELD_TYPES


def _walk(node: Any) -> list[tuple[str, Any]]:
    if not isinstance(node, dict):
        return []
    return [(k, v) for k, v in node.items()] + [p for v in node.values() for p in _walk(v)]
