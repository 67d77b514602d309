"""The search DSL builder: filters, sorting, cursors, bounds and how user text is used."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from queries.cursors import encode_cursor
from queries.highlights import highlight_query
from queries.search_request import (
    OrderFilter,
    OrderSearch,
    SortSpec,
    build_filters,
    build_search_body,
    cursor_fingerprint,
    effective_sort,
)
from queries.text_query import (
    EXACT_BOOST,
    EXACT_FIELDS,
    FUZZINESS,
    FUZZY_FIELDS,
    IDENT_PREFIX_BOOST,
    IDENT_PREFIX_FIELDS,
    KEY_BOOST,
    MAX_EXPANSIONS,
    MAX_TEXT_LENGTH,
    PHRASE_BOOST,
    PREFIX_LENGTH,
    words_of,
)

SPECIAL_TEXTS = [
    '"',
    "(",
    ":",
    "/",
    "\\",
    "*",
    'name:"Smith',
    "a/b\\c*",
    "(x OR y) AND z:*",
    "~1^2",
]


def walk(node: Any, parent: str = "") -> list[tuple[str, Any]]:
    """Every (key, value) pair anywhere in a nested body."""
    found: list[tuple[str, Any]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            found.append((key, value))
            found += walk(value, key)
    elif isinstance(node, list):
        for item in node:
            found += walk(item, parent)
    return found


def test_no_text_sorts_newest_first_and_matches_everything() -> None:
    body = build_search_body(OrderSearch())
    assert body["query"] == {"bool": {"filter": []}}
    assert body["sort"] == [{"placedAt": {"order": "desc"}}, {"id": {"order": "asc"}}]
    assert body["size"] == 21
    assert body["track_total_hits"] is True
    assert "highlight" not in body
    assert "search_after" not in body
    assert "post_filter" not in body
    assert set(body["aggs"]) == {"status", "country", "category", "placedMonth", "totalRange"}


def test_text_sorts_by_relevance_and_highlights() -> None:
    body = build_search_body(OrderSearch(text="  alice  "))
    # Equal scores: the newest order first, then the id (docs/ARCHITECTURE.md §4, ties).
    assert body["sort"] == [
        {"_score": {"order": "desc"}},
        {"placedAt": {"order": "desc"}},
        {"id": {"order": "asc"}},
    ]
    assert len(body["query"]["bool"]["must"]) == 1
    highlight = body["highlight"]
    assert highlight["pre_tags"] == ["<em>"] and highlight["post_tags"] == ["</em>"]
    assert "customer.name" in highlight["fields"]
    # A simpler query than the ranking one marks the same words (docs/ARCHITECTURE.md §4).
    assert highlight["highlight_query"] == highlight_query("alice")


def test_blank_text_is_no_text() -> None:
    assert build_search_body(OrderSearch(text="   ")) == build_search_body(OrderSearch())


def test_too_long_text_is_rejected() -> None:
    with pytest.raises(ValueError, match="longer"):
        build_search_body(OrderSearch(text="x" * (MAX_TEXT_LENGTH + 1)))


def should_of(text: str) -> list[dict[str, Any]]:
    body = build_search_body(OrderSearch(text=text))
    (matched,) = body["query"]["bool"]["must"]
    assert matched["bool"]["minimum_should_match"] == 1
    return list(matched["bool"]["should"])


def test_exact_identifiers_outrank_keys_which_outrank_phrases() -> None:
    exact, key, phrase, *_ = should_of("SKU-1")
    terms = exact["constant_score"]["filter"]["bool"]["should"]
    assert [next(iter(t["term"])) for t in terms] == ["id", *EXACT_FIELDS]
    assert [next(iter(t["term"].values())) for t in terms] == [
        {"value": "sku-1"},  # order ids are lowercase UUIDs; `id` has no normaliser
        *[{"value": "SKU-1"}] * len(EXACT_FIELDS),
    ]
    keys = key["constant_score"]["filter"]["bool"]["should"]
    assert {"term": {"shippingAddress.postalCode": {"value": "SKU-1"}}} in keys
    assert {"match": {"customer.email.domain": {"query": "SKU-1"}}} in keys
    phrases = phrase["constant_score"]["filter"]["bool"]["should"]
    assert {"match_phrase": {"customer.name": {"query": "SKU-1"}}} in phrases
    boosts = [c["constant_score"]["boost"] for c in (exact, key, phrase)]
    assert boosts == sorted(boosts, reverse=True) == [EXACT_BOOST, KEY_BOOST, PHRASE_BOOST]
    assert PHRASE_BOOST >= 1000  # far above the word tiers
    # Spaced text with a digit is also the start of one identifier: "sw1a 1a".
    _, _, ident_prefix, *_ = should_of("sw1a 1a")
    assert ident_prefix["constant_score"]["boost"] == IDENT_PREFIX_BOOST
    assert KEY_BOOST > IDENT_PREFIX_BOOST > PHRASE_BOOST
    prefix_match = ident_prefix["constant_score"]["filter"]["multi_match"]
    assert prefix_match["fields"] == list(IDENT_PREFIX_FIELDS)
    assert "fuzziness" not in prefix_match


def tiers_of(word_clause: dict[str, Any]) -> list[dict[str, Any]]:
    """A word's clauses, best tier first: the `multi_match` of each."""
    tiers = word_clause["dis_max"]["queries"]
    return [tier["constant_score"]["filter"]["multi_match"] for tier in tiers]


def every_word_of(text: str) -> dict[str, Any]:
    *_, every_word = should_of(text)
    return dict(every_word["bool"])


def test_words_tolerate_typos_in_names_but_not_in_identifiers() -> None:
    every_word = every_word_of("alice smiht")
    (together,) = every_word["should"]  # every word in one field scores a little more
    assert together["constant_score"]["filter"]["multi_match"]["operator"] == "and"
    assert "fuzziness" not in together["constant_score"]["filter"]["multi_match"]
    for word, clause in zip(["alice", "smiht"], every_word["must"], strict=True):
        tiers = tiers_of(clause)
        assert {tier["query"] for tier in tiers} == {word}
        fuzzy = [tier for tier in tiers if "fuzziness" in tier]
        assert len(fuzzy) == 1  # names, products, cities, streets, categories
        for tier in fuzzy:
            assert tier["fuzziness"] == FUZZINESS == "AUTO:5,9"
            assert (tier["prefix_length"], tier["max_expansions"]) == (PREFIX_LENGTH, 10)
            assert MAX_EXPANSIONS == 10
            assert not set(tier["fields"]) & {"id", "lines.sku", "shipment.trackingNumber"}
            assert not set(tier["fields"]) & {"shippingAddress.postalCode"}
        keyword = next(tier for tier in tiers if "lines.sku" in tier["fields"])
        assert "fuzziness" not in keyword
        prefix = next(tier for tier in tiers if "customer.name.prefix" in tier["fields"])
        assert all(f.endswith(".prefix") for f in prefix["fields"])
    fuzzy_fields = {f.split("^")[0] for f in FUZZY_FIELDS}
    assert not fuzzy_fields & {"id", "lines.sku", "shipment.trackingNumber"}
    assert not fuzzy_fields & {"shippingAddress.postalCode"}


@pytest.mark.parametrize("text", ["anna", "1ZT0AEYP0491940936", "sw1a2aa"])
def test_short_words_and_words_with_digits_get_no_typo_clause(text: str) -> None:
    (word,) = every_word_of(text)["must"]
    assert not [tier for tier in tiers_of(word) if "fuzziness" in tier]


def test_a_whole_email_may_have_one_typo_after_its_first_letters() -> None:
    (word,) = every_word_of("kathe.weis72@yahoo.com")["must"]
    (email,) = [tier for tier in tiers_of(word) if "fuzziness" in tier]
    assert email["fields"] == ["customer.email"]
    assert (email["fuzziness"], email["prefix_length"]) == (1, 3)


def test_punctuation_only_words_are_not_required() -> None:
    every_word = every_word_of("alice - ( smith")
    words = [tiers_of(clause)[0]["query"] for clause in every_word["must"]]
    assert words == ["alice", "smith"]
    assert words_of("( : *") == []
    assert len(should_of("( : *")) == 2  # exact and key only: they match nothing


def test_several_words_may_match_in_different_fields() -> None:
    must = every_word_of("alice munchen")["must"]
    assert len(must) == 2
    assert tiers_of(must[0])[0]["query"] == "alice"
    assert tiers_of(must[1])[0]["query"] == "munchen"


@pytest.mark.parametrize("text", SPECIAL_TEXTS)
def test_user_text_is_only_a_match_or_term_value(text: str) -> None:
    body = build_search_body(OrderSearch(text=text))
    keys = {key for key, _ in walk(body)}
    assert not keys & {"query_string", "simple_query_string", "wildcard", "regexp", "prefix"}
    words = set(text.split()) | {text}
    # Wherever user text appears, it is the `query` of a match or the `value` of a term.
    holders = {key for key, value in walk(body) if isinstance(value, str) and value in words}
    assert holders <= {"query", "value"}
    assert holders


@pytest.mark.parametrize("first", [0, -1, 101, 1000])
def test_first_out_of_bounds(first: int) -> None:
    with pytest.raises(ValueError, match="first"):
        build_search_body(OrderSearch(first=first))


@pytest.mark.parametrize("first", [1, 100])
def test_first_bounds_are_inclusive(first: int) -> None:
    assert build_search_body(OrderSearch(first=first))["size"] == first + 1


def test_explicit_sorts_keep_order_drop_repeats_and_end_with_id() -> None:
    search = OrderSearch(
        sort=[
            SortSpec("TOTAL", "ASC"),
            SortSpec("UPDATED_AT", "DESC"),
            SortSpec("TOTAL", "DESC"),
            SortSpec("RELEVANCE", "DESC"),
        ]
    )
    assert build_search_body(search)["sort"] == [
        {"total": {"order": "asc"}},
        {"updatedAt": {"order": "desc"}},
        {"_score": {"order": "desc"}},
        {"placedAt": {"order": "desc"}},  # equal scores: newest first (docs/ARCHITECTURE.md §4)
        {"id": {"order": "asc"}},
    ]


@pytest.mark.parametrize("spec", [SortSpec("PRICE", "ASC"), SortSpec("TOTAL", "UP")])  # type: ignore[arg-type]
def test_unknown_sort_is_rejected(spec: SortSpec) -> None:
    with pytest.raises(ValueError, match="sort"):
        build_search_body(OrderSearch(sort=[spec]))


def test_filters_no_facet_owns_go_to_the_query_the_others_to_post_filter() -> None:
    order_filter = OrderFilter(
        status=["SHIPPED", "PAID", "PAID"],
        customer_id="c-1",
        product_id="p-1",
        sku="SKU-1",
        country="de",
        placed_from=datetime(2024, 1, 1),  # naive: taken as UTC
        placed_to=datetime(2024, 2, 1, 2, 0, tzinfo=timezone(timedelta(hours=2))),
        total_min=Decimal("25"),
        total_max=Decimal("1E+2"),
        category=["garden", "books", "garden"],
    )
    body = build_search_body(OrderSearch(text="x", filter=order_filter))
    assert body["query"]["bool"]["filter"] == [
        {"term": {"customer.id": {"value": "c-1"}}},
        {"term": {"lines.productId": {"value": "p-1"}}},
        {"term": {"lines.sku": {"value": "SKU-1"}}},
    ]
    assert body["post_filter"] == {"bool": {"filter": FACETED_CLAUSES}}
    assert build_filters(order_filter) == body["query"]["bool"]["filter"] + FACETED_CLAUSES


FACETED_CLAUSES = [
    {"terms": {"status": ["PAID", "SHIPPED"]}},
    {"term": {"shippingAddress.country": {"value": "de"}}},
    {"terms": {"lines.category": ["books", "garden"]}},
    {"range": {"placedAt": {"gte": "2024-01-01T00:00:00.000Z", "lte": "2024-02-01T00:00:00.000Z"}}},
    {"range": {"total": {"gte": "25", "lte": "100"}}},
]


def test_open_ranges_and_empty_status_and_category_lists() -> None:
    order_filter = OrderFilter(
        status=[],
        category=[],
        placed_to=datetime(2024, 3, 1, tzinfo=UTC),
        total_min=Decimal("0.50"),
    )
    body = build_search_body(OrderSearch(filter=order_filter))
    assert body["query"]["bool"]["filter"] == []
    assert body["post_filter"]["bool"]["filter"] == [
        {"range": {"placedAt": {"lte": "2024-03-01T00:00:00.000Z"}}},
        {"range": {"total": {"gte": "0.50"}}},
    ]


def test_no_post_filter_without_faceted_filters() -> None:
    body = build_search_body(OrderSearch(filter=OrderFilter(customer_id="c-1", status=[])))
    assert "post_filter" not in body
    assert body["query"]["bool"]["filter"] == [{"term": {"customer.id": {"value": "c-1"}}}]


@pytest.mark.parametrize(
    "order_filter",
    [
        OrderFilter(status=["SHIPPED", "LOST"]),
        OrderFilter(total_min=Decimal("NaN")),
        OrderFilter(total_max=Decimal("Infinity")),
    ],
)
def test_bad_filter_values_are_rejected(order_filter: OrderFilter) -> None:
    with pytest.raises(ValueError):
        build_search_body(OrderSearch(filter=order_filter))


def test_cursor_round_trips_into_search_after() -> None:
    search = OrderSearch(sort=[SortSpec("TOTAL", "ASC")])
    cursor = encode_cursor(cursor_fingerprint(effective_sort(search)), [12.5, "order-9"])
    body = build_search_body(OrderSearch(sort=[SortSpec("TOTAL", "ASC")], after=cursor))
    assert body["search_after"] == [12.5, "order-9"]


def test_cursor_from_another_sort_is_rejected() -> None:
    cursor = encode_cursor(cursor_fingerprint([SortSpec("TOTAL", "ASC")]), [12.5, "order-9"])
    with pytest.raises(ValueError, match="different sort"):
        build_search_body(OrderSearch(sort=[SortSpec("TOTAL", "DESC")], after=cursor))
    with pytest.raises(ValueError, match="different sort"):
        build_search_body(OrderSearch(after=cursor))  # default sort: PLACED_AT DESC


def test_default_sort_depends_on_text() -> None:
    assert effective_sort(OrderSearch()) == [SortSpec("PLACED_AT", "DESC")]
    assert effective_sort(OrderSearch(text="x")) == [SortSpec("RELEVANCE", "DESC")]


def forged_cursor(sort: list[SortSpec], values: list[Any]) -> str:
    """A cursor encoded as encode_cursor does, holding JSON values no sort produces."""
    raw = json.dumps({"s": cursor_fingerprint(sort), "v": values}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "not a cursor!",
        "e30",
        "W10",
        "bnVsbA",  # "", garbage, {}, [], null
        encode_cursor(cursor_fingerprint([SortSpec("PLACED_AT", "DESC")]), [1]),  # too short
        encode_cursor(cursor_fingerprint([SortSpec("PLACED_AT", "DESC")]), [True, "x"]),
        forged_cursor([SortSpec("PLACED_AT", "DESC")], [{"a": 1}, "x"]),
    ],
)
def test_bad_cursors_are_rejected(cursor: str) -> None:
    with pytest.raises(ValueError):
        build_search_body(OrderSearch(after=cursor))


def test_a_page_without_facets_or_highlights_asks_the_engine_for_neither() -> None:
    statuses = OrderFilter(status=["PAID"], country="PL")
    full = build_search_body(OrderSearch(text="muller", filter=statuses))
    lean = build_search_body(
        OrderSearch(text="muller", filter=statuses, facets=False, highlights=False)
    )
    assert {"aggs", "highlight", "post_filter"} <= set(full)
    assert not {"aggs", "highlight", "post_filter"} & set(lean)
    # The same hits: the facet filters move from the post_filter into the query.
    assert lean["query"]["bool"]["filter"] == (
        full["query"]["bool"]["filter"] + full["post_filter"]["bool"]["filter"]
    )
    assert lean["query"]["bool"]["must"] == full["query"]["bool"]["must"]
