"""Each distinct document is parsed, limited and validated once, in linear time."""

from __future__ import annotations

from dataclasses import replace

import pytest
from graphql import GraphQLFormattedError, parse

from schema.build import LIMITS, build_schema
from schema.context import Context
from schema.document_gate import Checked, DocumentCache
from tests.support.actors import STAFF
from tests.unit.schema.schema_documents import fragment_bomb, spread_chain
from tests.unit.schema.schema_fakes import Api, FakeServices

ORDER = '{ order(id: "o-1") { id status customer { name } } }'


async def run(api: Api, query: str) -> list[GraphQLFormattedError]:
    context = Context(api=api.services, request=None, principal=STAFF)  # type: ignore[arg-type]
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
@pytest.mark.parametrize(
    ("query", "limit"),
    [(fragment_bomb(300), "QUERY_MAX_SPREADS"), (spread_chain(300), "QUERY_MAX_FRAGMENT_NESTING")],
)
async def test_a_fragment_bomb_and_a_long_spread_chain_are_refused_with_a_code(
    query: str, limit: str
) -> None:
    # Expanded, the bomb would be 2**300 fields, and validation would follow 300 spreads
    # deep: the limits are measured first, in linear time, and stop both.
    api = Api(FakeServices())
    errors = await run(api, query)
    assert errors
    assert all(e["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED" for e in errors)
    assert limit in [e["extensions"]["limit"] for e in errors]


@pytest.mark.anyio
async def test_a_chain_of_3000_spreads_is_refused_by_the_token_limit_first() -> None:
    (error,) = await run(Api(FakeServices()), spread_chain(3_000))
    assert error["extensions"] == {"code": "GRAPHQL_PARSE_FAILED"}
    assert "more than 5000 tokens" in str(error["message"])


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


@pytest.mark.anyio
async def test_a_3000_spread_chain_is_measured_without_recursion_when_tokens_allow() -> None:
    api = Api(FakeServices())
    api.schema = build_schema(16, limits=replace(LIMITS, max_tokens=50_000))
    errors = await run(api, spread_chain(3_000))
    assert [e["extensions"] for e in errors] == [
        {"code": "GRAPHQL_VALIDATION_FAILED", "limit": "QUERY_MAX_SPREADS"},
        {"code": "GRAPHQL_VALIDATION_FAILED", "limit": "QUERY_MAX_FRAGMENT_NESTING"},
    ]


@pytest.mark.anyio
async def test_many_merged_fields_of_one_name_stop_validation_with_a_clear_message() -> None:
    merged = '{ order(id: "x") { ' + "customer { id } " * 1200 + "} }"
    (error,) = await run(Api(FakeServices()), merged)
    assert error["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED"}
    assert str(error["message"]).startswith("Validation aborted: the document merges too many")


TYPO = '{ ordr(id: "x") { id } }'
INTROSPECTION = "{ __schema { queryType { name } } }"
BAD_STATUS = "query($f: OrderFilter) { orders(filter: $f) { totalCount } }"


@pytest.mark.anyio
async def test_development_suggests_fields_and_allows_introspection() -> None:
    api = Api(FakeServices())
    (typo,) = await run(api, TYPO)
    assert "Did you mean 'order'" in str(typo["message"])
    _, errors = await api.run(BAD_STATUS, f={"status": ["PLACD"]})
    assert "Did you mean" in str(errors[0]["message"])
    data, errors = await api.run(INTROSPECTION)
    assert errors == [] and data == {"__schema": {"queryType": {"name": "Query"}}}


@pytest.mark.anyio
async def test_production_refuses_introspection_and_suggests_nothing() -> None:
    api = Api(FakeServices())
    api.schema = build_schema(16, production=True)
    (typo,) = await run(api, TYPO)
    assert typo["message"] == "Cannot query field 'ordr' on type 'Query'."
    _, errors = await api.run(BAD_STATUS, f={"status": ["PLACD"]})
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "PLACD" in str(errors[0]["message"]) and "Did you mean" not in str(errors[0]["message"])
    for _ in range(2):  # the cached verdict too
        refused = (await api.run(INTROSPECTION))[1]
        assert refused and all(
            e["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED" for e in refused
        )
        assert "introspection has been disabled" in str(refused[0]["message"])
    data, errors = await api.run('{ __typename order(id: "x") { id } }')
    assert errors == [] and data == {"__typename": "Query", "order": None}
