"""Opaque page cursors: the last hit's sort values, tied to the sort they came from.

A cursor is stateless (no scroll, no point in time): the next page is every order
sorting strictly after those values (`search_after`), at any depth. So while orders
keep arriving or changing between pages:

- PLACED_AT and TOTAL sorts (with the `id` tiebreaker) are *exact*: an order's
  `placedAt`, `total` and `id` never change, so every order that matches throughout
  the walk is returned exactly once, in order, with no duplicates and no skips. New
  orders sort before a PLACED_AT DESC cursor (they are newer) and never show up in
  later pages; with other sorts they appear on a later page if they sort after the cursor.
- UPDATED_AT moves an order that is updated during the walk: it can appear twice or
  not at all.
- RELEVANCE: scores depend on index statistics, which new orders shift slightly; at a
  page boundary an order can then repeat or be missed. Walk a PLACED_AT sort when a
  complete export matters.

An order whose filter match changes during the walk (say its status) is included or
not depending on when its page is read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
from collections.abc import Container, Sequence
from typing import Any, Literal, NoReturn, Protocol, TypeVar

from queries.errors import InvalidQuery

SortValue = str | int | float | None
# What the engine returns per sort field, and so what a cursor may carry back: a date's
# epoch milliseconds (a long), a number (score, total), the id tiebreaker (a keyword).
SortKind = Literal["date", "number", "keyword"]

# A real cursor is well under 200 characters (fingerprint, a few numbers, a 36-character id).
MAX_CURSOR_LENGTH = 512
MAX_KEYWORD_LENGTH = 100
_LONG = 2**63
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_REFUSED = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def sort_fingerprint(sort_key: str) -> str:
    """A short digest of the resolved sort, e.g. of "TOTAL:ASC,id:ASC"."""
    return hashlib.sha256(sort_key.encode()).hexdigest()[:8]


def encode_cursor(fingerprint: str, values: Sequence[SortValue]) -> str:
    raw = json.dumps({"s": fingerprint, "v": list(values)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(
    cursor: str,
    fingerprint: str,
    kinds: Sequence[SortKind],
    *,
    max_length: int = MAX_CURSOR_LENGTH,
    max_keyword: int = MAX_KEYWORD_LENGTH,
) -> list[SortValue]:
    """The sort values in `cursor`, one of each kind in `kinds`; InvalidQuery if it is
    garbage, from another sort, or forged or stale (a value the engine would not take).
    A view sorting by longer keywords (names) passes larger limits."""
    if len(cursor) > max_length or not _BASE64URL.fullmatch(cursor):
        _invalid()
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode()).decode()
        data: Any = json.loads(text, parse_constant=_no_constant)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        _invalid()
    if not isinstance(data, dict) or not isinstance(data.get("v"), list):
        _invalid()
    if data.get("s") != fingerprint:
        raise InvalidQuery("cursor belongs to a different sort order")
    values = data["v"]
    if len(values) != len(kinds) or not all(
        _fits(value, kind, max_keyword) for value, kind in zip(values, kinds, strict=True)
    ):
        _invalid()
    return list(values)


def _fits(value: Any, kind: SortKind, max_keyword: int) -> bool:
    if isinstance(value, bool):
        return False
    if kind == "date":
        return isinstance(value, int) and -_LONG <= value < _LONG
    if kind == "number":
        if isinstance(value, int):
            return -_LONG <= value < _LONG
        return isinstance(value, float) and math.isfinite(value)
    return isinstance(value, str) and len(value) <= max_keyword and _REFUSED.search(value) is None


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a sort value")  # NaN, Infinity: JSON has no such numbers


def _invalid() -> NoReturn:
    raise InvalidQuery("invalid cursor")


class Sort(Protocol):
    """A requested sort entry: a field name and ASC or DESC."""

    @property
    def field(self) -> str: ...

    @property
    def direction(self) -> str: ...


S = TypeVar("S", bound=Sort)


def distinct_sorts(requested: Sequence[S], fields: Container[str], most: int) -> list[S]:
    """The requested sort entries, checked, without repeats of a field (the first wins);
    InvalidQuery for too many entries, an unknown field or direction."""
    if len(requested) > most:
        raise InvalidQuery(f"sort takes at most {most} entries, one per field")
    specs: list[S] = []
    for spec in requested:
        if spec.field not in fields:
            raise InvalidQuery(f"unknown sort field {spec.field!r}")
        if spec.direction not in ("ASC", "DESC"):
            raise InvalidQuery(f"unknown sort direction {spec.direction!r}")
        if all(spec.field != seen.field for seen in specs):
            specs.append(spec)
    return specs
