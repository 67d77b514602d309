"""Search text → words, filler words, identifier shape and city synonyms (pure)."""

from __future__ import annotations

from typing import Any

import pytest

from queries.highlights import highlight
from queries.search_request import OrderSearch, build_search_body
from queries.synonyms import CITY_NAMES, Unit, units
from queries.text_input import parse


@pytest.mark.parametrize(
    ("typed", "subject"),
    [
        ("order 1a2b3c4d", "1a2b3c4d"),
        ("order #1a2b3c4d", "1a2b3c4d"),
        ("Order # 1a2b3c4d", "1a2b3c4d"),
        ("no. 1a2b3c4d", "1a2b3c4d"),
        ("order nr. 1a2b3c4d", "1a2b3c4d"),
        ("#1a2b3c4d", "1a2b3c4d"),
        ("tracking number LX775782455PL", "LX775782455PL"),
        ("sku KIT-KETTLE-02", "KIT-KETTLE-02"),
        ("email anna@example.com", "anna@example.com"),
    ],
)
def test_leading_filler_words_are_dropped(typed: str, subject: str) -> None:
    parsed = parse(typed)
    assert parsed.text == subject
    assert parsed.words == [subject]
    assert parsed.identifier_like


@pytest.mark.parametrize("typed", ["no", "order", "#"])
def test_a_filler_word_alone_is_searched(typed: str) -> None:
    assert parse(typed).text == typed


def test_only_a_leading_run_of_fillers_is_dropped() -> None:
    assert parse("oslo no").words == ["oslo", "no"]
    assert parse("order müller order").words == ["müller", "order"]


@pytest.mark.parametrize(
    ("typed", "identifier_like", "spaced"),
    [
        ("f356745d", True, False),  # one word: may be an id, a SKU, an email part
        ("sw1a 1a", True, True),
        ("1ztrk 00001", True, True),
        ("jose fernandez", False, False),  # a name is no identifier prefix ("josefernandez")
        ("kit kettle", False, False),
    ],
)
def test_identifier_shape(typed: str, identifier_like: bool, spaced: bool) -> None:
    parsed = parse(typed)
    assert (parsed.identifier_like, parsed.spaced_identifier) == (identifier_like, spaced)


def _clauses(text: str) -> list[dict[str, Any]]:
    body = build_search_body(OrderSearch(text=text))
    return list(body["query"]["bool"]["must"][0]["bool"]["should"])


def test_names_get_no_identifier_clauses_and_order_ids_after_fillers_do() -> None:
    assert "'term'" not in str(_clauses("jose fernandez"))  # phrase and words only
    exact = _clauses("order #E4335A8D-D0A7-41A2-B862-559AAAB4AA3D")[0]
    terms = exact["constant_score"]["filter"]["bool"]["should"]
    assert {"term": {"id": {"value": "e4335a8d-d0a7-41a2-b862-559aaab4aa3d"}}} in terms


def test_english_city_names_are_units_with_the_local_names() -> None:
    assert units(["Munich"]) == [Unit(("Munich",), ("München",))]
    assert units(["muller", "the", "hague"]) == [
        Unit(("muller",)),
        Unit(("the", "hague"), CITY_NAMES["the hague"]),
    ]
    assert units(["the"]) == [Unit(("the",))]
    assert all(key == key.lower() for key in CITY_NAMES)


def test_a_synonym_matches_the_city_as_a_phrase() -> None:
    text = str(build_search_body(OrderSearch(text="vienna"))["query"])
    assert "{'match_phrase': {'shippingAddress.city': {'query': 'Wien'}}}" in text


def test_highlights_skip_identifier_fields_for_plain_words() -> None:
    words = set(highlight("anna berlin")["fields"])
    assert {"customer.name", "shippingAddress.city", "shippingAddress.line1"} <= words
    assert not words & {"id", "id.prefix", "shipment.trackingNumber", "lines.sku"}
    tracking = set(highlight("1ztrk0001")["fields"])
    assert {"shipment.trackingNumber", "shipment.trackingNumber.prefix"} <= tracking
    assert "id.prefix" not in tracking  # order ids are hex
    assert {"id", "id.prefix"} <= set(highlight("f356745d")["fields"])
    assert "customer.email.domain" in set(highlight("@example.com")["fields"])
