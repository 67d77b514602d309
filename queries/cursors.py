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
from collections.abc import Sequence
from typing import Any

from queries.errors import InvalidQuery

SortValue = str | int | float | None


def sort_fingerprint(sort_key: str) -> str:
    """A short digest of the resolved sort, e.g. of "TOTAL:ASC,id:ASC"."""
    return hashlib.sha256(sort_key.encode()).hexdigest()[:8]


def encode_cursor(fingerprint: str, values: Sequence[SortValue]) -> str:
    raw = json.dumps({"s": fingerprint, "v": list(values)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, fingerprint: str, length: int) -> list[SortValue]:
    """The sort values in `cursor`; ValueError if it is garbage or from another sort."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data: Any = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidQuery("invalid cursor") from None
    if not isinstance(data, dict) or not isinstance(data.get("v"), list):
        raise InvalidQuery("invalid cursor")
    if data.get("s") != fingerprint:
        raise InvalidQuery("cursor belongs to a different sort order")
    values = data["v"]
    if len(values) != length or not all(_is_sort_value(v) for v in values):
        raise InvalidQuery("invalid cursor")
    return list(values)


def _is_sort_value(value: Any) -> bool:
    return value is None or (isinstance(value, str | int | float) and not isinstance(value, bool))
