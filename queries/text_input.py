"""Search text as typed → what the query builder works with (docs/ARCHITECTURE.md §4).

- `normalise_text`: trimmed, NFC, bounded, refused characters rejected.
- `parse`: the words that must match, after leading filler words ("order", "no.", "#",
  "tracking number" ...) that name what kind of identifier follows; and whether the text
  is shaped like an identifier, so that identifier clauses only run on such text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from queries.errors import InvalidQuery

MAX_TEXT_LENGTH = 200
MAX_WORDS = 10
# What no stored text holds (the write side refuses the same classes, see
# commands.model.validation; the read side may not import it): C0 controls, DEL, C1, line
# and paragraph separators, lone surrogates, bidirectional controls and direction marks.
REFUSED = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]"
)
# Words that say what follows ("order #1a2b3c4d", "tracking number LX…", "sku KIT-…"),
# never what an order holds; only a leading run of them is dropped, and only when
# something follows, so "no" alone still finds Norway's orders.
FILLER_WORDS = frozenset(
    {"order", "orders", "no", "nr", "number", "num", "id", "ref", "reference", "tracking"}
    | {"parcel", "shipment", "sku", "email", "e-mail", "mail", "customer", "#"}
)
_EDGE_PUNCTUATION = ".:#"


@dataclass(frozen=True)
class SearchText:
    text: str  # without leading filler words and a leading `#`: what identifiers compare to
    words: list[str]  # the words that must match (at most MAX_WORDS)
    identifier_like: bool  # one word, or a digit somewhere: may be an id, SKU, code ...
    spaced_identifier: bool  # several words with a digit: "sw1a 1a", "1ztrk 00001"


def clean_input(value: str, what: str, max_length: int) -> str:
    """`value` trimmed and in NFC; InvalidQuery when longer than `max_length` (checked first,
    so a megabyte costs one copy) or holding a REFUSED character anywhere but at the edges."""
    text = value.strip()
    if len(text) > max_length:
        raise InvalidQuery(f"{what} is longer than {max_length} characters")
    if (found := REFUSED.search(text)) is not None:
        raise InvalidQuery(
            f"{what} must not contain control characters, lone surrogates or direction "
            f"controls; found U+{ord(found.group()):04X}"
        )
    return unicodedata.normalize("NFC", text)


def normalise_text(text: str | None) -> str | None:
    """Trimmed search text, None when blank; InvalidQuery when too long or holding
    refused characters (see `clean_input`)."""
    if text is None or not text.strip():
        return None
    text = " ".join(clean_input(text, "search text", MAX_TEXT_LENGTH).split())
    return text or None


def words_of(text: str) -> list[str]:
    """The words that can match a text field: punctuation-only "words" such as `-` or `(`
    are dropped (they analyse to nothing, and would otherwise empty the results)."""
    return [word for word in text.split() if any(ch.isalnum() for ch in word)][:MAX_WORDS]


def parse(text: str) -> SearchText:
    """`text` (normalised) without its leading filler words; see SearchText."""
    tokens = text.split()
    at = 0
    while at < len(tokens) - 1 and _is_filler(tokens[at]):
        at += 1
    rest = tokens[at:]
    rest[0] = rest[0].lstrip("#") or rest[0]
    subject = " ".join(rest)
    has_digit = any(ch.isdigit() for ch in subject)
    words = words_of(subject)
    return SearchText(
        text=subject,
        words=words,
        # Text without words ("( : *") keeps only the identifier clauses, which match
        # nothing: a query without any clause would match everything.
        identifier_like=len(rest) == 1 or has_digit or not words,
        spaced_identifier=len(rest) > 1 and has_digit,
    )


def _is_filler(token: str) -> bool:
    return token.lower().strip(_EDGE_PUNCTUATION) in FILLER_WORDS or token == "#"
