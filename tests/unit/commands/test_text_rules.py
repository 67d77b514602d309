"""Text hygiene on the write side: refused characters, NFC, invisible text, emails, limits."""

from __future__ import annotations

import pytest

from commands.messages import VALIDATION_FAILED
from commands.model.validation import EMAIL, LIMITS, Problems, email_problem, text_problem

CONTROL = "control characters"
SURROGATE = "lone surrogates"
BIDI = "bidirectional control characters"
# (character, the class its message names): each refused class, every member we list.
REFUSED = [
    *[(chr(c), CONTROL) for c in (0x00, 0x01, 0x07, 0x09, 0x0A, 0x0D, 0x1B, 0x1F, 0x7F)],
    *[(chr(c), CONTROL) for c in (0x80, 0x85, 0x9B, 0x9F, 0x2028, 0x2029)],
    *[(chr(c), SURROGATE) for c in (0xD800, 0xDBFF, 0xDC00, 0xDFFF)],
    *[(chr(c), BIDI) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))],
    *[(chr(c), BIDI) for c in (0x200E, 0x200F, 0x061C)],
]
INVISIBLE_ONLY = ["\u200b", "\ufeff", "\u00ad", "\u2060", "\u200c\u200d", " \u200b\t", "\u3164"]


def problems_of(value: str, max_length: int = 200) -> list[tuple[str, str, tuple[str, ...]]]:
    problems = Problems()
    problems.text(value, ("name",), max_length)
    return [(e.code, e.message, e.field or ()) for e in problems.errors]


@pytest.mark.parametrize(("char", "kind"), REFUSED, ids=lambda v: f"U+{ord(v[0]):04X}")
def test_refused_characters_inside_text_name_their_class(char: str, kind: str) -> None:
    ((code, message, field),) = problems_of(f"Ann{char}Lee")
    assert (code, field) == (VALIDATION_FAILED, ("name",))
    assert message.startswith(f"name must not contain {kind}")
    assert f"U+{ord(char):04X}" in message


@pytest.mark.parametrize(("char", "kind"), REFUSED[:1] + REFUSED[16:], ids=str)
def test_refused_characters_are_refused_at_the_edges_too(char: str, kind: str) -> None:
    # NUL, surrogates and direction controls are not whitespace, so trimming keeps them.
    ((_, message, _),) = problems_of(f"{char}Ann")
    assert kind in message


def test_surrounding_whitespace_with_tabs_and_line_breaks_is_trimmed() -> None:
    problems = Problems()
    assert problems.text("\t Ann Lee \r\n", ("name",), 10) == "Ann Lee"
    assert problems.errors == []


def test_text_is_stored_in_nfc() -> None:
    problems = Problems()
    assert problems.text("Jose\u0301 Mu\u0308ller", ("name",), 20) == "José Müller"
    assert problems.errors == []


@pytest.mark.parametrize("value", INVISIBLE_ONLY)
def test_text_of_invisible_characters_only_is_empty(value: str) -> None:
    assert problems_of(value) == [(VALIDATION_FAILED, "name must not be empty", ("name",))]


def test_joiners_inside_visible_text_are_kept() -> None:
    problems = Problems()
    text = "\U0001f469\u200d\U0001f4bb Ann, \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    assert problems.text(text, ("name",), 50) == text
    assert problems.errors == []


def test_codes_refuse_invisible_characters_anywhere() -> None:
    problems = Problems()
    assert problems.code("KTL-100", ("sku",), 64) == "KTL-100"
    problems.code("KTL\u200b-100", ("sku",), 64)
    problems.code("KTL-100\ufeff", ("sku",), 64)
    assert [(e.field, "invisible" in e.message) for e in problems.errors] == [(("sku",), True)] * 2


def test_a_megabyte_is_refused_by_its_length_before_anything_else() -> None:
    # A NUL in it would be refused too, but the length is what is checked (and named) first.
    huge = "a" * 1_000_000 + "\x00"
    assert problems_of(huge) == [
        (VALIDATION_FAILED, "name must be at most 200 characters", ("name",))
    ]
    assert text_problem(huge, "reason", 500) == "reason must be at most 500 characters"


def test_padding_does_not_count_but_nfc_growth_does() -> None:
    assert problems_of(" " * 1000 + "Ann" + " " * 1000, 3) == []
    # U+0958 has no composed form: NFC turns it into two code points.
    assert problems_of("\u0958" * 3, 3) == [
        (VALIDATION_FAILED, "name must be at most 3 characters", ("name",))
    ]


@pytest.mark.parametrize(
    ("email", "stored"),
    [
        ("ann@example.com", "ann@example.com"),
        ("  Ann.Lee@Example.COM ", "ann.lee@example.com"),
        ("o'brien+orders@mail.example.ie", "o'brien+orders@mail.example.ie"),
        ("x@xn--mnchen-3ya.de", "x@xn--mnchen-3ya.de"),
        ("a" * 64 + "@" + "b" * 63 + ".com", "a" * 64 + "@" + "b" * 63 + ".com"),
        ("#!$%&'*+/=?^_`{|}~-@a-1.b2", "#!$%&'*+/=?^_`{|}~-@a-1.b2"),
    ],
)
def test_emails_of_the_documented_subset_pass_in_lower_case(email: str, stored: str) -> None:
    problems = Problems()
    assert problems.email(email, ("email",)) == stored
    assert problems.errors == []
    assert EMAIL.match(stored)


@pytest.mark.parametrize(
    ("email", "reason"),
    [
        ("ann.example.com", "exactly one @"),
        ("ann@b@example.com", "exactly one @"),
        ("@example.com", "1 to 64"),
        ("a" * 65 + "@example.com", "1 to 64"),
        (".ann@example.com", "single dots"),
        ("ann.@example.com", "single dots"),
        ("a..b@example.com", "single dots"),
        ('"ann"@example.com', "single dots"),
        ("ann lee@example.com", "single dots"),
        ("jos\u00e9@example.com", "single dots"),
        ("ann@example", "domain"),
        ("ann@-example.com", "domain"),
        ("ann@example-.com", "domain"),
        ("ann@ex_ample.com", "domain"),
        ("ann@example..com", "domain"),
        ("ann@example.123", "domain"),
        ("ann@[127.0.0.1]", "domain"),
        ("ann@ex\u00e4mple.com", "domain"),
        ("ann@" + "b" * 64 + ".com", "domain"),
    ],
)
def test_other_emails_are_refused_with_the_reason(email: str, reason: str) -> None:
    assert email_problem(email.strip().lower()) is not None
    assert not EMAIL.match(email.strip().lower())
    problems = Problems()
    problems.email(email, ("email",))
    ((error),) = problems.errors
    assert (error.code, error.field) == (VALIDATION_FAILED, ("email",))
    assert reason in error.message


def test_a_domain_longer_than_253_characters_is_refused() -> None:
    domain = ("b" * 62 + ".") * 4 + "com"  # 255: past the 254-character address already
    assert email_problem("a@" + domain) is not None
    assert email_problem("a@" + domain[6:]) is None and EMAIL.match("a@" + domain[6:])


@pytest.mark.parametrize(("char", "kind"), REFUSED[:3] + REFUSED[15:17] + REFUSED[-3:], ids=str)
def test_emails_refuse_the_same_characters_by_class(char: str, kind: str) -> None:
    problems = Problems()
    problems.email(f"ann{char}@example.com", ("email",))
    assert [kind in e.message for e in problems.errors] == [True]


def test_a_megabyte_email_is_refused_by_its_length() -> None:
    problems = Problems()
    problems.email("a" * 1_000_000 + "@example.com", ("email",))
    assert [e.message for e in problems.errors] == ["email must be at most 254 characters"]


def test_a_long_country_is_not_echoed() -> None:
    problems = Problems()
    problems.country("X" * 1_000_000, ("address", "country"))
    ((error),) = problems.errors
    assert len(error.message) < 100 and error.field == ("address", "country")


def test_currency_refuses_a_trailing_line_break() -> None:
    problems = Problems()
    problems.currency("EUR\n", ("currency",))
    assert [e.field for e in problems.errors] == [("currency",)]


def test_every_limit_is_positive_and_the_email_one_is_rfc_5321s() -> None:
    assert all(limit > 0 for limit in LIMITS.values())
    assert LIMITS["email"] == 254 and LIMITS["id"] == 36
