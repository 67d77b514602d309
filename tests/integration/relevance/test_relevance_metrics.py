"""The benchmark's own arithmetic and judgment predicates (pure; no servers)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from benchmarks.judgments import (
    CHECKS,
    Judgment,
    fold,
    grades_for,
    load_judgments,
    matches,
    ndcg,
    outcome,
    reciprocal_rank,
)

DOC: dict[str, Any] = {
    "id": "3f2a9c1e-0000-4000-8000-000000000001",
    "status": "SHIPPED",
    "customer": {"name": "José Müller", "email": "jose.mueller@gmx.de"},
    "shippingAddress": {"city": "München", "postalCode": "80331", "country": "DE"},
    "lines": [{"sku": "KIT-KETTLE-01", "productName": "Steel Kettle", "category": "kitchen"}],
    "shipment": {"trackingNumber": "RR123456785DE"},
}


def test_reciprocal_rank_counts_the_first_fully_relevant_hit() -> None:
    assert reciprocal_rank([2, 0, 0]) == 1.0
    assert reciprocal_rank([1, 0, 2]) == pytest.approx(1 / 3)
    assert reciprocal_rank([1, 1]) == 0.0
    assert reciprocal_rank([0] * 10 + [2]) == 0.0  # past the cutoff


def test_ndcg_is_one_for_the_ideal_order_and_lower_otherwise() -> None:
    assert ndcg([2, 1, 0], [2, 1]) == 1.0
    swapped = (1 + 3 / math.log2(3)) / (3 + 1 / math.log2(3))
    assert ndcg([1, 2], [2, 1]) == pytest.approx(swapped)
    assert ndcg([0, 0], [2]) == 0.0
    assert ndcg([2], [2, 2]) < 1.0  # a relevant order missing from the page costs


def test_predicates_fold_accents_and_case_like_a_person_typing() -> None:
    assert fold("Ødegaard Łódź Müller") == "odegaard lodz muller"
    assert matches(DOC, {"name": "muller", "city": "munchen"})
    assert matches(DOC, {"email_local": "jose.mueller", "email_domain": "gmx.de"})
    assert matches(DOC, {"sku_prefix": "KIT-KET", "product": "kettle", "category": "kitchen"})
    assert matches(DOC, {"tracking": "RR123456785DE", "id_prefix": "3F2A9C"})
    assert not matches(DOC, {"name": "muller", "city": "Berlin"})
    assert matches(DOC, [{"city": "Berlin"}, {"postal_prefix": "803"}])
    with pytest.raises(ValueError, match="unknown predicate"):
        matches(DOC, {"colour": "red"})


def test_grades_and_outcome_of_one_query() -> None:
    other = {**DOC, "id": "other", "shippingAddress": {**DOC["shippingAddress"], "city": "Ulm"}}
    judgment = Judgment(
        id="t1",
        query="muller munchen",
        type="name+city",
        why="test",
        relevant={"name": "müller", "city": "München"},
        partial={"name": "müller"},
    )
    graded = grades_for(judgment, [DOC, other])
    assert graded == {DOC["id"]: 2, "other": 1}
    result = outcome(judgment, ["other", DOC["id"], "unjudged"], graded)
    assert result.grades == [1, 2, 0]
    assert result.reciprocal_rank == 0.5
    assert result.relevant_count == 1


def test_the_judgment_list_is_big_varied_and_well_formed() -> None:
    judgments = load_judgments()
    assert len(judgments) >= 40
    assert len({j.id for j in judgments}) == len(judgments)
    assert len({j.query for j in judgments}) == len(judgments)
    assert len({j.type for j in judgments}) >= 10
    assert sum(j.core for j in judgments) >= 20
    for j in judgments:
        assert j.why.strip(), j.id
        for predicate in (j.relevant, j.partial):
            parts = predicate if isinstance(predicate, list) else [predicate or {}]
            assert all(set(part) <= set(CHECKS) for part in parts), j.id
