"""Input rules shared by the aggregates (commands.model.validation)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from commands.messages import CONFLICT, VALIDATION_FAILED, Address, CommandRejected
from commands.model.countries import COUNTRY_CODES
from commands.model.validation import (
    Problems,
    check_version,
    money_text,
    normalise_email,
)

GOOD_ADDRESS = Address(
    name="Ann", line1="1 Main St", city="Lyon", postal_code="69001", country="FR"
)


def fields(problems: Problems) -> list[tuple[str, ...] | None]:
    return [error.field for error in problems.errors]


@pytest.mark.parametrize(
    "email", ["ann@example.com", "a.b+tag@sub.example.co.uk", "  Ann@Example.COM "]
)
def test_valid_emails_pass_and_are_normalised(email: str) -> None:
    problems = Problems()
    assert problems.email(email, ("email",)) == email.strip().lower()
    assert problems.errors == []


@pytest.mark.parametrize(
    "email",
    ["", "ann", "ann@", "@example.com", "ann@example", "ann @example.com", "ann@exa mple.com",
     "ann@@example.com", "ann@example.", "a" * 310 + "@example.com"],
)  # fmt: skip
def test_invalid_emails_are_rejected_on_the_email_field(email: str) -> None:
    problems = Problems()
    problems.email(email, ("email",))
    assert [(e.code, e.field) for e in problems.errors] == [(VALIDATION_FAILED, ("email",))]


def test_normalise_email_trims_and_lowercases() -> None:
    assert normalise_email("  Ann.Lee@Example.ORG ") == "ann.lee@example.org"


@pytest.mark.parametrize("value", ["", "   ", "\t\n"])
def test_blank_text_is_rejected(value: str) -> None:
    problems = Problems()
    problems.text(value, ("name",), 10)
    assert problems.errors[0].message == "name must not be empty"
    assert fields(problems) == [("name",)]


def test_text_is_trimmed_and_bounded() -> None:
    problems = Problems()
    assert problems.text("  Ann  ", ("name",), 3) == "Ann"
    assert problems.errors == []
    problems.text("Anna", ("name",), 3)
    assert problems.errors[0].message == "name must be at most 3 characters"


@pytest.mark.parametrize(
    ("value", "stored"),
    [("12.5", "12.50"), ("12.500", "12.50"), ("0.01", "0.01"), ("7", "7.00"),
     ("999999999999.99", "999999999999.99")],
)  # fmt: skip
def test_valid_money_is_stored_with_two_places(value: str, stored: str) -> None:
    problems = Problems()
    result = problems.money(Decimal(value), ("price",))
    assert problems.errors == []
    assert str(result) == stored


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("12.345", "price must have at most two decimal places"),
        ("0", "price must be greater than 0 and at most 999999999999.99"),
        ("0.00", "price must be greater than 0 and at most 999999999999.99"),
        ("-1", "price must be greater than 0 and at most 999999999999.99"),
        ("1000000000000", "price must be greater than 0 and at most 999999999999.99"),
        ("1E+40", "price must be greater than 0 and at most 999999999999.99"),
        ("NaN", "price must be a number"),
        ("sNaN", "price must be a number"),
        ("Infinity", "price must be a number"),
    ],
)
def test_invalid_money_is_rejected(value: str, message: str) -> None:
    problems = Problems()
    problems.money(Decimal(value), ("price",))
    assert [(e.code, e.message, e.field) for e in problems.errors] == [
        (VALIDATION_FAILED, message, ("price",))
    ]


def test_money_text_has_two_places() -> None:
    assert money_text(Decimal("3")) == "3.00"
    assert money_text(Decimal("3.5")) == "3.50"


@pytest.mark.parametrize("currency", ["EUR", "USD", "JPY"])
def test_three_upper_case_letters_are_a_currency(currency: str) -> None:
    problems = Problems()
    problems.currency(currency, ("currency",))
    assert problems.errors == []


@pytest.mark.parametrize("currency", ["eur", "EURO", "EU", "E1R", "", " EUR"])
def test_other_currencies_are_rejected(currency: str) -> None:
    problems = Problems()
    problems.currency(currency, ("currency",))
    assert fields(problems) == [("currency",)]


def test_country_codes_are_the_249_assigned_iso_3166_codes() -> None:
    assert len(COUNTRY_CODES) == 249
    assert {"DE", "FR", "US", "GB", "JP", "AX", "SS", "CW"} <= COUNTRY_CODES
    assert not {"UK", "EU", "XK", "ZZ", "de"} & COUNTRY_CODES
    iso_codes = Path("/usr/share/iso-codes/json/iso_3166-1.json")
    if iso_codes.exists():  # Debian's iso-codes, where installed, must agree
        listed = {entry["alpha_2"] for entry in json.loads(iso_codes.read_text())["3166-1"]}
        assert listed == COUNTRY_CODES


def test_a_good_address_passes_trimmed() -> None:
    problems = Problems()
    raw = Address(name=" Ann ", line1="1 Main St ", city="Lyon", postal_code=" 69001", country="FR")
    address = problems.address(raw, ("address",))
    assert problems.errors == []
    assert (address.name, address.line1, address.postal_code) == ("Ann", "1 Main St", "69001")
    assert address.line2 is None


def test_every_address_problem_is_reported_at_once() -> None:
    problems = Problems()
    bad = Address(name="", line1=" ", city="", postal_code="", country="XX", line2="x" * 201)
    problems.address(bad, ("shippingAddress",))
    assert fields(problems) == [
        ("shippingAddress", "name"),
        ("shippingAddress", "line1"),
        ("shippingAddress", "line2"),
        ("shippingAddress", "city"),
        ("shippingAddress", "postalCode"),
        ("shippingAddress", "country"),
    ]
    assert {error.code for error in problems.errors} == {VALIDATION_FAILED}


@pytest.mark.parametrize("country", ["de", "DEU", "XK", "", "EU", "UK"])
def test_country_must_be_an_upper_case_alpha_2_code(country: str) -> None:
    problems = Problems()
    problems.address(Address(**{**GOOD_ADDRESS.__dict__, "country": country}), ("address",))
    assert fields(problems) == [("address", "country")]


def test_a_blank_line2_is_stored_as_none() -> None:
    problems = Problems()
    address = problems.address(Address(**{**GOOD_ADDRESS.__dict__, "line2": "  "}), ("a",))
    assert address.line2 is None
    assert problems.errors == []


def test_raise_if_any_carries_every_error() -> None:
    problems = Problems()
    problems.raise_if_any()  # nothing collected: no exception
    problems.invalid("one", ("a",))
    problems.invalid("two", ("b",))
    with pytest.raises(CommandRejected) as rejected:
        problems.raise_if_any()
    assert [error.message for error in rejected.value.errors] == ["one", "two"]


def test_expected_version_mismatch_is_a_conflict() -> None:
    check_version(None, 3)
    check_version(3, 3)
    with pytest.raises(CommandRejected) as rejected:
        check_version(2, 3)
    (error,) = rejected.value.errors
    assert (error.code, error.field) == (CONFLICT, ("expectedVersion",))
    assert "expected version 2" in error.message and "current version is 3" in error.message
