"""Input rules shared by the aggregates, collected so one rejection reports every problem.

Field paths use the GraphQL input names in camelCase, e.g. ("lines", "0", "quantity").
Limits mirror the column sizes in `database.tables`, so valid input always fits.

Every text value is trimmed of surrounding whitespace (tabs and line breaks too), refused
when longer than its limit or holding a character of `REFUSED` (see `text_problem`), and
stored in Unicode NFC. Required text that shows nothing (only whitespace and invisible
characters) counts as empty.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from commands.messages import (
    CONFLICT,
    VALIDATION_FAILED,
    Address,
    CommandRejected,
    ErrorCode,
    UserError,
)
from commands.model.countries import COUNTRY_CODES

Field = tuple[str, ...]

CENT = Decimal("0.01")
# Numeric(14, 2): twelve digits before the point.
MAX_MONEY = Decimal("999999999999.99")
CURRENCY = re.compile(r"[A-Z]{3}")
# The longest accepted value of every text field of every command, by its GraphQL name
# (ids are the 36 characters of a UUID; an email address at most 254, RFC 5321's path).
LIMITS = {
    "name": 200, "email": 254, "sku": 64, "category": 100, "currency": 3,
    "line1": 200, "line2": 200, "city": 100, "postalCode": 20, "country": 2,
    "carrier": 100, "trackingNumber": 100, "reason": 500, "idempotencyKey": 200,
    "id": 36, "customerId": 36, "productId": 36, "orderId": 36,
}  # fmt: skip
# Characters no text may hold, anywhere:
# - C0 controls (NUL, TAB, CR, LF, ESC ...), DEL and C1: every field is a single line, and
#   escapes garble terminals and logs. U+2028/U+2029 are line breaks by another name.
# - Surrogates: in a Python string they are always lone halves, which no UTF-8 can encode.
# - Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): they
#   reorder the text around them on screen.
# - The direction marks LRM, RLM (U+200E, U+200F) and ALM (U+061C) too: they reorder nothing
#   by themselves, but they are invisible, so "KTL-1" and "KTL-1" + RLM would be two SKUs
#   (or customers) that look the same; a frontend shows mixed-direction text right with
#   `dir="auto"` or `<bdi>`, which needs no marks in the data.
REFUSED = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]"
)
# Characters that show nothing: allowed inside text (ZWJ and ZWNJ are needed in emoji and
# several scripts), but not as all of a required value, nor anywhere in a code (SKU,
# postal code, tracking number) that people compare by eye.
_INVISIBLE = (
    "\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200d\u2060-\u2064"
    "\u206a-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e0fff"
)
INVISIBLE = re.compile(f"[{_INVISIBLE}]")
_BLANK = re.compile(rf"[\s{_INVISIBLE}]*")
# Emails: a pragmatic subset of RFC 5321, in ASCII (internationalised domains in their
# xn-- form): a dot-atom local part of at most 64 characters, one @, and a domain of at
# least two dot-separated labels (letters, digits, inner hyphens; 63 each, 253 in all)
# whose last label is not all digits. No quoted local parts, comments or IP literals.
# Stored and compared in lower case: mailboxes differing only in case are one person.
EMAIL_LOCAL_MAX, EMAIL_DOMAIN_MAX = 64, 253
_ATOM = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL_PART = re.compile(rf"{_ATOM}(\.{_ATOM})*")
_LABEL_PATTERN = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_LABEL = re.compile(_LABEL_PATTERN)
# The same rule as one pattern (`email_problem` says which part fails).
EMAIL = re.compile(
    rf"(?=[^@]{{1,{EMAIL_LOCAL_MAX}}}@)(?=.{{1,254}}\Z){_ATOM}(?:\.{_ATOM})*"
    rf"@(?=.{{1,{EMAIL_DOMAIN_MAX}}}\Z)(?:{_LABEL_PATTERN}\.)+(?!\d+\Z){_LABEL_PATTERN}\Z"
)


def normalise_email(email: str) -> str:
    """The form emails are stored and compared in: trimmed, lower case."""
    return email.strip().lower()


def money_text(value: Decimal) -> str:
    """Money in event payloads: a decimal string with two places, e.g. "12.50"."""
    return str(value.quantize(CENT))


def text_problem(value: str, name: str, max_length: int) -> str | None:
    """Why `value` (trimmed) may not be stored at all: too long or a refused character.

    The length is checked first, so a megabyte of text costs one copy and nothing else.
    """
    if len(value) > max_length and len(value.strip()) > max_length:
        return f"{name} must be at most {max_length} characters"
    found = REFUSED.search(value.strip())
    if found is None:
        return None
    code = ord(found.group())
    if 0xD800 <= code <= 0xDFFF:
        kind = "lone surrogates (text that is not valid Unicode)"
    elif code < 0xA0 or code in (0x2028, 0x2029):
        kind = "control characters (line breaks, tabs, NUL, escapes)"
    else:
        kind = "bidirectional control characters or direction marks"
    return f"{name} must not contain {kind}; found U+{code:04X}"


def email_problem(email: str) -> str | None:
    """Why a normalised (trimmed, lower-case) email is not an address we accept, or None."""
    if email.count("@") != 1:
        return "an email address has exactly one @"
    local, domain = email.split("@")
    if not 1 <= len(local) <= EMAIL_LOCAL_MAX:
        return f"the part before the @ must be 1 to {EMAIL_LOCAL_MAX} characters"
    if not _LOCAL_PART.fullmatch(local):
        return (
            "the part before the @ may hold letters a-z, digits and !#$%&'*+/=?^_`{|}~- "
            "with single dots between them"
        )
    labels = domain.split(".")
    if (
        len(domain) > EMAIL_DOMAIN_MAX
        or len(labels) < 2
        or labels[-1].isdigit()
        or not all(_LABEL.fullmatch(label) for label in labels)
    ):
        return "the domain must be names of letters, digits and hyphens joined by dots"
    return None


class Problems:
    """Collects user errors; `raise_if_any` turns them into one `CommandRejected`."""

    def __init__(self) -> None:
        self.errors: list[UserError] = []

    def add(self, code: ErrorCode, message: str, field: Field | None = None) -> None:
        self.errors.append(UserError(code=code, message=message, field=field))

    def invalid(self, message: str, field: Field | None = None) -> None:
        self.add(VALIDATION_FAILED, message, field)

    def raise_if_any(self) -> None:
        if self.errors:
            raise CommandRejected(list(self.errors))

    def text(self, value: str, field: Field, max_length: int) -> str:
        """A required, trimmed, bounded, NFC text; returns the value to store."""
        name = field[-1]
        if (problem := text_problem(value, name, max_length)) is not None:
            self.invalid(problem, field)
            return value
        text = unicodedata.normalize("NFC", value.strip())
        if _BLANK.fullmatch(text):
            self.invalid(f"{name} must not be empty", field)
        elif len(text) > max_length:  # NFC lengthens a few characters
            self.invalid(f"{name} must be at most {max_length} characters", field)
        return text

    def code(self, value: str, field: Field, max_length: int) -> str:
        """A required text that people compare by eye (SKU ...): no invisible characters."""
        text = self.text(value, field, max_length)
        if len(text) <= max_length and INVISIBLE.search(text):
            message = f"{field[-1]} must not contain invisible characters (zero-width, BOM ...)"
            self.invalid(message, field)
        return text

    def email(self, value: str, field: Field) -> str:
        """An address of the documented subset (see above); returns it trimmed, lower case."""
        if (problem := text_problem(value, field[-1], LIMITS["email"])) is not None:
            self.invalid(problem, field)
            return value
        email = normalise_email(value)
        if (problem := email_problem(email)) is not None:
            self.invalid(f"{email!r} is not a valid email address: {problem}", field)
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
        if not CURRENCY.fullmatch(value):
            self.invalid("currency must be three upper-case letters (ISO 4217), e.g. EUR", field)
        return value

    def address(self, address: Address, field: Field) -> Address:
        """Required name, line1, city, postalCode; optional line2; ISO 3166-1 alpha-2 country."""

        def part(value: str, key: str) -> str:
            return self.text(value, (*field, key), LIMITS[key])

        name, line1 = part(address.name, "name"), part(address.line1, "line1")
        line2 = address.line2
        if line2 is not None:  # a blank or invisible line2 is no line2
            line2 = None if _BLANK.fullmatch(line2) else part(line2, "line2")
        city = part(address.city, "city")
        postal_code = self.code(address.postal_code, (*field, "postalCode"), LIMITS["postalCode"])
        self.country(address.country, (*field, "country"))
        return Address(
            name=name,
            line1=line1,
            line2=line2,
            city=city,
            postal_code=postal_code,
            country=address.country,
        )

    def country(self, value: str, field: Field) -> None:
        if value not in COUNTRY_CODES:
            shown = f"{value!r} is not" if len(value) <= 10 else "country must be"
            self.invalid(f"{shown} an ISO 3166-1 alpha-2 country code, e.g. DE", field)


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
