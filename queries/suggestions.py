"""As-you-type suggestions for a search box, answered from the order index in one request.

One `size: 0` search whose query is "any kind matches the prefix"; per kind a `filter`
aggregation on that kind's prefix subfield and:

- CUSTOMER_NAME, EMAIL, PRODUCT_NAME, SKU: a `terms` aggregation on the folded value
  (most orders first) with an `include` pattern that keeps the values that really start
  with the prefix (orders have several lines: the other lines' products must not be
  suggested), and a one-hit `top_hits` to show the value as written.
- ORDER_ID: the newest orders whose id starts with the prefix (at least 4 hex digits).

The `include` pattern is built here from the folded prefix, with every character that is
not a letter or digit left out, so user text is never regular-expression syntax.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from queries.errors import InvalidQuery
from queries.text_query import clean_input

MAX_SUGGESTIONS = 50
MAX_PREFIX_LENGTH = 100
MIN_ORDER_ID_PREFIX = 4
KINDS = ("CUSTOMER_NAME", "EMAIL", "PRODUCT_NAME", "SKU", "ORDER_ID")
# Letters and digits of folded values (Latin, Greek, Cyrillic, ..., CJK, Hangul); anything
# else separates words. Kept short: engines cap a pattern at 1,000 characters by default.
_ALNUM = "a-z0-9\u00c0-\u1fff\u3040-\u9fff\uac00-\ud7af"
SEP = f"[^{_ALNUM}]"
NOT_SEP = f"[{_ALNUM}]"
MAX_PATTERN_CHARS = 32  # letters and digits of the prefix that the include pattern checks
MAX_PATTERN_WORDS = 8
_WORDS = re.compile(r"[^\W_]+")
_HEX_ID = re.compile(r"[0-9a-f][0-9a-f-]*")
_APOSTROPHES = str.maketrans("", "", "'\u2019`\u02bc")
# Letters that asciifolding maps but Unicode decomposition does not.
_LETTERS = str.maketrans(
    {"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th"}
    | {"\u0131": "i"}  # dotless i
)


@dataclass(frozen=True)
class Suggestion:
    kind: str
    value: str  # the text to search for, as written in the order
    order_count: int  # orders showing the value (1 for ORDER_ID)
    order_id: str | None = None  # ORDER_ID: the order itself


@dataclass(frozen=True)
class _ValueKind:
    kind: str
    prefix_field: str  # edge n-gram subfield: which orders may hold a matching value
    key_field: str  # folded keyword the terms aggregation groups by
    source: str  # the value as written, in _source
    words: bool  # the prefix starts any word (names) or the whole value (identifiers)


VALUE_KINDS = (
    _ValueKind("CUSTOMER_NAME", "customer.name.prefix", "customer.name.key", "customer.name", True),
    _ValueKind("EMAIL", "customer.email.prefix", "customer.email", "customer.email", False),
    _ValueKind(
        "PRODUCT_NAME",
        "lines.productName.prefix",
        "lines.productName.key",
        "lines.productName",
        True,
    ),
    _ValueKind("SKU", "lines.sku.prefix", "lines.sku", "lines.sku", False),
)


def fold(text: str) -> str:
    """Lowercase and strip accents, as the index's `lowercase` + `asciifolding` do."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(_LETTERS)


def normalise_prefix(prefix: str, first: int) -> str | None:
    """The trimmed prefix, None when it has nothing to match; InvalidQuery when out of bounds."""
    if not 1 <= first <= MAX_SUGGESTIONS:
        raise InvalidQuery(f"first must be between 1 and {MAX_SUGGESTIONS}")
    text = " ".join(clean_input(prefix, "prefix", MAX_PREFIX_LENGTH).split())
    return text if _WORDS.search(fold(text)) else None


def include_pattern(prefix: str, words: bool) -> str:
    """A Lucene regular expression over folded values that start with `prefix` (`words`:
    at any word) ignoring punctuation; only letters and digits of the prefix are used,
    at most MAX_PATTERN_CHARS of them in MAX_PATTERN_WORDS words (the prefix query checks
    the rest)."""
    folded = fold(prefix.translate(_APOSTROPHES))
    if words:
        runs, budget = [], MAX_PATTERN_CHARS
        for run in _WORDS.findall(folded)[:MAX_PATTERN_WORDS]:
            if budget <= 0:
                break
            runs.append(run[:budget])
            budget -= len(run)
        return f"(.*{SEP})?" + f"{NOT_SEP}*{SEP}+".join(runs) + ".*"
    chars = [ch for ch in folded if ch.isalnum()][:MAX_PATTERN_CHARS]
    return f"{SEP}*" + "".join(f"{ch}{SEP}*" for ch in chars) + ".*"


def build_suggest_body(prefix: str, first: int) -> dict[str, Any]:
    """The one search request; `prefix` as returned by `normalise_prefix`."""
    matches: list[dict[str, Any]] = []
    aggs: dict[str, Any] = {}
    for kind in VALUE_KINDS:
        match = _match(kind.prefix_field, prefix)
        matches.append(match)
        aggs[kind.kind] = {
            "filter": match,
            "aggs": {"values": _values(kind, prefix, first)},
        }
    order_id = _order_id_prefix(prefix)
    if order_id is not None:
        match = _match("id.prefix", order_id)
        matches.append(match)
        aggs["ORDER_ID"] = {"filter": match, "aggs": {"orders": _newest_orders(first)}}
    return {
        "size": 0,
        "track_total_hits": False,
        "query": {"bool": {"should": matches, "minimum_should_match": 1}},
        "aggs": aggs,
    }


def _match(field: str, text: str) -> dict[str, Any]:
    return {"match": {field: {"query": text, "operator": "and"}}}


def _values(kind: _ValueKind, prefix: str, first: int) -> dict[str, Any]:
    return {
        "terms": {
            "field": kind.key_field,
            "size": first,
            "include": include_pattern(prefix, kind.words),
        },
        "aggs": {"example": {"top_hits": {"size": 1, "_source": {"includes": [kind.source]}}}},
    }


def _newest_orders(first: int) -> dict[str, Any]:
    return {
        "top_hits": {
            "size": first,
            "sort": [{"placedAt": {"order": "desc"}}, {"id": {"order": "asc"}}],
            "_source": {"includes": ["id"]},
        }
    }


def _order_id_prefix(prefix: str) -> str | None:
    """Order ids are lowercase UUIDs: suggest them for 4+ hex digits, dashes allowed."""
    text = prefix.lower().replace(" ", "")
    if not _HEX_ID.fullmatch(text):
        return None
    return text if len(text.replace("-", "")) >= MIN_ORDER_ID_PREFIX else None


def suggestions_from(response: dict[str, Any], first: int) -> list[Suggestion]:
    """At most `first` suggestions: the kinds take turns (best first within a kind), and
    the result is grouped by kind in KINDS order."""
    aggs = response.get("aggregations") or {}
    per_kind = {kind.kind: _value_suggestions(kind, aggs.get(kind.kind)) for kind in VALUE_KINDS}
    per_kind["ORDER_ID"] = _order_suggestions(aggs.get("ORDER_ID"))
    picked: dict[str, int] = dict.fromkeys(KINDS, 0)
    remaining = first
    while remaining > 0:
        progressed = False
        for kind in KINDS:
            if remaining > 0 and picked[kind] < len(per_kind[kind]):
                picked[kind] += 1
                remaining -= 1
                progressed = True
        if not progressed:
            break
    return [s for kind in KINDS for s in per_kind[kind][: picked[kind]]]


def _value_suggestions(kind: _ValueKind, agg: dict[str, Any] | None) -> list[Suggestion]:
    buckets = ((agg or {}).get("values") or {}).get("buckets", [])
    return [
        Suggestion(kind.kind, _as_written(kind, bucket), int(bucket["doc_count"]))
        for bucket in buckets
    ]


def _as_written(kind: _ValueKind, bucket: dict[str, Any]) -> str:
    """The value as some order shows it (the bucket key is folded)."""
    key = str(bucket["key"])
    hits = bucket.get("example", {}).get("hits", {}).get("hits", [])
    for hit in hits:
        for value in _values_at(hit.get("_source", {}), kind.source.split(".")):
            if fold(value.translate(_APOSTROPHES)) == key or fold(value) == key:
                return value
    return key


def _values_at(node: Any, path: list[str]) -> list[str]:
    if not path:
        return [node] if isinstance(node, str) else []
    if isinstance(node, list):
        return [value for item in node for value in _values_at(item, path)]
    if isinstance(node, dict):
        return _values_at(node.get(path[0]), path[1:])
    return []


def _order_suggestions(agg: dict[str, Any] | None) -> list[Suggestion]:
    hits = ((agg or {}).get("orders") or {}).get("hits", {}).get("hits", [])
    return [
        Suggestion("ORDER_ID", str(hit["_source"]["id"]), 1, str(hit["_source"]["id"]))
        for hit in hits
    ]
