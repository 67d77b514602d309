"""The stamps live updates are found by, as search clauses: pure, no I/O.

The projector stamps every document it writes with its batch's position
(`read_model.stamps`); the documents stamped in (after, upto] are the changes between two
published positions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from positions import Position, decode_token
from queries.errors import InvalidQuery
from read_model.stamps import STAMP

PAGE_SIZE = 500  # documents per search page
_TXID, _SEQ = f"{STAMP}.txid", f"{STAMP}.seq"


def parse_after(token: str | None) -> Position | None:
    """A subscription's `after` token as a position; InvalidQuery if malformed."""
    if token is None:
        return None
    try:
        return decode_token(token)
    except ValueError as error:
        raise InvalidQuery(str(error)) from None


def stamp_range(after: Position, upto: Position) -> dict[str, Any]:
    """Documents whose stamp lies in (after, upto], in (txid, seq) tuple order."""
    later = _either(
        {"range": {_TXID: {"gt": after.txid}}},
        _both({"term": {_TXID: after.txid}}, {"range": {_SEQ: {"gt": after.seq}}}),
    )
    not_beyond = _either(
        {"range": {_TXID: {"lt": upto.txid}}},
        _both({"term": {_TXID: upto.txid}}, {"range": {_SEQ: {"lte": upto.seq}}}),
    )
    return _both(later, not_beyond)


def changes_body(
    after: Position,
    upto: Position,
    size: int = PAGE_SIZE,
    search_after: list[Any] | None = None,
    wanted: ChangeFilter | None = None,
) -> dict[str, Any]:
    """One page of changed documents, oldest stamp first, then by id (a total order)."""
    clauses = [stamp_range(after, upto), *(wanted.clauses() if wanted else [])]
    body: dict[str, Any] = {
        "query": _both(*clauses),
        "size": size,
        "sort": [{_TXID: "asc"}, {_SEQ: "asc"}, {"id": "asc"}],
        "track_total_hits": False,
    }
    if search_after is not None:
        body["search_after"] = search_after
    return body


def _either(*clauses: dict[str, Any]) -> dict[str, Any]:
    return {"bool": {"should": list(clauses), "minimum_should_match": 1}}


def _both(*clauses: dict[str, Any]) -> dict[str, Any]:
    return {"bool": {"filter": list(clauses)}}


@dataclass(frozen=True)
class DocumentChange:
    """An order document as it became searchable, and the position it was stamped with."""

    document: dict[str, Any]
    position: Position

    @classmethod
    def from_hit(cls, hit: dict[str, Any]) -> DocumentChange:
        source = hit["_source"]
        stamp = source[STAMP]
        return cls(source, Position(int(stamp["txid"]), int(stamp["seq"])))


@dataclass(frozen=True)
class ChangeFilter:
    """Which changes a subscriber wants: one document (`document_id`: an order's id on the
    order view's feed, a customer's on the customer view's), one customer's orders, or
    (both None) all."""

    document_id: str | None = None
    customer_id: str | None = None

    def matches(self, change: DocumentChange) -> bool:
        doc = change.document
        if self.document_id is not None and doc.get("id") != self.document_id:
            return False
        customer = doc.get("customer") or {}
        return self.customer_id is None or customer.get("id") == self.customer_id

    def clauses(self) -> list[dict[str, Any]]:
        """The same filter as search clauses (for a subscriber's catch-up)."""
        found = []
        if self.document_id is not None:
            found.append({"term": {"id": self.document_id}})
        if self.customer_id is not None:
            found.append({"term": {"customer.id": self.customer_id}})
        return found
