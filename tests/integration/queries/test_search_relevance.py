"""Relevance on a real search node: what a person types finds the order they mean, first."""

from __future__ import annotations

import pytest

from queries.handlers import OrderQueries
from queries.results import OrderPage
from queries.search_request import OrderSearch
from search_engine.client import SearchClient
from tests.integration.queries.relevance_testdata import (
    ANNA,
    ANNA_B,
    BY_KEY,
    GARDENER,
    JOSE,
    MARGARETHE,
    SPECS,
    WEBER,
    key_of,
    keys_of,
)
from tests.support.actors import STAFF

pytestmark = pytest.mark.anyio


@pytest.fixture
def queries(relevance: tuple[SearchClient, str]) -> OrderQueries:
    return OrderQueries(*relevance)


async def found(queries: OrderQueries, text: str) -> list[str]:
    """Spec keys of the matching orders, best first."""
    return [key_of(edge.document["id"]) for edge in (await page(queries, text)).edges]


async def page(queries: OrderQueries, text: str) -> OrderPage:
    return await queries.search_orders(OrderSearch(text=text, first=100), STAFF)


def holding(sku: str) -> set[str]:
    return {s.key for s in SPECS if any(p["sku"] == sku for p in s.products)}


def at(place: str) -> set[str]:
    return {s.key for s in SPECS if s.place == place}


def domain(name: str) -> set[str]:
    return {s.key for s in SPECS if s.customer["email"].endswith("@" + name)}


# -- analysis: accents, emails, identifiers ------------------------------------------------


@pytest.mark.parametrize("text", ["jose muller", "JOSE MULLER", "José Müller", "jose müller"])
async def test_accents_and_case_are_folded(queries: OrderQueries, text: str) -> None:
    keys = await found(queries, text)
    assert set(keys[:2]) == keys_of(JOSE)  # "Josef Mueller" is only a fuzzy match, after


async def test_apostrophes_are_optional(queries: OrderQueries) -> None:
    for text in ("sinead obrien", "Sinéad O'Brien", "o'brien"):
        assert await found(queries, text) == ["sinead-1"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jmuller@posteo.de", keys_of(JOSE)),  # whole
        ("JMuller@Posteo.DE", keys_of(JOSE)),
        # The local part; Josef's "mueller" is 2 edits off, and a 7-letter word allows one
        # (docs/ARCHITECTURE.md §4: two edits only from nine letters).
        ("jmuller", keys_of(JOSE)),
        ("jmuller@", keys_of(JOSE)),
        ("posteo.de", keys_of(JOSE)),  # domain
        ("@posteo.de", keys_of(JOSE)),
        ("example.org", domain("example.org")),
    ],
)
async def test_emails_whole_by_local_part_and_by_domain(
    queries: OrderQueries, text: str, expected: set[str]
) -> None:
    keys = await found(queries, text)
    assert set(keys) == expected
    if text.startswith("jmuller"):
        assert set(keys[:2]) == keys_of(JOSE)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GDN-", holding("GDN-HOSE-25") | holding("GDN-REEL-1")),
        ("gdn-h", holding("GDN-HOSE-25")),
        ("gdnho", holding("GDN-HOSE-25")),  # punctuation is optional in a prefix
        ("kit-pan-2", holding("KIT-PAN-28")),
    ],
)
async def test_skus_by_prefix(queries: OrderQueries, text: str, expected: set[str]) -> None:
    assert set(await found(queries, text)) == expected


async def test_order_ids_exact_and_by_prefix(queries: OrderQueries) -> None:
    order_id = BY_KEY["weber-1"]["id"]
    assert (await found(queries, order_id))[0] == "weber-1"
    assert (await found(queries, order_id.upper()))[0] == "weber-1"
    for prefix in (order_id[:8], order_id[:13].upper(), order_id[:13].replace("-", "")):
        assert "weber-1" in await found(queries, prefix)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("80-831", at("gdansk")),  # exact
        ("80-8", at("gdansk")),  # prefixes, with or without the dash
        ("808", at("gdansk")),
        ("80 83", at("gdansk")),
        ("SW1A 1AA", at("london")),
        ("sw1a", at("london")),
        ("d02", at("dublin")),
        ("80331", at("munich")),
    ],
)
async def test_postal_codes_exact_and_by_prefix(
    queries: OrderQueries, text: str, expected: set[str]
) -> None:
    assert set(await found(queries, text)) == expected


async def test_tracking_numbers_are_exact(queries: OrderQueries) -> None:
    assert await found(queries, "1ZTRK000000012") == ["anna-2"]
    assert await found(queries, "1ztrk000000012") == ["anna-2"]
    # One digit off is another parcel: never a fuzzy match.
    assert await found(queries, "1ZTRK000000019") == []


# -- ranking ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("ROSE-1", holding("ROSE-1")),  # before ROSE-10 (a prefix) and the customer "Rose"
        ("JD014600003828", {"jose-2"}),
        ("anna.schmidt@example.com", keys_of(ANNA)),
        ("rose.hose@example.org", keys_of(GARDENER)),
    ],
)
async def test_exact_identifiers_rank_first(
    queries: OrderQueries, text: str, first: set[str]
) -> None:
    keys = await found(queries, text)
    assert set(keys[: len(first)]) == first
    assert len(keys) >= len(first)


async def test_exact_sku_then_its_prefix_extensions(queries: OrderQueries) -> None:
    keys = await found(queries, "ROSE-1")
    assert set(keys) >= holding("ROSE-1") | holding("ROSE-10")
    assert keys[0] in holding("ROSE-1")


async def test_exact_order_id_ranks_first(queries: OrderQueries) -> None:
    for key in ("jose-1", "marg-2", "rose-2"):
        assert (await found(queries, BY_KEY[key]["id"]))[0] == key


async def test_a_phrase_ranks_above_the_same_words_apart(queries: OrderQueries) -> None:
    keys = await found(queries, "garden hose")
    phrase = holding("GDN-HOSE-25")
    assert set(keys[: len(phrase)]) == phrase
    # "Hose Reel for the Garden", and Rose Hose's reel: both words, not as a phrase.
    assert set(keys[len(phrase) :]) >= holding("GDN-REEL-1") - phrase


async def test_a_name_phrase_ranks_above_partial_and_fuzzy(queries: OrderQueries) -> None:
    keys = await found(queries, "anna schmidt")
    assert set(keys) == keys_of(ANNA)  # Anna Becker lacks "schmidt": narrowed away
    names = await found(queries, "josef mueller")
    assert names[0] == "josef-1"  # the exact name, before José Müller's fuzzy match


# -- typos and narrowing ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "customer"),
    [
        ("margarete schulz", MARGARETHE),  # one letter missing in a long word
        ("margerete schulz", MARGARETHE),  # two letters off
        ("margarethe schluz", MARGARETHE),  # two letters swapped: one edit
        ("lukaz weber", WEBER),  # five letters, one typo
        ("lukas webre", WEBER),  # two letters swapped: one edit
    ],
)
async def test_typos_of_one_or_two_letters_in_words_of_five_or_more(
    queries: OrderQueries, text: str, customer: dict[str, str]
) -> None:
    keys = await found(queries, text)
    expected = keys_of(customer)
    assert set(keys[: len(expected)]) == expected


@pytest.mark.parametrize("text", ["lucaz weber", "lukas wabre", "wabre", "anan"])
async def test_two_typos_below_nine_letters_and_any_below_five_are_no_match(
    queries: OrderQueries, text: str
) -> None:
    """One edit for five to eight letters, none below five (docs/ARCHITECTURE.md §4):
    two edits from five letters on made ordinary words equal (Weber, Huber)."""
    assert not set(await found(queries, text)) & (keys_of(WEBER) | keys_of(ANNA))


async def test_several_words_narrow_and_a_typo_does_not_empty_them(
    queries: OrderQueries,
) -> None:
    anna_in_berlin = {"anna-1", "anna-2", "annab-1"}
    assert keys_of(ANNA_B) & anna_in_berlin
    assert set(await found(queries, "anna")) == keys_of(ANNA) | keys_of(ANNA_B)
    assert set(await found(queries, "anna berlin")) == anna_in_berlin
    assert set(await found(queries, "anna berlni")) == anna_in_berlin
    assert set(await found(queries, "anna schmidt berlin")) == {"anna-1", "anna-2"}
    assert set(await found(queries, "anna schmitd berlin")) == {"anna-1", "anna-2"}
    assert set(await found(queries, "anna kettle gdansk")) == {"anna-3"}
    assert await found(queries, "anna qwxzvy") == []


# -- highlights ------------------------------------------------------------------------


async def test_highlights_mark_what_matched_in_each_field(queries: OrderQueries) -> None:
    edge = (await page(queries, "jose muller")).edges[0]
    highlights = dict(edge.highlights)
    assert highlights["customer.name"] == ["<em>José</em> <em>Müller</em>"]
    email = dict((await page(queries, "posteo.de")).edges[0].highlights)
    assert email["customer.email"] == ["jmuller@<em>posteo.de</em>"]
    tracking = dict((await page(queries, "1ztrk0000000")).edges[0].highlights)
    assert tracking["shipment.trackingNumber"][0].startswith("<em>1ZTRK0000000</em>")
    hose_only = BY_KEY["anna-1"]["id"]  # one line: the hose (ties are newest first)
    edges = (await page(queries, "garden hose")).edges
    product = dict(next(e for e in edges if e.document["id"] == hose_only).highlights)
    assert product["lines.productName"] == ["<em>Garden</em> <em>Hose</em> 25m"]
    escaped = dict((await page(queries, "o'brien")).edges[0].highlights)
    assert escaped["customer.name"] == ["Sinéad <em>O&#x27;Brien</em>"]  # HTML-escaped
