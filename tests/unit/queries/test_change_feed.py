"""The live-update feed's pure parts: the stamp range, the filters, the bounded queues."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from positions import Position, encode_token
from queries.change_feed import (
    ChangeFilter,
    DocumentChange,
    Subscriber,
    changes_body,
    parse_after,
    stamp_range,
)
from queries.errors import InvalidQuery
from read_model.stamps import STAMP, stamped


def matches(query: dict[str, Any], doc: dict[str, Any]) -> bool:
    """Evaluate the small DSL subset the feed uses (bool filter/should, term, range)."""
    kind, spec = next(iter(query.items()))
    if kind == "bool":
        ok = all(matches(clause, doc) for clause in spec.get("filter", []))
        should = spec.get("should", [])
        return ok and (not should or any(matches(clause, doc) for clause in should))
    field, condition = next(iter(spec.items()))
    value: Any = doc  # a JSON value: a nested object until the field's leaf
    for part in field.split("."):
        value = value[part]
    if kind == "term":
        return bool(value == condition)
    ops = {"gt": value.__gt__, "lt": value.__lt__, "lte": value.__le__, "gte": value.__ge__}
    return all(ops[op](bound) for op, bound in condition.items())


def doc_at(position: Position, order_id: str = "o1", customer_id: str = "c1") -> dict[str, Any]:
    return {
        "id": order_id,
        "customer": {"id": customer_id},
        "version": 1,
        STAMP: position._asdict(),
    }


def change(order_id: str = "o1", customer_id: str = "c1", seq: int = 1) -> DocumentChange:
    return DocumentChange(doc_at(Position(0, seq), order_id, customer_id), Position(0, seq))


GRID = [Position(t, s) for t, s in itertools.product(range(4), range(4))]


@pytest.mark.parametrize(("after", "upto"), [(Position(1, 2), Position(2, 1)), (GRID[0], GRID[5])])
def test_stamp_range_is_the_half_open_interval_in_tuple_order(
    after: Position, upto: Position
) -> None:
    query = stamp_range(after, upto)
    found = [p for p in GRID if matches(query, doc_at(p))]
    assert found == [p for p in GRID if after < p <= upto]


def test_a_page_is_sorted_by_stamp_then_id_and_continues_after_the_last_hit() -> None:
    body = changes_body(Position(0, 1), Position(0, 9), size=2, search_after=[0, 5, "o7"])
    assert body["sort"] == [{f"{STAMP}.txid": "asc"}, {f"{STAMP}.seq": "asc"}, {"id": "asc"}]
    assert body["size"] == 2 and body["search_after"] == [0, 5, "o7"]


def test_a_catch_up_page_carries_the_subscribers_filter() -> None:
    wanted = ChangeFilter(customer_id="c1")
    body = changes_body(Position(0, 1), Position(0, 9), wanted=wanted)
    assert matches(body["query"], doc_at(Position(0, 5)))
    assert not matches(body["query"], doc_at(Position(0, 5), customer_id="c2"))


def test_stamped_adds_the_batch_position_without_touching_the_input() -> None:
    documents = {"o1": {"id": "o1"}}
    assert stamped(documents, Position(7, 3)) == {"o1": {"id": "o1", STAMP: {"txid": 7, "seq": 3}}}
    assert documents == {"o1": {"id": "o1"}}


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        (ChangeFilter(), [True, True, True]),
        (ChangeFilter(document_id="o1"), [True, False, False]),
        (ChangeFilter(customer_id="c1"), [True, True, False]),
    ],
)
def test_a_filter_picks_an_order_a_customers_orders_or_all(
    wanted: ChangeFilter, expected: list[bool]
) -> None:
    changes = [change("o1", "c1"), change("o2", "c1"), change("o3", "c2")]
    assert [wanted.matches(c) for c in changes] == expected


@pytest.mark.anyio
async def test_a_slow_subscriber_loses_its_oldest_changes_and_never_blocks() -> None:
    subscriber = Subscriber(ChangeFilter(), size=2)
    for seq in (1, 2, 3):
        subscriber.offer(change(seq=seq))  # never awaits: one slow client holds nobody up
    assert subscriber.dropped == 1
    assert [(await subscriber.next()).position.seq for _ in range(2)] == [2, 3]


def test_a_subscriber_ignores_changes_it_did_not_ask_for() -> None:
    subscriber = Subscriber(ChangeFilter(document_id="o2"), size=1)
    subscriber.offer(change("o1"))
    assert subscriber.dropped == 0


def test_a_subscriber_from_a_position_skips_changes_stamped_at_or_before_it() -> None:
    subscriber = Subscriber(ChangeFilter(), size=3, after=Position(0, 2))
    for seq in (1, 2, 3):
        subscriber.offer(change(seq=seq))
    assert subscriber.dropped == 0 and subscriber._queue.qsize() == 1


def test_the_after_token_is_a_position_or_a_clear_error() -> None:
    assert parse_after(None) is None
    assert parse_after(encode_token(Position(4, 2))) == Position(4, 2)
    with pytest.raises(InvalidQuery):
        parse_after("nope")
