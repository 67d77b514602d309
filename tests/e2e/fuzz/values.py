"""Odd input values: for JSON variables, for GraphQL literals, for custom scalars, and
forged cursors that carry the right fingerprint."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import graphql
from hypothesis import strategies as st

from queries.search_request import OrderSearch, SortSpec, cursor_fingerprint, effective_sort
from tests.e2e.fuzz.wire import Enum, Long, Many, Raw

MEGABYTE = Long("x" * 1_000_000)
ODD_STRINGS = [
    "", " ", "\x00", "a\x00b", "\ud800", "a\udfffb", "\udc00\ud800", "a\u202eb", "\u2066x\u2069",
    "a\u200fb", "\u200b", "\ufeff", "\u00ad", "\u200b\u200d", "e\u0301", "\U0001f600", "\x1b[31m",
    "a\r\nb", "\t", "\x7f", "\x85", "\x9b", "\u2028", "\uffff", "\ufffe", "\U0010ffff",
    "Robert'); DROP TABLE customers;--", "<script>alert(1)</script>", "{{7*7}}", "%00",
    "../../etc/passwd", "null", "NaN", "1e309", "-0", "9" * 400, "x" * 37, "x" * 65, "x" * 201,
    "x" * 501, Long("x" * 10_000), MEGABYTE, "DE", "EUR", "PAID", "*", "\\", '"',
    "a" * 200 + "\x00", "ANN@EXAMPLE.COM", "ann@@example.com", "a@b", "xn--80ak6aa92e.com",
    "\u0130stanbul",
]  # fmt: skip
# JSON that encoders do not write: non-finite and negative-zero numbers, huge integers,
# deep nesting, a lone surrogate escape; and values of every other JSON type.
ODD_JSON = [
    Raw("NaN"), Raw("Infinity"), Raw("-Infinity"), Raw("1e309"), Raw("-1e309"), Raw("-0"),
    Raw("-0.0"), Raw("1e-400"), Raw("9" * 400), Raw("[" * 2000 + "]" * 2000), Raw('"\\ud800"'),
    Raw('"\\udc00x"'), 0, -1, 1, 2**31, -(2**31) - 1, 2**53 + 1, 2**63, 2**64, 1.5, 0.1, True,
    False, None, [], {}, [None], {"a": 1}, Many(["x"] * 10_000),
    Many([{"productId": "p", "quantity": 1}] * 500),
]  # fmt: skip
# GraphQL literals of the same kinds, and ones only a document can hold.
ODD_LITERALS = [
    Raw("1e309"), Raw("-1e309"), Raw("-0"), Raw("-0.0"), Raw("NaN"), Raw("Infinity"),
    Raw("123456789012345678901234567890"), Raw("-9223372036854775809"), Raw("0.1e-400"),
    Raw('"\\ud800"'), Raw('"\\udfff\\ud800"'), Raw('"\\u{D800}"'), Raw('"\\u{10FFFF}"'),
    Raw('"\\u{110000}"'), Raw('"\\u0000"'), Raw('"""block \\u0000 "quoted" """'),
    Raw('"""\x00"""'), Raw("$undefined"), Raw("PAID"), Raw("[" * 300 + "]" * 300), Raw("{}"),
    Raw("[]"), Raw("null"), Raw("true"), Raw('"' + MEGABYTE + '"'), Raw("{a: 1}"),
    Raw('["x", 1, null]'), Raw("0x10"), Raw("1_000"), Raw("01"),
]  # fmt: skip
RANDOM_TEXT = st.text(st.characters(codec=None), max_size=12)
ODD_CHARACTERS = st.text(st.characters(categories=["Cc", "Cf", "Cs", "Zl", "Zp", "Mn"]), max_size=4)
ODD_VARIABLE = st.one_of(
    st.sampled_from(ODD_STRINGS),
    st.sampled_from(ODD_JSON),
    RANDOM_TEXT,
    ODD_CHARACTERS,
    st.integers(),
    st.floats(),
)
ODD_LITERAL = st.one_of(
    st.sampled_from(ODD_STRINGS), st.sampled_from(ODD_LITERALS), RANDOM_TEXT, st.integers()
)


def paths(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every node below the root of a JSON-like value, parents before children."""
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return []
    found: list[tuple[Any, ...]] = []
    for key, child in items:
        found.append((*at, key))
        found.extend(paths(child, (*at, key)))
    return found


def replace_at(value: Any, path: tuple[Any, ...], new: Any) -> None:
    for key in path[:-1]:
        value = value[key]
    value[path[-1]] = new


@st.composite
def variant(draw: st.DrawFn, base: dict[str, Any], odd: st.SearchStrategy[Any]) -> Any:
    """`base` with up to three nodes replaced by odd values, a key dropped or one added."""
    value = copy.deepcopy(base)
    # Copies: the pools' lists and objects must not change from one case to the next.
    for path in draw(st.lists(st.sampled_from(paths(value)), max_size=3, unique=True)):
        try:
            replace_at(value, path, copy.deepcopy(draw(odd)))
        except (KeyError, IndexError, TypeError):  # a parent was replaced before
            continue
    change = draw(st.sampled_from(["none", "none", "drop", "extra"]))
    target = draw(st.sampled_from([value, *(v for v in _dicts(value))]))
    if change == "drop" and target:
        del target[draw(st.sampled_from(sorted(target)))]
    elif change == "extra":
        target["unknownField"] = copy.deepcopy(draw(odd))
    return value


def _dicts(value: Any) -> list[dict[str, Any]]:
    found = []
    for child in value.values() if isinstance(value, dict) else value or []:
        if isinstance(child, dict):
            found.extend([child, *_dicts(child)])
        elif isinstance(child, list):
            found.extend(_dicts(child))
    return found


KIND_VALUES = {
    "date": st.one_of(
        st.integers(-(2**63), 2**63 - 1),
        st.sampled_from([2**63 - 1, -(2**63), 253402300799999, -62135596800000, 0, -1]),
    ),
    "number": st.one_of(
        st.floats(allow_nan=False, allow_infinity=False),
        st.sampled_from([1e308, -1e308, 5e-324, -0.0, 2**63 - 1, -(2**63), 0]),
        st.integers(-(2**63), 2**63 - 1),
    ),
    "keyword": st.one_of(RANDOM_TEXT, st.sampled_from(["", "x" * 100, "\uffff", "\U0010ffff"])),
}
ANY_SORT_VALUE = st.one_of(
    st.integers(-(2**70), 2**70), st.floats(), st.text(max_size=5), st.none(), st.booleans()
)


@st.composite
def forged_cursor(draw: st.DrawFn, arguments: dict[str, Any]) -> str | None:
    """A cursor with the fingerprint of the request's own sort and values of (mostly) the
    right kinds; None when the request's sort is not one the service would resolve."""
    try:
        text = arguments.get("search")
        specs = [
            SortSpec(entry["field"].name, entry.get("direction", Enum("DESC")).name)
            for entry in arguments.get("sort") or []
        ]
        sort = effective_sort(OrderSearch(text=text if isinstance(text, str) else None, sort=specs))
    except (AttributeError, KeyError, TypeError, ValueError):
        return None
    kinds = [*("date" if s.field.endswith("_AT") else "number" for s in sort), "keyword"]
    values = [draw(st.one_of(KIND_VALUES[kind], ANY_SORT_VALUE)) for kind in kinds]
    if draw(st.integers(0, 9)) == 0:
        values = values[: draw(st.integers(0, len(values)))] or [*values, 1]
    raw = json.dumps({"s": cursor_fingerprint(sort), "v": values}, allow_nan=True)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def scalar_nodes(real: list[str], ids: list[str]) -> dict[str, st.SearchStrategy[Any]]:
    """Value nodes for hypothesis-graphql's documents: real values, odd strings, odd numbers."""
    string = graphql.StringValueNode
    strings = st.one_of(
        st.sampled_from(real),
        st.sampled_from([s for s in ODD_STRINGS if len(s) < 1000]),
        RANDOM_TEXT,
        ODD_CHARACTERS,
    )
    decimals = ["12.50", "25.00", "0", "-0", "0.001", "1e309", "NaN", "Infinity", "", "12,50",
                "99999999999999999", "-1", " 25.00 ", "0x10"]  # fmt: skip
    datetimes = ["2024-01-01T00:00:00Z", "2024-01-01T00:00:00", "9999-12-31T23:59:59-14:00",
                 "0001-01-01T00:00:00+14:00", "2024-02-30T00:00:00Z", "", "\x00",
                 "2024-01-01T00:00:00.123456789Z", "+002024-01-01T00:00:00Z"]  # fmt: skip
    odd_numbers = st.sampled_from(
        [graphql.IntValueNode(value=v) for v in ("2147483648", "9" * 400, "-0")]
        + [graphql.FloatValueNode(value=v) for v in ("1e309", "-0.0", "1.5")]
    )
    return {
        "String": strings.map(lambda s: string(value=s)),
        "ID": st.one_of(st.sampled_from(ids), strings).map(lambda s: string(value=s)),
        "Decimal": st.one_of(st.sampled_from(decimals).map(lambda s: string(value=s)), odd_numbers),
        "DateTime": st.sampled_from(datetimes).map(lambda s: string(value=s)),
        "Int": st.one_of(st.integers(-3, 120), st.integers(-(2**31), 2**31 - 1)).map(
            lambda n: graphql.IntValueNode(value=str(n))
        )
        | odd_numbers,
    }
