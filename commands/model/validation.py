"""Input rules shared by the aggregates, collected so one rejection reports every problem.

Field paths use the GraphQL input names in camelCase, e.g. ("lines", "0", "quantity").
Limits mirror the column sizes in `commands.tables`, so valid input always fits.
"""

from __future__ import annotations

import re
from decimal import Decimal

from commands.messages import (
    CONFLICT,
    VALIDATION_FAILED,
    Address,
    CommandRejected,
    UserError,
)
from commands.model.countries import COUNTRY_CODES

Field = tuple[str, ...]

CENT = Decimal("0.01")
# Numeric(14, 2): twelve digits before the point.
MAX_MONEY = Decimal("999999999999.99")
EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
ADDRESS_LIMITS = {"name": 200, "line1": 200, "line2": 200, "city": 100, "postalCode": 20}


def normalise_email(email: str) -> str:
    """The form emails are stored and compared in: trimmed, lower case."""
    return email.strip().lower()


def money_text(value: Decimal) -> str:
    """Money in event payloads: a decimal string with two places, e.g. "12.50"."""
    return str(value.quantize(CENT))


class Problems:
    """Collects user errors; `raise_if_any` turns them into one `CommandRejected`."""

    def __init__(self) -> None:
        self.errors: list[UserError] = []

    def add(self, code: str, message: str, field: Field | None = None) -> None:
        self.errors.append(UserError(code=code, message=message, field=field))

    def invalid(self, message: str, field: Field | None = None) -> None:
        self.add(VALIDATION_FAILED, message, field)

    def raise_if_any(self) -> None:
        if self.errors:
            raise CommandRejected(list(self.errors))

    def text(self, value: str, field: Field, max_length: int) -> str:
        """A required, trimmed, bounded text; returns the trimmed value."""
        trimmed = value.strip()
        if not trimmed:
            self.invalid(f"{field[-1]} must not be empty", field)
        elif len(trimmed) > max_length:
            self.invalid(f"{field[-1]} must be at most {max_length} characters", field)
        return trimmed

    def email(self, value: str, field: Field) -> str:
        email = normalise_email(value)
        if len(email) > 320 or not EMAIL.match(email):
            self.invalid(f"{value!r} is not a valid email address", field)
        return email

    def money(self, value: Decimal, field: Field) -> Decimal:
        """A positive amount with at most two decimal places; returns it with exactly two."""
        name = field[-1]
        if not value.is_finite():
            self.invalid(f"{name} must be a number", field)
        elif not Decimal(0) < value <= MAX_MONEY:
            self.invalid(f"{name} must be greater than 0 and at most {MAX_MONEY}", field)
        elif value != value.quantize(CENT):
            self.invalid(f"{name} must have at most two decimal places", field)
        else:
            return value.quantize(CENT)
        return value

    def currency(self, value: str, field: Field) -> str:
        if not CURRENCY.match(value):
            self.invalid("currency must be three upper-case letters (ISO 4217), e.g. EUR", field)
        return value

    def address(self, address: Address, field: Field) -> Address:
        """Required name, line1, city, postalCode; optional line2; ISO 3166-1 alpha-2 country."""

        def part(value: str, key: str) -> str:
            return self.text(value, (*field, key), ADDRESS_LIMITS[key])

        name, line1 = part(address.name, "name"), part(address.line1, "line1")
        line2 = address.line2
        if line2 is not None:
            line2 = part(line2, "line2") if line2.strip() else None
        city, postal_code = part(address.city, "city"), part(address.postal_code, "postalCode")
        if address.country not in COUNTRY_CODES:
            self.invalid(
                f"{address.country!r} is not an ISO 3166-1 alpha-2 country code, e.g. DE",
                (*field, "country"),
            )
        return Address(
            name=name,
            line1=line1,
            line2=line2,
            city=city,
            postal_code=postal_code,
            country=address.country,
        )


def check_version(expected: int | None, actual: int) -> None:
    """A stale `expectedVersion` is a CONFLICT and stops the command before any other rule."""
    if expected is not None and expected != actual:
        raise CommandRejected(
            [
                UserError(
                    code=CONFLICT,
                    message=f"expected version {expected} but the current version is {actual}",
                    field=("expectedVersion",),
                )
            ]
        )
