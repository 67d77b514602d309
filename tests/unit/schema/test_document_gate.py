"""Each distinct document is parsed, limited and validated once, in linear time."""

from __future__ import annotations

import pytest
from graphql import parse
from schema_fakes import Api, FakeServices

from schema.build import build_schema
from schema.context import Context
from schema.document_gate import Checked, DocumentCache, Limits, limit_errors, measure

ORDER = '{ order(id: "o-1") { id status customer { name } } }'


def fragment_bomb(levels: int) -> str:
    """Each fragment spreads the next one twice: 2**levels fields once expanded."""
    fragments = [
        f"fragment F{i} on Order {{ a{i}: id ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    ]
    fragments.append(f"fragment F{levels} on Order {{ id }}")
    return '{ order(id: "x") { ...F0 } } ' + " ".join(fragments)


def spread_chain(length: int) -> str:
    fragments = [f"fragment C{i} on Order {{ ...C{i + 1} }}" for i in range(length)]
    fragments.append(f"fragment C{length} on Order {{ id }}")
    return '{ order(id: "x") { ...C0 } } ' + " ".join(fragments)


async def run(api: Api, query: str) -> list[dict[str, object]]:
    context = Context(services=api.services, request=None)  # type: ignore[arg-type]
    result = await api.schema.execute(query, context_value=context)
    return [error.formatted for error in result.errors or []]


@pytest.mark.anyio
async def test_the_same_query_is_parsed_and_validated_once() -> None:
    cache = DocumentCache(max_entries=16, max_bytes=1 << 20)
    api = Api(FakeServices())
    api.schema = build_schema(16, cache=cache)
    for _ in range(3):
        assert await run(api, ORDER) == []
    assert (cache.misses, cache.hits, len(cache)) == (1, 2, 1)


@pytest.mark.anyio
async def test_a_cached_invalid_query_keeps_failing_with_its_code() -> None:
    api = Api(FakeServices())
    for _ in range(2):
        (error,) = await run(api, "{ order(id: 1) { nosuchfield } }")
        assert error["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED"}


@pytest.mark.anyio
async def test_a_fragment_bomb_is_refused_without_expanding_it() -> None:
    # Expanded, 300 levels would be 2**300 fields: only a linear count can answer at all.
    api = Api(FakeServices())
    errors = await run(api, fragment_bomb(300))
    assert errors
    assert all(error["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED"} for error in errors)
    assert any("aliases found" in str(error["message"]) for error in errors)


def test_aliases_and_depth_count_every_spread_of_a_fragment() -> None:
    (found,) = measure(parse(fragment_bomb(10))).values()
    assert found.aliases == 2**10 - 1  # a0 once, a1 twice, ... a9 512 times
    assert found.depth == 1
    (chain,) = measure(parse(spread_chain(300))).values()
    assert chain.depth == 1  # spreads add no depth, only fields with selections do


def test_depth_counts_fields_with_selections_and_skips_introspection() -> None:
    nested = "{ a { b { c { d } } } __schema { types { fields { name } } } }"
    (found,) = measure(parse(nested)).values()
    assert found.depth == 3
    limits = Limits(max_depth=2)
    (error,) = limit_errors(parse(nested), limits)
    assert error.message == "'anonymous' exceeds maximum operation depth of 2"


def test_a_cycle_of_fragments_ends_the_walk() -> None:
    cyclic = "{ order { ...A } } fragment A on O { b: id ...B } fragment B on O { ...A }"
    assert {name: (m.depth, m.aliases) for name, m in measure(parse(cyclic)).items()} == {
        "anonymous": (1, 1)
    }


def test_the_cache_is_bounded_in_bytes_and_entries() -> None:
    document = parse("{ x }")
    cache = DocumentCache(max_entries=3, max_bytes=8_000)
    for name in "abcd":
        cache.put(name, Checked(document, (), 1_000))
    assert len(cache) == 3 and cache.get("a") is None  # the oldest left first
    cache.put("big", Checked(document, (), 1_001))  # over an eighth of the budget: not kept
    assert cache.get("big") is None
    small = DocumentCache(max_entries=100, max_bytes=8_000)
    for index in range(20):
        small.put(str(index), Checked(document, (), 999))
    assert small.bytes <= 8_000 and len(small) == 8
