"""Search quality on the seeded relevance dataset, on the real search node: the core
judgments (what docs/ARCHITECTURE.md §4 promises) must find the expected order first.

The full list, with per-type figures, is the benchmark's job (`python -m
benchmarks.relevance`); no timings are asserted here.
"""

from __future__ import annotations

import pytest

from benchmarks.judgments import Judgment, grades_for, mean
from benchmarks.relevance import evaluate
from tests.integration.relevance.relevance_testkit import Searchable

pytestmark = [pytest.mark.anyio, pytest.mark.search]

CORE_MRR_FLOOR = 0.9


async def test_every_judgment_names_orders_of_the_dataset(
    searchable: Searchable, judgments: list[Judgment]
) -> None:
    empty = [
        f"{j.id} {j.query!r}"
        for j in judgments
        if 2 not in grades_for(j, searchable.documents.values()).values()
    ]
    assert empty == [], "judgments that resolve to no order (did the seed data change?)"


async def test_core_queries_rank_the_expected_orders_first(
    searchable: Searchable, judgments: list[Judgment]
) -> None:
    core = [j for j in judgments if j.core]
    outcomes = await evaluate(searchable.queries, core, searchable.documents, concurrency=4)
    mrr = mean(o.reciprocal_rank for o in outcomes)
    misses = [
        f"{o.judgment.id} {o.judgment.query!r}: RR {o.reciprocal_rank:.2f}, grades {o.grades}"
        for o in outcomes
        if o.reciprocal_rank < 1
    ]
    assert mrr >= CORE_MRR_FLOOR, f"core MRR {mrr:.3f} < {CORE_MRR_FLOOR}; misses: {misses}"
