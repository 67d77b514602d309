"""Search-box suggestions from a real index: every kind, counts, one request each."""

from __future__ import annotations

from typing import Any

import pytest

from queries.errors import InvalidQuery
from queries.handlers import OrderQueries
from queries.suggestions import Suggestion
from search_engine.client import SearchClient
from tests.integration.queries.relevance_testdata import BY_KEY, SPECS
from tests.support.actors import STAFF

pytestmark = pytest.mark.anyio


class CountingClient:
    """The real client, counting the search requests that go through it."""

    def __init__(self, client: SearchClient):
        self.client = client
        self.searches = 0

    async def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        self.searches += 1
        return await self.client.search(index, body)


@pytest.fixture
def counting(relevance: tuple[SearchClient, str]) -> CountingClient:
    return CountingClient(relevance[0])


@pytest.fixture
def queries(counting: CountingClient, relevance: tuple[SearchClient, str]) -> OrderQueries:
    return OrderQueries(counting, relevance[1])  # type: ignore[arg-type]


def orders_with(**match: str) -> int:
    """How many orders show a value: customer name/email, or a line's productName/sku."""
    count = 0
    for spec in SPECS:
        values = [spec.customer.get(k) for k in ("name", "email")]
        values += [p.get(k) for p in spec.products for k in ("name", "sku")]
        count += any(v == wanted for wanted in match.values() for v in values)
    return count


async def test_customer_names_and_emails(queries: OrderQueries, counting: CountingClient) -> None:
    found = await queries.suggest_orders("jos", 10, STAFF)
    assert counting.searches == 1  # one request answers every kind
    assert found == [
        Suggestion("CUSTOMER_NAME", "José Müller", 2),
        Suggestion("CUSTOMER_NAME", "Josef Mueller", 1),
        Suggestion("EMAIL", "josef.mueller@example.com", 1),
    ]


async def test_names_match_at_any_word_accents_folded(queries: OrderQueries) -> None:
    assert await queries.suggest_orders("mül", 10, STAFF) == [
        Suggestion("CUSTOMER_NAME", "José Müller", 2)
    ]
    assert await queries.suggest_orders("SINEAD O'B", 10, STAFF) == [
        Suggestion("CUSTOMER_NAME", "Sinéad O'Brien", 1)
    ]


async def test_emails(queries: OrderQueries) -> None:
    assert await queries.suggest_orders("anna.s", 10, STAFF) == [
        Suggestion(
            "EMAIL", "anna.schmidt@example.com", orders_with(email="anna.schmidt@example.com")
        )
    ]


async def test_product_names_only_the_matching_line(queries: OrderQueries) -> None:
    # "Cast Iron Pan" shares orders with books and bowls: only the pan is suggested.
    assert await queries.suggest_orders("cast", 10, STAFF) == [
        Suggestion("PRODUCT_NAME", "Cast Iron Pan", orders_with(name="Cast Iron Pan"))
    ]
    hose = await queries.suggest_orders("hose", 10, STAFF)
    assert hose == [
        Suggestion("CUSTOMER_NAME", "Rose Hose", 2),
        Suggestion("PRODUCT_NAME", "Hose Reel for the Garden", 4),
        Suggestion("PRODUCT_NAME", "Garden Hose 25m", 2),
    ]
    assert {s.value: s.order_count for s in hose if s.kind == "PRODUCT_NAME"} == {
        name: orders_with(name=name) for name in ("Hose Reel for the Garden", "Garden Hose 25m")
    }


async def test_skus_as_written(queries: OrderQueries) -> None:
    assert await queries.suggest_orders("rose-1", 10, STAFF) == [
        Suggestion("SKU", "ROSE-10", orders_with(sku="ROSE-10")),
        Suggestion("SKU", "ROSE-1", orders_with(sku="ROSE-1")),
    ]
    assert [s.value for s in await queries.suggest_orders("gdn", 10, STAFF)] == [
        "GDN-REEL-1",
        "GDN-HOSE-25",
    ]


async def test_order_ids(queries: OrderQueries) -> None:
    order_id = BY_KEY["weber-1"]["id"]
    found = await queries.suggest_orders(order_id[:6], 10, STAFF)
    assert Suggestion("ORDER_ID", order_id, 1, order_id) in found
    assert all(s.kind == "ORDER_ID" or s.value.lower().startswith(order_id[:6]) for s in found)
    whole = await queries.suggest_orders(order_id.upper(), 10, STAFF)
    assert [s for s in whole if s.kind == "ORDER_ID"] == [
        Suggestion("ORDER_ID", order_id, 1, order_id)
    ]


async def test_first_bounds_the_list_and_the_kinds_take_turns(queries: OrderQueries) -> None:
    found = await queries.suggest_orders("r", 3, STAFF)
    assert len(found) == 3
    assert [s.kind for s in found] == ["CUSTOMER_NAME", "EMAIL", "PRODUCT_NAME"]
    assert len(await queries.suggest_orders("r", 50, STAFF)) > 3


async def test_blank_and_bad_input(queries: OrderQueries, counting: CountingClient) -> None:
    assert await queries.suggest_orders("  ", 10, STAFF) == []
    assert await queries.suggest_orders('"(*)', 10, STAFF) == []
    assert counting.searches == 0
    with pytest.raises(InvalidQuery):
        await queries.suggest_orders("a", 51, STAFF)


@pytest.mark.parametrize("text", ['"', "a(", ":b", "c/", "\\", "d*", ".*", "a|b", "[x]", "<1-9>"])
async def test_special_characters_are_searched_not_parsed(queries: OrderQueries, text: str) -> None:
    await queries.suggest_orders(text, 10, STAFF)  # no error: nothing typed is syntax
