"""Order reads against a real search node: get, full-text, filters, facets, paging."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from queries.handlers import OrderQueries
from queries.results import OrderPage
from queries.search_request import OrderFilter, OrderSearch, SortSpec
from read_model.document import OrderDocument, ShipmentPart
from search_engine.client import SearchClient
from tests.integration.queries.queries_testdata import CUSTOMERS, ORDER_DOCUMENTS, PRODUCTS
from tests.support.actors import STAFF

pytestmark = pytest.mark.anyio
Doc = OrderDocument
BY_ID = {doc["id"]: doc for doc in ORDER_DOCUMENTS}


@pytest.fixture
def queries(loaded: tuple[SearchClient, str]) -> OrderQueries:
    return OrderQueries(*loaded)


def ids(page: OrderPage) -> list[str]:
    return [edge.document["id"] for edge in page.edges]


def matching(predicate: Callable[[Doc], bool]) -> set[str]:
    return {doc["id"] for doc in ORDER_DOCUMENTS if predicate(doc)}


# The document type lets these be None (a row without them); every test order has them.
def placed_at(doc: Doc) -> str:
    value = doc["placedAt"]
    assert value is not None, doc["id"]
    return value


def total(doc: Doc) -> Decimal:
    value = doc["total"]
    assert value is not None, doc["id"]
    return Decimal(value)


def shipment(doc: Doc) -> ShipmentPart:
    value = doc["shipment"]
    assert value is not None, doc["id"]
    return value


async def search(queries: OrderQueries, text: str | None = None, **kw: Any) -> OrderPage:
    return await queries.search_orders(
        OrderSearch(text=text, first=kw.pop("first", 100), **kw), STAFF
    )


async def test_get_order_by_id(queries: OrderQueries) -> None:
    doc = ORDER_DOCUMENTS[17]
    assert await queries.get_order(doc["id"], STAFF) == doc
    assert await queries.get_order("no-such-order", STAFF) is None
    assert await queries.get_order("", STAFF) is None


async def test_customer_name_with_a_typo(queries: OrderQueries) -> None:
    page = await search(queries, "Margarethe Schultz")
    margarethe = matching(lambda d: d["customer"]["name"] == "Margarethe Schulz")
    assert set(ids(page)) == margarethe


async def test_folded_and_prefix_text(queries: OrderQueries) -> None:
    munich = matching(lambda d: d["shippingAddress"]["city"] == "München")
    assert set(ids(await search(queries, "munchen"))) == munich
    assert set(ids(await search(queries, "MÜNCHEN"))) == munich
    assert set(ids(await search(queries, "Marg"))) == matching(
        lambda d: d["customer"]["name"].startswith("Marg")
    )
    assert set(ids(await search(queries, "zoe mul"))) == matching(
        lambda d: d["customer"]["name"] == "Zoë Müller"
    )


async def test_exact_sku_ranks_first(queries: OrderQueries) -> None:
    page = await search(queries, "sku-red-001")
    holders = matching(lambda d: any(line["sku"] == "SKU-RED-001" for line in d["lines"]))
    assert set(ids(page)[: len(holders)]) == holders
    # Similar SKUs are found by their common prefix, not as near misses of an exact one.
    red = matching(lambda d: any(line["sku"].startswith("SKU-RED") for line in d["lines"]))
    assert set(ids(await search(queries, "sku-red"))) == red > holders


async def test_exact_email(queries: OrderQueries) -> None:
    page = await search(queries, "alice.smith@example.com")
    alice = matching(lambda d: d["customer"]["email"] == "alice.smith@example.com")
    assert set(ids(page)[: len(alice)]) == alice


async def test_tracking_number_ranks_its_order_first(queries: OrderQueries) -> None:
    target = ORDER_DOCUMENTS[12]
    page = await search(queries, shipment(target)["trackingNumber"])
    assert ids(page)[0] == target["id"]
    prefix = await search(queries, "1ztrk00001")  # as you type
    assert target["id"] in ids(prefix)


async def test_words_spread_over_fields(queries: OrderQueries) -> None:
    page = await search(queries, "alice munchen")
    assert set(ids(page)) == matching(
        lambda d: (
            d["customer"]["name"] == "Alice Smith" and d["shippingAddress"]["city"] == "München"
        )
    )
    assert page.edges


@pytest.mark.parametrize(
    "text",
    [
        '"',
        "(",
        ":",
        "/",
        "\\",
        "*",
        'name:"Smith',
        "a/b\\c*",
        "(x OR y) AND city:*",
        "\\",
        "~1^2",
        "[",
        "{",
    ],
)
async def test_special_characters_are_searched_not_parsed(queries: OrderQueries, text: str) -> None:
    await search(queries, text)  # no error: nothing in the text is query syntax


@pytest.mark.parametrize("text", ['"Alice Smith"', "(alice)", "alice*", "Smith\\", "alice:"])
async def test_punctuation_around_words_is_ignored(queries: OrderQueries, text: str) -> None:
    assert set(ids(await search(queries, text))) == matching(
        lambda d: d["customer"]["name"] == "Alice Smith"
    )


async def test_highlights_for_a_name_match(queries: OrderQueries) -> None:
    page = await search(queries, "alice")
    highlights = dict(page.edges[0].highlights)
    assert highlights["customer.name"] == ["<em>Alice</em> Smith"]
    typed = dict((await search(queries, "Marg")).edges[0].highlights)
    assert typed["customer.name"] == ["<em>Marg</em>arethe Schulz"]


FILTERS: list[tuple[OrderFilter, Callable[[Doc], bool]]] = [
    (
        OrderFilter(status=["SHIPPED", "DELIVERED"]),
        lambda d: d["status"] in ("SHIPPED", "DELIVERED"),
    ),
    (OrderFilter(country="fr"), lambda d: d["shippingAddress"]["country"] == "FR"),
    (
        OrderFilter(
            placed_from=datetime(2024, 2, 1, tzinfo=UTC),
            placed_to=datetime(2024, 3, 1, 9, tzinfo=UTC),
        ),
        lambda d: "2024-02-01T00:00:00.000Z" <= placed_at(d) <= "2024-03-01T09:00:00.000Z",
    ),
    (
        OrderFilter(total_min=Decimal("45.00"), total_max=Decimal("129")),
        lambda d: Decimal(45) <= total(d) <= Decimal(129),
    ),
    (
        OrderFilter(customer_id=CUSTOMERS[3]["id"]),
        lambda d: d["customer"]["id"] == CUSTOMERS[3]["id"],
    ),
    (
        OrderFilter(product_id=PRODUCTS[5]["id"]),
        lambda d: any(line["productId"] == PRODUCTS[5]["id"] for line in d["lines"]),
    ),
    (
        OrderFilter(sku="bk-orw-1984"),
        lambda d: any(line["sku"] == "BK-ORW-1984" for line in d["lines"]),
    ),
    (
        OrderFilter(status=["PAID"], country="DE", total_min=Decimal("100")),
        lambda d: (
            d["status"] == "PAID" and d["shippingAddress"]["country"] == "DE" and total(d) >= 100
        ),
    ),
]


@pytest.mark.parametrize(("order_filter", "predicate"), FILTERS)
async def test_filters(
    queries: OrderQueries, order_filter: OrderFilter, predicate: Callable[[Doc], bool]
) -> None:
    expected = matching(predicate)
    assert 0 < len(expected) < len(ORDER_DOCUMENTS)
    page = await search(queries, filter=order_filter)
    assert set(ids(page)) == expected
    assert page.total_count == len(expected)


def expected_facets(docs: list[Doc]) -> dict[str, list[tuple[str, int]]]:
    def ranged(total: Decimal) -> str:
        return next(
            label
            for label, high in (("0-25", 25), ("25-100", 100), ("100-500", 500), ("500+", None))
            if high is None or total < high
        )

    labels = ("0-25", "25-100", "100-500", "500+")
    ranges = Counter(ranged(total(d)) for d in docs)
    categories = Counter(c for d in docs for c in {line["category"] for line in d["lines"]} if c)
    return {
        "status": sorted(Counter(d["status"] for d in docs).items()),
        "country": sorted(Counter(d["shippingAddress"]["country"] for d in docs).items()),
        "category": sorted(categories.items()),
        "placedMonth": sorted(Counter(placed_at(d)[:7] for d in docs).items()),
        "totalRange": [(label, ranges[label]) for label in labels if ranges[label]],
    }


async def test_facets_count_all_orders_without_filters(queries: OrderQueries) -> None:
    page = await search(queries)
    facets = dict(page.facets)
    for name in ("status", "country", "category"):  # terms: by count, so compare as sets
        facets[name] = sorted(facets[name])
    assert facets == expected_facets(ORDER_DOCUMENTS)


@pytest.mark.parametrize(("order_filter", "predicate"), FILTERS[:4])
async def test_each_facet_ignores_only_its_own_filter(
    queries: OrderQueries, order_filter: OrderFilter, predicate: Callable[[Doc], bool]
) -> None:
    """With one filter, its own facet counts every order and the others the filtered ones."""
    facets = (await search(queries, filter=order_filter)).facets
    everything = expected_facets(ORDER_DOCUMENTS)
    filtered = expected_facets([d for d in ORDER_DOCUMENTS if predicate(d)])
    own = {
        "status": order_filter.status,
        "country": order_filter.country,
        "placedMonth": order_filter.placed_from,
        "totalRange": order_filter.total_min,
    }
    for name, expected in everything.items():
        wanted = expected if own.get(name) is not None else filtered[name]
        assert sorted(facets[name]) == sorted(wanted), name


SORTS = [
    (None, [SortSpec("PLACED_AT", "DESC")]),
    (None, [SortSpec("PLACED_AT", "ASC")]),
    (None, [SortSpec("UPDATED_AT", "DESC")]),
    (None, [SortSpec("TOTAL", "ASC")]),
    (None, [SortSpec("TOTAL", "DESC"), SortSpec("PLACED_AT", "ASC")]),
    ("red", []),  # relevance
    ("a", [SortSpec("RELEVANCE", "DESC"), SortSpec("TOTAL", "ASC")]),
]


@pytest.mark.parametrize(("text", "sort"), SORTS)
async def test_paging_is_complete_and_stable(
    queries: OrderQueries, text: str | None, sort: list[SortSpec]
) -> None:
    whole = ids(await search(queries, text, sort=sort))
    assert len(whole) == len(set(whole)) > 13
    for size in (7, 13):
        seen: list[str] = []
        after = None
        while True:
            page = await queries.search_orders(
                OrderSearch(text=text, sort=sort, first=size, after=after), STAFF
            )
            seen += ids(page)
            assert page.total_count == len(whole)
            if not page.has_next_page:
                break
            after = page.end_cursor
        assert seen == whole


async def test_field_sorts_follow_the_documents(queries: OrderQueries) -> None:
    by_total = ids(await search(queries, sort=[SortSpec("TOTAL", "ASC")]))
    assert by_total == [d["id"] for d in sorted(ORDER_DOCUMENTS, key=lambda d: (total(d), d["id"]))]
    newest = ids(await search(queries))
    assert newest == [
        d["id"]
        for d in sorted(
            sorted(ORDER_DOCUMENTS, key=lambda d: d["id"]),
            key=placed_at,
            reverse=True,
        )
    ]
