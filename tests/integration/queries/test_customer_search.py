"""Customer queries on the real search node, over customer documents projected from the
write tables: search quality (accents, typos, email parts, identifiers first), filters,
every sort walked page by page with cursors, the access rule and consistency waits."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from commands.messages import CancelOrder, UpdateCustomer
from identity import ANONYMOUS, NotSignedIn
from queries.consistency import ConsistencyTimeout
from queries.customer_search import CustomerFilter, CustomerSearch, CustomerSort
from queries.errors import InvalidQuery
from tests.support.actors import STAFF
from tests.support.customer_view import CustomerView, customer_view
from tests.support.tokens import customer
from tests.support.world import World

pytestmark = [pytest.mark.anyio, pytest.mark.search]


@dataclass
class Shop:
    view: CustomerView
    ids: dict[str, str]  # by first name
    position: str  # the last command's token


@pytest.fixture
async def shop(world: World) -> Shop:
    w = world
    ids = {
        "jose": await w.customer("José Müller", "jose.mueller@example.com"),
        "grete": await w.customer("Margarethe Schneider", "grete@beispiel.de"),
        "luca": await w.customer("Luca Rossi", "luca@example.it"),
        "ines": await w.customer("Inês Costa", "ines.costa@example.com"),
        "inez": await w.customer("Inés Castro", "ines.castro@example.org"),
    }
    mug = await w.product("MUG-1", "Blue Mug", "10.00")
    await w.order(ids["jose"], [(mug, 2)], country="PT")
    await w.order(ids["jose"], [(mug, 1)], country="DE")
    await w.order(ids["grete"], [(mug, 9)], country="PL")
    await w.order(ids["ines"], [(mug, 1)], country="PL")
    await w.order(ids["ines"], [(mug, 1)], country="PL")
    big = await w.order(ids["ines"], [(mug, 50)], country="PL")
    await w.bus.dispatch(CancelOrder(order_id=big.id, reason="too many"), STAFF)
    last = await w.order(ids["inez"], [(mug, 4)], country="ES")
    view = await customer_view(w)
    await view.catch_up()
    return Shop(view, ids, last.position)


async def names(shop: Shop, **kwargs: Any) -> list[str]:
    page = await shop.view.queries.search_customers(CustomerSearch(**kwargs), STAFF)
    return [hit.document["name"] for hit in page.edges]


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("jose muller", "José Müller"),  # accents folded
        ("JOSÉ", "José Müller"),
        ("schneidr", "Margarethe Schneider"),  # one typo in eight letters
        ("margerethe", "Margarethe Schneider"),  # a typo after the first letter
        ("marg", "Margarethe Schneider"),  # as you type
        ("ines.costa", "Inês Costa"),  # an email's local part
        ("example.org", "Inés Castro"),  # its domain
        ("@beispiel.de", "Margarethe Schneider"),
        ("ines.castro@example.org", "Inés Castro"),  # the whole email
        ("Inês", "Inês Costa"),  # the spelling typed first
        ("Inés", "Inés Castro"),
    ],
)
async def test_search_finds_customers_as_people_remember_them(
    shop: Shop, text: str, first: str
) -> None:
    assert (await names(shop, text=text))[:1] == [first]


async def test_short_words_get_no_typos_and_the_first_letter_is_never_one(shop: Shop) -> None:
    assert await names(shop, text="lucy") == []  # four letters: no typo
    assert await names(shop, text="luca") == ["Luca Rossi"]
    assert await names(shop, text="nargarethe") == []


async def test_an_exact_customer_id_or_email_ranks_first(shop: Shop) -> None:
    page = await shop.view.queries.search_customers(
        CustomerSearch(text=shop.ids["inez"].upper()), STAFF
    )
    assert [hit.document["id"] for hit in page.edges][:1] == [shop.ids["inez"]]
    assert (await names(shop, text="ines.costa@example.com"))[0] == "Inês Costa"


async def test_highlights_mark_the_matched_fields(shop: Shop) -> None:
    page = await shop.view.queries.search_customers(CustomerSearch(text="muller"), STAFF)
    (hit,) = page.edges
    assert ("name", ["José <em>Müller</em>"]) in hit.highlights


async def test_filters_by_country_order_count_and_last_order(shop: Shop) -> None:
    by_country = await names(shop, filter=CustomerFilter(country="PL"))
    assert by_country == ["Inês Costa", "Margarethe Schneider"]
    assert await names(shop, filter=CustomerFilter(min_orders=2)) == ["Inês Costa", "José Müller"]
    docs = await shop.view.indexed()
    grete_last = docs[shop.ids["grete"]]["lastOrderAt"]
    window = CustomerFilter(
        last_order_from=_instant(grete_last), last_order_to=_instant(grete_last)
    )
    assert await names(shop, filter=window) == ["Margarethe Schneider"]


def _instant(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


async def walk(shop: Shop, sort: list[CustomerSort], **kwargs: Any) -> list[str]:
    """Every page of two, cursor after cursor."""
    found: list[str] = []
    after = None
    for _ in range(10):
        search = CustomerSearch(sort=sort, first=2, after=after, **kwargs)
        page = await shop.view.queries.search_customers(search, STAFF)
        found += [hit.document["name"] for hit in page.edges]
        assert page.total_count == 5 or kwargs
        if not page.has_next_page:
            return found
        after = page.end_cursor
    raise AssertionError("the walk did not end")


def expected(docs: dict[str, Any], key: Any) -> list[str]:
    # Ties: the folded name, then the id (names here fold apart).
    return [d["name"] for d in sorted(docs.values(), key=lambda d: (key(d), _fold(d["name"])))]


def _fold(name: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", name.lower()) if c.isascii())


async def test_every_sort_walks_every_customer_once_in_order(shop: Shop) -> None:
    docs = await shop.view.indexed()
    assert await walk(shop, []) == [
        "Inés Castro",
        "Inês Costa",
        "José Müller",
        "Luca Rossi",
        "Margarethe Schneider",
    ]  # by folded name, then id
    assert await walk(shop, [CustomerSort("NAME", "DESC")]) == expected(docs, lambda d: 0)[::-1]
    assert await walk(shop, [CustomerSort("ORDER_COUNT", "DESC")]) == expected(
        docs, lambda d: -d["orderCount"]
    )
    assert await walk(shop, [CustomerSort("LIFETIME_VALUE", "DESC")]) == expected(
        docs, lambda d: -Decimal(d["mainValue"])
    )
    assert await walk(shop, [CustomerSort("LIFETIME_VALUE", "ASC")]) == expected(
        docs, lambda d: Decimal(d["mainValue"])
    )
    newest = await walk(shop, [CustomerSort("LAST_ORDER_AT", "DESC")])
    oldest = await walk(shop, [CustomerSort("LAST_ORDER_AT", "ASC")])
    assert newest[-1] == oldest[-1] == "Luca Rossi"  # no orders: last either way
    with_orders = {k: d for k, d in docs.items() if d["lastOrderAt"]}
    assert oldest[:-1] == expected(with_orders, lambda d: d["lastOrderAt"])
    by_name = sorted(with_orders.values(), key=lambda d: _fold(d["name"]))
    latest_first = sorted(by_name, key=lambda d: d["lastOrderAt"], reverse=True)  # stable
    assert newest[:-1] == [d["name"] for d in latest_first]


async def test_a_cursor_of_another_sort_is_refused(shop: Shop) -> None:
    page = await shop.view.queries.search_customers(CustomerSearch(first=1), STAFF)
    other = CustomerSearch(sort=[CustomerSort("ORDER_COUNT")], after=page.end_cursor)
    with pytest.raises(InvalidQuery):
        await shop.view.queries.search_customers(other, STAFF)


async def test_a_customer_reads_only_their_own_summary(shop: Shop) -> None:
    queries, ines = shop.view.queries, customer(shop.ids["ines"])
    own = await queries.get_customer(shop.ids["ines"], ines)
    assert own is not None and own["name"] == "Inês Costa"
    assert await queries.get_customer(shop.ids["jose"], ines) is None
    page = await queries.search_customers(CustomerSearch(), ines)
    assert [hit.document["id"] for hit in page.edges] == [shop.ids["ines"]]
    assert page.total_count == 1
    assert (await queries.search_customers(CustomerSearch(text="jose"), ines)).edges == []
    staff_view = await queries.get_customer(shop.ids["jose"], STAFF)
    assert staff_view is not None and staff_view["orderCount"] == 2
    with pytest.raises(NotSignedIn):
        await queries.get_customer(shop.ids["ines"], ANONYMOUS)
    with pytest.raises(NotSignedIn):
        await queries.search_customers(CustomerSearch(), ANONYMOUS)


async def test_consistency_waits_for_the_customer_views_checkpoint(shop: Shop) -> None:
    queries = shop.view.queries
    await queries.wait_for(shop.position, 2000)  # projected: reached
    renamed = await shop.view.world.bus.dispatch(
        UpdateCustomer(shop.ids["luca"], name="Luca Bianchi"), STAFF
    )
    with pytest.raises(ConsistencyTimeout):
        await queries.wait_for(renamed.position, 0)  # not projected yet
    await shop.view.catch_up()
    await queries.wait_for(renamed.position, 2000)
    luca = await queries.get_customer(shop.ids["luca"], STAFF)
    assert luca is not None and luca["name"] == "Luca Bianchi"
