"""Relevance judgments and the metrics computed from them (pure; no servers).

A judgment is a query as a person would type it plus the orders it should find,
named by predicates over the order documents computed from the write tables:

    {"id": "q07", "query": "muller berlin", "type": "name+city", "core": true,
     "relevant": {"name": "Müller", "city": "Berlin"},
     "partial": {"name": "Müller"},
     "why": "surname without the umlaut plus the city narrows to one customer"}

`relevant` orders have grade 2, `partial` ones (optional) grade 1. A predicate is
an object whose keys must all hold, or a list of such objects (any may hold). `class`
(optional) names the rule of docs/ARCHITECTURE.md §4 a judgment was written for: 1 typos
that must not make two words equal, 2 the spelling typed, 4 streets, filler words before
identifiers and English city names (class 3, tie-breaking, is a property of every query,
tested apart); judgments without one are the original set.
"""

from __future__ import annotations

import functools
import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

JUDGMENTS_FILE = Path(__file__).with_name("relevance_judgments.json")
CUTOFF = 10
# Queries for one thing by its identifier, typed whole or by its start, with or without a
# filler word: the identifier's order must be the first hit (identifier@1).
IDENTIFIER_TYPES = frozenset(
    {
        "order-id",
        "order-id-prefix",
        "email",
        "sku",
        "tracking",
        "tracking-prefix",
        "filler-order-id",
        "filler-identifier",
    }
)

Document = Mapping[str, Any]
Predicate = dict[str, str] | list[dict[str, str]]


@dataclass(frozen=True)
class Judgment:
    id: str
    query: str
    type: str
    why: str
    relevant: Predicate
    partial: Predicate | None = None
    core: bool = False
    query_class: int = 0  # `class` in the file; 0: the original judgments

    @property
    def identifier(self) -> bool:
        return self.type in IDENTIFIER_TYPES


@dataclass(frozen=True)
class Outcome:
    """One query's result: the grades of the hits in rank order, and its metrics."""

    judgment: Judgment
    hit_ids: list[str]
    grades: list[int]
    relevant_count: int
    reciprocal_rank: float
    ndcg: float


def load_judgments(path: Path = JUDGMENTS_FILE) -> list[Judgment]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return [
        Judgment(
            **{k: v for k, v in entry.items() if k != "class"}, query_class=entry.get("class", 0)
        )
        for entry in raw["judgments"]
    ]


# --- predicates over order documents ----------------------------------------------------------


def fold(text: str) -> str:
    """Lower case without accents ("Ødegaard" → "odegaard"), as a person types it."""
    spelled = {"ß": "ss", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "œ": "oe"}
    text = "".join(spelled.get(c, c) for c in text.lower())
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@functools.lru_cache(maxsize=65_536)
def words(text: str) -> tuple[str, ...]:
    """Folded words; cached, as the same names and cities are judged over and over."""
    return tuple(re.findall(r"[^\W_]+", fold(text)))


def _contains_words(haystack: str, needle: str) -> bool:
    """Every word of `needle` is a word of `haystack` (folded): "muller" in "José Müller"."""
    have = words(haystack)
    return all(word in have for word in words(needle))


def _spelled_words(text: str) -> tuple[str, ...]:
    """Lower-case words with their accents kept: "Inês" and "Inés" differ."""
    return tuple(re.findall(r"[^\W_]+", unicodedata.normalize("NFC", text).lower()))


def _spelled_as(haystack: str, needle: str) -> bool:
    """Every word of `needle` is a word of `haystack`, accents as written ("Björn", not "Bjørn")."""
    have = _spelled_words(haystack)
    return all(word in have for word in _spelled_words(needle))


def _lines(doc: Document) -> list[Document]:
    return list(doc.get("lines") or [])


def _tracking(doc: Document) -> str:
    return str((doc.get("shipment") or {}).get("trackingNumber") or "")


CHECKS: dict[str, Callable[[Document, str], bool]] = {
    "id": lambda d, v: d["id"] == v,
    "id_prefix": lambda d, v: d["id"].startswith(v.lower()),
    "email": lambda d, v: d["customer"]["email"] == v.lower(),
    "email_local": lambda d, v: d["customer"]["email"].split("@")[0] == v.lower(),
    "email_domain": lambda d, v: d["customer"]["email"].split("@")[1] == v.lower(),
    "name": lambda d, v: _contains_words(d["customer"]["name"], v),
    "name_exact": lambda d, v: _spelled_as(d["customer"]["name"], v),
    "city": lambda d, v: fold(d["shippingAddress"]["city"]) == fold(v),
    "street": lambda d, v: _contains_words(d["shippingAddress"]["line1"], v),
    "postal_code": lambda d, v: d["shippingAddress"]["postalCode"] == v,
    "postal_prefix": lambda d, v: d["shippingAddress"]["postalCode"].startswith(v),
    "country": lambda d, v: d["shippingAddress"]["country"] == v,
    "sku": lambda d, v: any(line["sku"] == v for line in _lines(d)),
    "sku_prefix": lambda d, v: any(line["sku"].startswith(v) for line in _lines(d)),
    "product": lambda d, v: any(_contains_words(line["productName"], v) for line in _lines(d)),
    "category": lambda d, v: any(line["category"] == v for line in _lines(d)),
    "tracking": lambda d, v: _tracking(d) == v,
    "tracking_prefix": lambda d, v: _tracking(d).startswith(v),
    "status": lambda d, v: d["status"] == v,
}


def matches(doc: Document, predicate: Predicate) -> bool:
    if isinstance(predicate, list):
        return any(matches(doc, one) for one in predicate)
    unknown = set(predicate) - set(CHECKS)
    if unknown:
        raise ValueError(f"unknown predicate keys: {', '.join(sorted(unknown))}")
    return all(CHECKS[key](doc, value) for key, value in predicate.items())


def grades_for(judgment: Judgment, documents: Iterable[Document]) -> dict[str, int]:
    """Order id → grade (2 relevant, 1 partially relevant) for every judged order."""
    graded: dict[str, int] = {}
    for doc in documents:
        if matches(doc, judgment.relevant):
            graded[doc["id"]] = 2
        elif judgment.partial is not None and matches(doc, judgment.partial):
            graded[doc["id"]] = 1
    return graded


# --- metrics ------------------------------------------------------------------------------------


def reciprocal_rank(grades: Sequence[int], cutoff: int = CUTOFF) -> float:
    """1/rank of the first fully relevant hit (grade 2) in the top `cutoff`; 0 if none."""
    for rank, grade in enumerate(grades[:cutoff], start=1):
        if grade >= 2:
            return 1.0 / rank
    return 0.0


def dcg(grades: Sequence[int], cutoff: int = CUTOFF) -> float:
    """Discounted cumulative gain with gain 2^grade - 1 (so grade 2 counts 3, grade 1 counts 1)."""
    return sum(((2**g - 1) / math.log2(rank + 1) for rank, g in enumerate(grades[:cutoff], 1)), 0.0)


def ndcg(grades: Sequence[int], judged: Iterable[int], cutoff: int = CUTOFF) -> float:
    """DCG of the ranking over the DCG of the ideal ranking of every judged order."""
    ideal = dcg(sorted(judged, reverse=True), cutoff)
    return dcg(grades, cutoff) / ideal if ideal else 0.0


def outcome(judgment: Judgment, hit_ids: list[str], graded: Mapping[str, int]) -> Outcome:
    grades = [graded.get(hit, 0) for hit in hit_ids]
    return Outcome(
        judgment=judgment,
        hit_ids=hit_ids,
        grades=grades,
        relevant_count=sum(1 for g in graded.values() if g == 2),
        reciprocal_rank=reciprocal_rank(grades),
        ndcg=ndcg(grades, graded.values()),
    )


def mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0
