"""The two custom scalars of the contract: DateTime (ISO 8601, UTC) and Decimal (money string).

Both map onto Python's own types (`datetime`, `Decimal`) through `SCALARS`, which
`build.py` hands to the schema config, so types and inputs annotate plain types.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

import strawberry
from strawberry.types.scalar import ScalarDefinition

_DECIMAL = re.compile(r"^-?\d{1,15}(\.\d{1,6})?$")
_DATETIME_HINT = 'an ISO 8601 date-time with an offset, e.g. "2024-05-01T12:00:00Z"'


def serialize_datetime(value: datetime | str) -> str:
    """UTC with millisecond precision and a `Z`, the form the index stores."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value.tzinfo is None:  # naive datetimes inside the service are UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_datetime(value: object) -> datetime:
    """Input → aware UTC datetime; a missing offset is rejected rather than guessed."""
    if not isinstance(value, str):
        raise ValueError(f"DateTime must be a string, {_DATETIME_HINT}")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"DateTime {value!r} is not {_DATETIME_HINT}") from None
    if parsed.tzinfo is None:
        raise ValueError(f"DateTime {value!r} has no UTC offset; use {_DATETIME_HINT}")
    return parsed.astimezone(UTC)


def serialize_decimal(value: Decimal | str) -> str:
    """Plain notation, never an exponent: Decimal("12.50") → "12.50"."""
    return format(Decimal(value), "f")


def parse_decimal(value: object) -> Decimal:
    """Input → Decimal. Strings only (integers tolerated): floats would lose cents."""
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if not isinstance(value, str) or not _DECIMAL.match(value.strip()):
        raise ValueError(
            f'Decimal must be a string of digits with an optional fraction, e.g. "12.50" '
            f"(got {value!r})"
        )
    try:
        return Decimal(value.strip())
    except InvalidOperation:  # pragma: no cover - the pattern already rules this out
        raise ValueError(f"Decimal {value!r} is not a number") from None


DateTimeScalar: ScalarDefinition = strawberry.scalar(
    name="DateTime",
    description="ISO 8601 date-time in UTC, e.g. 2024-05-01T12:00:00.000Z",
    serialize=serialize_datetime,
    parse_value=parse_datetime,
)

DecimalScalar: ScalarDefinition = strawberry.scalar(
    name="Decimal",
    description='Money as a string, e.g. "12.50"',
    serialize=serialize_decimal,
    parse_value=parse_decimal,
)

SCALARS: dict[object, ScalarDefinition] = {datetime: DateTimeScalar, Decimal: DecimalScalar}
