"""Errors as the contract promises: userErrors for rejections, coded GraphQL errors otherwise."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLError

from commands import messages
from commands.messages import CommandRejected, UserError
from positions import Position
from queries.consistency import ConsistencyTimeout
from queries.errors import InvalidQuery
from schema.errors import BadUserInput, ErrorCode, map_error, user_errors
from tests.unit.schema.schema_fakes import Api

PAY_ORDER = """
mutation($input: PayOrderInput!) {
  payOrder(input: $input) { orderId version position userErrors { code message field } }
}"""
SEARCH = """
query($first: Int, $after: String, $token: String!) {
  orders(first: $first, after: $after, consistency: {atLeast: $token, timeoutMs: 50}) {
    totalCount
  }
}"""


def reject(*errors: UserError) -> Any:
    def behaviour(*_: object) -> Any:
        raise CommandRejected(list(errors))

    return behaviour


def fail(error: Exception) -> Any:
    def behaviour(*_: object) -> Any:
        raise error

    return behaviour


def test_every_write_side_code_is_an_error_code() -> None:
    codes = [value for name, value in vars(messages).items() if name.isupper() and name == value]
    assert sorted(codes) == sorted(code.value for code in ErrorCode)


def test_a_rejection_becomes_user_errors_with_camel_case_fields() -> None:
    rejected = CommandRejected(
        [
            UserError(messages.VALIDATION_FAILED, "postal code is empty",
                      ("shipping_address", "postal_code")),
            UserError(messages.CONFLICT, "order is at version 3, not 2", ("expectedVersion",)),
            UserError(messages.NOT_FOUND, "no such order"),
        ]
    )  # fmt: skip
    errors = user_errors(rejected)
    assert [(e.code, e.message, e.field) for e in errors] == [
        (ErrorCode.VALIDATION_FAILED, "postal code is empty", ["shippingAddress", "postalCode"]),
        (ErrorCode.CONFLICT, "order is at version 3, not 2", ["expectedVersion"]),
        (ErrorCode.NOT_FOUND, "no such order", None),
    ]


@pytest.mark.anyio
async def test_a_rejected_mutation_answers_user_errors_and_nulls(api: Api) -> None:
    api.services.bus.behaviour = reject(
        UserError(messages.CONFLICT, "stale version", ("expected_version",))
    )
    data, errors = await api.run(
        PAY_ORDER, input={"orderId": "o-1", "amount": "10.00", "expectedVersion": 2}
    )
    assert errors == []
    assert data == {
        "payOrder": {
            "orderId": None,
            "version": None,
            "position": None,
            "userErrors": [
                {"code": "CONFLICT", "message": "stale version", "field": ["expectedVersion"]}
            ],
        }
    }


@pytest.mark.anyio
async def test_an_accepted_mutation_answers_id_version_and_position(api: Api) -> None:
    data, errors = await api.run(PAY_ORDER, input={"orderId": "o-1", "amount": "10.00"})
    assert errors == []
    assert data == {
        "payOrder": {"orderId": "o-1", "version": 1, "position": "MDox", "userErrors": []}
    }


@pytest.mark.anyio
async def test_an_unexpected_failure_is_masked(api: Api) -> None:
    api.services.bus.behaviour = fail(RuntimeError("password=hunter2 at db.internal:5432"))
    data, errors = await api.run(PAY_ORDER, input={"orderId": "o-1", "amount": "1"})
    assert data is None
    (error,) = errors
    assert error["message"] == "Internal server error."
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert error["path"] == ["payOrder"]
    assert "hunter2" not in repr(errors)


@pytest.mark.anyio
async def test_a_consistency_timeout_is_coded(api: Api) -> None:
    api.services.queries.on_wait = fail(ConsistencyTimeout(Position(0, 9), Position(0, 5), 50))
    data, errors = await api.run(SEARCH, token="MDo5")
    assert data is None
    (error,) = errors
    assert error["extensions"] == {"code": "CONSISTENCY_TIMEOUT"}
    assert api.services.queries.waits == [("MDo5", 50)]
    assert api.services.queries.searches == []


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("on_wait", "not a position token: 'garbage'"),
        ("on_search", "first must be between 1 and 100"),
        ("on_search", "cursor does not belong to this sort"),
    ],
)
async def test_bad_tokens_cursors_and_page_sizes_are_bad_user_input(
    api: Api, where: str, message: str
) -> None:
    setattr(api.services.queries, where, fail(InvalidQuery(message)))
    data, errors = await api.run(SEARCH, token="garbage", first=500, after="x")
    assert data is None
    (error,) = errors
    assert error["message"] == message
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}


@pytest.mark.anyio
async def test_too_many_aliases_are_refused_before_running(api: Api) -> None:
    # Each alias is one search; a cap keeps one request from fanning out without limit.
    query = "{ " + " ".join(f"a{i}: orders {{ totalCount }}" for i in range(31)) + " }"
    data, errors = await api.run(query)
    assert data is None
    assert errors[0]["extensions"] == {
        "code": "GRAPHQL_VALIDATION_FAILED",
        "limit": "QUERY_MAX_ALIASES",
    }
    assert api.services.queries.searches == []


@pytest.mark.anyio
async def test_a_syntax_error_is_coded(api: Api) -> None:
    data, errors = await api.run("{ orders { totalCount ")
    assert data is None
    assert errors[0]["extensions"] == {"code": "GRAPHQL_PARSE_FAILED"}


def test_map_error_keeps_deliberate_codes_and_masks_the_rest() -> None:
    coded = BadUserInput("first must be between 1 and 100")
    assert map_error(coded) is coded
    # A code that some library put on its own exception is not trusted.
    foreign = GraphQLError("x", path=["o"], original_error=None, extensions={"code": "OK"})
    assert map_error(foreign).extensions == {"code": "INTERNAL_SERVER_ERROR"}
    located = GraphQLError("boom", path=["order"], original_error=KeyError("secret"))
    masked = map_error(located)
    assert (masked.message, masked.extensions, masked.path) == (
        "Internal server error.", {"code": "INTERNAL_SERVER_ERROR"}, ["order"],
    )  # fmt: skip
    # An exception escaping outside any field (no path, no location) is masked too.
    assert map_error(GraphQLError("leak", original_error=OSError("leak"))).message == (
        "Internal server error."
    )
