"""Pure pieces of `orders bench`: percentiles, the results table, the SQL alternative's
text handling and highlights."""

from __future__ import annotations

import re

from benchmarks import sql_search
from benchmarks.loadgen import LoadResult, percentile
from benchmarks.results import Row, Side, markdown_table, ratio, table


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile(values, 1.0) == 100.0
    assert percentile([], 0.5) is None


def test_a_side_shows_rate_latencies_and_failures() -> None:
    result = LoadResult(latencies=[0.010] * 99 + [0.250], elapsed=2.0)
    result.fail("HTTP 503: busy")
    side = Side.from_load(result, "q/s")
    assert side.text() == "50.0 q/s; p50 10 ms, p99 10 ms; 1 failed"
    assert Side.fixed("120 MB").text() == "120 MB"


def test_rows_render_as_aligned_text_and_markdown() -> None:
    row = Row("read", "order(id), concurrency 8", Side(rate=150.0), Side(rate=600.0), 0.25)
    row.target, row.met = ">= 0.5", False
    text = table([row]).splitlines()
    assert text[0].startswith("path") and "ratio" in text[0]
    assert "0.25" in text[2] and ">= 0.5 MISSED" in text[2]
    assert markdown_table([row]).splitlines()[2].count("|") == 6
    assert ratio(150.0, 600.0) == 0.25
    assert ratio(None, 600.0) is None


def test_like_patterns_escape_wildcards() -> None:
    assert sql_search.pattern("50%_off") == "%50\\%\\_off%"
    assert sql_search.words_of("  müller   berlin ") == ["müller", "berlin"]


def test_the_statement_has_one_placeholder_per_word_plus_status_and_limit() -> None:
    for words in (0, 1, 3):
        numbers = {int(n) for n in re.findall(r"\$(\d+)", sql_search.statement(words))}
        assert numbers == set(range(1, words + 3))


def test_highlights_mark_matches_and_escape_html() -> None:
    fields = {"customer.name": ["José <Müller>"], "shippingAddress.city": ["Berlin"]}
    assert sql_search.highlights(["müller"], fields) == [
        ("customer.name", ["José &lt;<em>Müller</em>&gt;"])
    ]
