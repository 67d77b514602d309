"""DateTime and Decimal: what they accept, what they refuse and how they print."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from schema.scalars import parse_datetime, parse_decimal, serialize_datetime, serialize_decimal
from tests.unit.schema.schema_fakes import Api


def test_datetime_serialises_as_utc_with_milliseconds_and_z() -> None:
    plus_two = timezone(timedelta(hours=2))
    assert serialize_datetime(datetime(2024, 5, 1, 14, 0, tzinfo=plus_two)) == (
        "2024-05-01T12:00:00.000Z"
    )
    assert serialize_datetime(datetime(2024, 5, 1, 12, 0, 0, 123456)) == "2024-05-01T12:00:00.123Z"


@pytest.mark.parametrize(
    "text",
    ["2024-05-01T12:00:00Z", "2024-05-01T12:00:00.000Z", "2024-05-01T14:00:00+02:00"],
)
def test_datetime_parses_any_offset_into_utc(text: str) -> None:
    assert parse_datetime(text) == datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert parse_datetime(text).tzinfo == UTC


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2024-05-01T12:00:00", "has no UTC offset"),
        ("yesterday", "is not an ISO 8601 date-time"),
        ("2024-13-01T00:00:00Z", "is not an ISO 8601 date-time"),
        (1714564800, "must be a string"),
    ],
)
def test_datetime_refuses_malformed_input_clearly(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_datetime(value)


@pytest.mark.parametrize(
    ("value", "text"),
    [(Decimal("12.50"), "12.50"), (Decimal("1E+2"), "100"), (Decimal("0.10"), "0.10")],
)
def test_decimal_serialises_as_a_plain_string(value: Decimal, text: str) -> None:
    assert serialize_decimal(value) == text


@pytest.mark.parametrize(
    ("value", "parsed"),
    [("12.50", Decimal("12.50")), ("0", Decimal(0)), ("-3.5", Decimal("-3.5")), (7, Decimal(7))],
)
def test_decimal_parses_strings_exactly(value: object, parsed: Decimal) -> None:
    result = parse_decimal(value)
    assert result == parsed
    assert str(result) == str(parsed)


@pytest.mark.parametrize("value", [12.5, "12,50", "1e3", "NaN", "Infinity", "", "12.", True])
def test_decimal_refuses_anything_but_a_plain_number_string(value: object) -> None:
    with pytest.raises(ValueError, match=r'Decimal must be a string .* e\.g\. "12\.50"'):
        parse_decimal(value)


@pytest.mark.anyio
async def test_a_bad_scalar_variable_is_bad_user_input(api: Api) -> None:
    query = "mutation($input: PayOrderInput!) { payOrder(input: $input) { orderId } }"
    data, errors = await api.run(query, input={"orderId": "o-1", "amount": 19.9})
    assert data is None
    (error,) = errors
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert '"12.50"' in error["message"]
    assert api.services.bus.commands == []


@pytest.mark.anyio
async def test_a_bad_scalar_literal_is_bad_user_input(api: Api) -> None:
    query = '{ orders(filter: {placedFrom: "last week"}) { totalCount } }'
    data, errors = await api.run(query)
    assert data is None
    (error,) = errors
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "ISO 8601" in error["message"]
