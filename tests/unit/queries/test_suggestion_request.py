"""Suggestions: the one request, its include patterns, and the mapping of its answer."""

from __future__ import annotations

import re
from typing import Any

import pytest

from queries.errors import InvalidQuery
from queries.suggestions import (
    KINDS,
    MAX_PREFIX_LENGTH,
    MAX_SUGGESTIONS,
    NOT_SEP,
    SEP,
    Suggestion,
    build_suggest_body,
    fold,
    include_pattern,
    normalise_prefix,
    suggestions_from,
)


def matches(pattern: str, value: str) -> bool:
    """The Lucene patterns built here use only syntax Python's `re` reads the same way."""
    return re.fullmatch(pattern, value) is not None


def test_one_size_zero_request_with_an_aggregation_per_kind() -> None:
    body = build_suggest_body("ali", 7)
    assert body["size"] == 0
    assert body["track_total_hits"] is False
    assert set(body["aggs"]) == {"CUSTOMER_NAME", "EMAIL", "PRODUCT_NAME", "SKU"}
    should = body["query"]["bool"]["should"]
    assert [agg["filter"] for agg in body["aggs"].values()] == should
    names = body["aggs"]["CUSTOMER_NAME"]
    assert names["filter"] == {
        "match": {"customer.name.prefix": {"query": "ali", "operator": "and"}}
    }
    terms = names["aggs"]["values"]["terms"]
    assert (terms["field"], terms["size"]) == ("customer.name.key", 7)
    example = names["aggs"]["values"]["aggs"]["example"]["top_hits"]
    assert example == {"size": 1, "_source": {"includes": ["customer.name"]}}


@pytest.mark.parametrize(("prefix", "wanted"), [("6f1c", "6f1c"), ("6F1C-1A2B", "6f1c-1a2b")])
def test_order_ids_need_four_hex_digits(prefix: str, wanted: str) -> None:
    orders = build_suggest_body(prefix, 5)["aggs"]["ORDER_ID"]
    assert orders["filter"] == {"match": {"id.prefix": {"query": wanted, "operator": "and"}}}
    newest = orders["aggs"]["orders"]["top_hits"]
    assert newest["size"] == 5
    assert newest["sort"] == [{"placedAt": {"order": "desc"}}, {"id": {"order": "asc"}}]


@pytest.mark.parametrize("prefix", ["6f1", "alice", "6f1c x", "zz12"])
def test_no_order_ids_for_other_prefixes(prefix: str) -> None:
    assert "ORDER_ID" not in build_suggest_body(prefix, 5)["aggs"]


@pytest.mark.parametrize(
    ("prefix", "value", "expected"),
    [
        ("mül", "zoe muller", True),  # any word, accents folded
        ("Zoë Mü", "zoe muller", True),
        ("zo mu", "zoe muller", True),  # every word a prefix
        ("ller", "zoe muller", False),  # not inside a word
        ("muller zoe", "zoe muller", False),  # words in order
        ("o'bri", "obrien", True),
        ("obri", "bob obrien", True),
        ("cast-ir", "cast iron pan", True),
        ("eighty four", "nineteen eighty-four", True),
    ],
)
def test_word_patterns(prefix: str, value: str, expected: bool) -> None:
    assert matches(include_pattern(prefix, words=True), value) is expected


@pytest.mark.parametrize(
    ("prefix", "value", "expected"),
    [
        ("SKU-R", "sku-red-001", True),
        ("skured0", "sku-red-001", True),  # punctuation ignored, like `.prefix`
        ("sku red", "sku-red-001", True),
        ("red", "sku-red-001", False),  # identifiers: from the start only
        ("alice.sm", "alice.smith@example.com", True),
        ("smith", "alice.smith@example.com", False),
    ],
)
def test_identifier_patterns(prefix: str, value: str, expected: bool) -> None:
    assert matches(include_pattern(prefix, words=False), value) is expected


SPECIAL = ['"', "(", ":", "/", "\\", "*", ".*", "a|b", "x~", "[a-z]", "<1-9>", "#@&", "a{2}"]


@pytest.mark.parametrize("text", SPECIAL)
def test_user_text_is_never_pattern_syntax(text: str) -> None:
    typed = f"ab{text}cd"
    alnum = re.sub(r"[^a-z0-9]+", " ", typed)
    # Only the letters and digits typed reach the pattern: the rest is the builder's syntax.
    assert include_pattern(typed, words=True) == include_pattern(alnum, words=True)
    assert include_pattern(typed, words=False) == include_pattern(alnum, words=False)
    for words in (True, False):
        literal = include_pattern(typed, words)
        for syntax in (SEP, NOT_SEP, "(.*", ")?", ".*", "+", "*"):
            literal = literal.replace(syntax, "")
        assert literal.isalnum()
    body = build_suggest_body(typed, 5)
    for agg in body["aggs"].values():  # the text itself is only ever a match query's `query`
        assert next(iter(agg["filter"]["match"].values()))["query"] == typed


def test_patterns_stay_under_the_engines_length_limit() -> None:
    longest = "a-" * (MAX_PREFIX_LENGTH // 2)
    for words in (True, False):
        assert len(include_pattern(longest, words)) < 1000  # index.max_regex_length
        assert len(include_pattern("x " * 50, words)) < 1000


def test_other_scripts_are_words_too() -> None:
    pattern = include_pattern("пет", words=True)
    assert matches(pattern, "иван петров")
    assert not matches(pattern, "ипетров")


def test_fold_matches_the_index_folding() -> None:
    assert fold("José MÜLLER") == "jose muller"
    assert fold("Straße Øster Łódź") == "strasse oster lodz"


@pytest.mark.parametrize(("first", "ok"), [(0, False), (1, True), (MAX_SUGGESTIONS, True)])
def test_first_bounds(first: int, ok: bool) -> None:
    if ok:
        assert normalise_prefix("ali", first) == "ali"
    else:
        with pytest.raises(InvalidQuery, match="first"):
            normalise_prefix("ali", first)


def test_prefix_bounds_and_blank_prefixes() -> None:
    with pytest.raises(InvalidQuery, match="prefix"):
        normalise_prefix("x" * (MAX_PREFIX_LENGTH + 1), 10)
    assert normalise_prefix("  ", 10) is None
    assert normalise_prefix("(*)", 10) is None  # nothing a value could start with
    assert normalise_prefix("  zoë   mü ", 10) == "zoë mü"


def bucket(key: str, count: int, source: dict[str, Any]) -> dict[str, Any]:
    return {"key": key, "doc_count": count, "example": {"hits": {"hits": [{"_source": source}]}}}


RESPONSE = {
    "aggregations": {
        "CUSTOMER_NAME": {
            "values": {
                "buckets": [
                    bucket("zoe muller", 9, {"customer": {"name": "Zoë Müller"}}),
                    bucket("bob obrien", 3, {"customer": {"name": "Bob O'Brien"}}),
                    bucket("ann lee", 2, {"customer": {"name": "Ann Lee"}}),
                ]
            }
        },
        "EMAIL": {"values": {"buckets": []}},
        "SKU": {
            "values": {
                "buckets": [
                    bucket(
                        "sku-red-001",
                        12,
                        {"lines": [{"sku": "BK-1"}, {"sku": "SKU-RED-001"}]},
                    ),
                    bucket("sku-x", 1, {}),  # no example: the folded key is shown
                ]
            }
        },
        "ORDER_ID": {"orders": {"hits": {"hits": [{"_source": {"id": "6f1c-a"}}]}}},
    }
}


def test_answer_maps_to_typed_suggestions_as_written() -> None:
    assert suggestions_from(RESPONSE, 10) == [
        Suggestion("CUSTOMER_NAME", "Zoë Müller", 9),
        Suggestion("CUSTOMER_NAME", "Bob O'Brien", 3),
        Suggestion("CUSTOMER_NAME", "Ann Lee", 2),
        Suggestion("SKU", "SKU-RED-001", 12),
        Suggestion("SKU", "sku-x", 1),
        Suggestion("ORDER_ID", "6f1c-a", 1, "6f1c-a"),
    ]


def test_kinds_take_turns_when_there_are_more_than_first() -> None:
    found = suggestions_from(RESPONSE, 4)
    assert [(s.kind, s.value) for s in found] == [
        ("CUSTOMER_NAME", "Zoë Müller"),
        ("CUSTOMER_NAME", "Bob O'Brien"),
        ("SKU", "SKU-RED-001"),
        ("ORDER_ID", "6f1c-a"),
    ]
    assert [s.kind for s in suggestions_from(RESPONSE, 50)] == sorted(
        (s.kind for s in suggestions_from(RESPONSE, 50)), key=KINDS.index
    )
    assert suggestions_from({}, 5) == []
