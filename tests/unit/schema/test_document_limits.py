"""A document's depth, aliases, spreads, fragment nesting and cost: linear, never expanded."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import get_introspection_query, parse

from schema import document_limits
from schema.build import LIMITS
from schema.document_limits import CAP, Limits, limit_errors, measure
from tests.unit.schema.schema_documents import README_SEARCH, fragment_bomb, spread_chain


def figures(query: str, limits: Limits = LIMITS) -> tuple[int, int, int, int, int]:
    (found,) = measure(parse(query), limits).values()
    return found.depth, found.aliases, found.cost, found.spreads, found.nesting


def test_a_fragment_bomb_is_counted_as_integers() -> None:
    depth, aliases, cost, spreads, nesting = figures(fragment_bomb(10))
    assert aliases == 2**10 - 1  # a0 once, a1 twice, ... a9 512 times
    assert cost == 2**11  # `order`, the aliased ids and the 1,024 innermost ids
    assert spreads == 2**11 - 1  # 1 + 2 + 4 + ... + 1,024 spreads once expanded
    assert (depth, nesting) == (1, 11)  # spreads add no depth; F0 ... F10 on one chain


def test_each_definition_is_walked_once_and_each_fragment_combined_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The structural proof of linear time: 301 fragments and one operation, 302 walks,
    # however many times (2**300) the fragments would be spread once expanded.
    walks: list[object] = []
    combines: list[object] = []
    walk, combine = document_limits._walk, document_limits._combine

    def counted_walk(*a: Any) -> Any:
        walks.append(a)
        return walk(*a)

    def counted_combine(*a: Any) -> Any:
        combines.append(a)
        return combine(*a)

    monkeypatch.setattr(document_limits, "_walk", counted_walk)
    monkeypatch.setattr(document_limits, "_combine", counted_combine)
    _, aliases, cost, spreads, nesting = figures(fragment_bomb(300))
    assert len(walks) == len(combines) == 302
    assert aliases == cost == spreads == CAP  # saturated: 2**300 is only compared
    assert nesting == 301


def test_a_chain_of_3000_spreads_needs_no_recursion() -> None:
    assert figures(spread_chain(3_000)) == (1, 0, 2, 3_001, 3_001)


def test_paged_fields_multiply_the_cost_of_their_selections() -> None:
    page = "{ totalCount edges { node { id } } }"  # 4 fields per item
    assert figures("{ orders(first: 50) " + page + " }")[2] == 1 + 50 * 4
    assert figures("{ orders " + page + " }")[2] == 1 + 20 * 4  # the default `first`
    # A variable may be anything up to the largest page: the cached verdict holds for all.
    assert figures("query($n: Int) { orders(first: $n) " + page + " }")[2] == 1 + 100 * 4
    assert figures("{ orders(first: 5000) " + page + " }")[2] == 1 + 100 * 4  # clipped
    spread = "{ orders(first: 10) { edges { node { ...F } } } } fragment F on Order { id status }"
    assert figures(spread)[2] == 1 + 10 * 4
    assert figures('{ orderSuggestions(prefix: "a") { value } }')[2] == 1 + 10


def test_introspection_adds_no_depth_and_graphiql_fits_every_limit() -> None:
    nested = "{ a { b { c { d } } } __schema { types { fields { name } } } }"
    assert figures(nested)[0] == 3
    assert limit_errors(parse(get_introspection_query()), LIMITS) == []
    assert limit_errors(parse(README_SEARCH), LIMITS) == []


def test_a_cycle_of_fragments_ends_the_walk() -> None:
    cyclic = "{ order { ...A } } fragment A on O { b: id ...B } fragment B on O { ...A }"
    depth, aliases, _, spreads, nesting = figures(cyclic)
    assert (depth, aliases) == (1, 1)
    assert (spreads, nesting) == (3, 2)  # A, B, and B's spread of A, which counts 0


def test_each_exceeded_limit_is_one_error_naming_it() -> None:
    nested = "{ a { b { c { d } } } }"
    (error,) = limit_errors(parse(nested), Limits(max_depth=2))
    assert error.message == "'anonymous' exceeds maximum operation depth of 2"
    assert error.extensions == {"limit": "QUERY_MAX_DEPTH"}

    bomb = limit_errors(parse(fragment_bomb(300)), LIMITS)
    found = {(error.extensions or {})["limit"]: error.message for error in bomb}
    assert set(found) == {
        "QUERY_MAX_ALIASES",
        "QUERY_MAX_SPREADS",
        "QUERY_MAX_FRAGMENT_NESTING",
        "QUERY_MAX_COST",
    }
    assert found["QUERY_MAX_FRAGMENT_NESTING"] == (
        "'anonymous' nests fragments 301 deep; at most 10 are allowed"
    )
    assert found["QUERY_MAX_SPREADS"].startswith(
        f"'anonymous' spreads fragments more than {CAP:,} times"
    )
    costly = parse("{ orders(first: 100) { edges { node { id } } } }")
    (cost,) = limit_errors(costly, Limits(max_cost=100, page_sizes=LIMITS.page_sizes))
    assert cost.message.startswith("'anonymous' costs 301 (each field 1, times the `first`")
    assert cost.message.endswith("at most 100 is allowed")
