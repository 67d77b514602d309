"""Relevance benchmark: MRR and nDCG@10 of `orders(search: ...)` on the fixed dataset.

    SEARCH_URL=http://127.0.0.1:9250 .venv/bin/python -m benchmarks.relevance
    .venv/bin/python benchmarks/relevance.py --database-url postgresql+asyncpg://... --explain

Seeds the dataset (benchmarks.relevance_dataset, 2,000 orders through the command path)
into an empty database or reuses one that holds it, projects it into a fresh index, runs
every judged query through OrderQueries.search_orders (the real read path, first=10) and
prints each query's reciprocal rank and nDCG@10, the means per query type, and overall.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import relevance_dataset
from benchmarks.judgments import (
    CUTOFF,
    JUDGMENTS_FILE,
    Judgment,
    Outcome,
    grades_for,
    load_judgments,
    mean,
    outcome,
)
from benchmarks.workbench import catch_up, env_or, fail, opened, seed_line
from identity import Principal
from queries.handlers import OrderQueries
from queries.search_request import OrderSearch
from read_model.indices import drop_all

JUDGE = Principal.staff("orders-relevance")  # reads every order, as support staff do

DEFAULT_DATABASE = "sqlite+aiosqlite:///./relevance.db"


async def evaluate(
    queries: OrderQueries,
    judgments: Sequence[Judgment],
    documents: Mapping[str, Any],
    concurrency: int = 1,
) -> list[Outcome]:
    """Run each judged query through the read path and grade its first page."""
    gate = asyncio.Semaphore(concurrency)

    async def judge(judgment: Judgment) -> Outcome:
        graded = grades_for(judgment, documents.values())
        if not any(grade == 2 for grade in graded.values()):
            raise ValueError(f"{judgment.id} ({judgment.query!r}) names no order in the dataset")
        async with gate:
            page = await queries.search_orders(
                OrderSearch(text=judgment.query, first=CUTOFF), JUDGE
            )
        return outcome(judgment, [edge.document["id"] for edge in page.edges], graded)

    return list(await asyncio.gather(*(judge(j) for j in judgments)))


def summary(outcomes: Sequence[Outcome]) -> dict[str, float]:
    return {
        "MRR": mean(o.reciprocal_rank for o in outcomes),
        "nDCG@10": mean(o.ndcg for o in outcomes),
    }


def report(outcomes: Sequence[Outcome], documents: Mapping[str, Any], explain: bool) -> str:
    out = [f"{'id':<5} {'type':<20} {'query':<34} {'rel':>4} {'RR':>5} {'nDCG':>5}  top grades"]
    for o in outcomes:
        j = o.judgment
        mark = "*" if j.core else " "
        grades = "".join(str(g) for g in o.grades) or "-"
        out.append(
            f"{j.id:<4}{mark} {j.type:<20} {j.query[:34]:<34} {o.relevant_count:>4} "
            f"{o.reciprocal_rank:>5.2f} {o.ndcg:>5.2f}  {grades}"
        )
        if explain and o.reciprocal_rank < 1:
            out += [f"        why: {j.why}", *_describe_hits(o, documents)]
    out.append("")
    out.append(f"{'type':<20} {'queries':>7} {'MRR':>6} {'nDCG@10':>8}")
    for kind in sorted({o.judgment.type for o in outcomes}):
        group = [o for o in outcomes if o.judgment.type == kind]
        figures = summary(group)
        out.append(f"{kind:<20} {len(group):>7} {figures['MRR']:>6.3f} {figures['nDCG@10']:>8.3f}")
    out.append("")
    out.append(f"{'group':<20} {'queries':>7} {'MRR':>6} {'nDCG@10':>8} {'ident@1':>8}")
    for label, group in groups(outcomes):
        figures = summary(group)
        ident = [o for o in group if o.judgment.identifier]
        at_one = f"{identifier_at_1(ident):>8.3f}" if ident else f"{'-':>8}"
        out.append(
            f"{label:<20} {len(group):>7} {figures['MRR']:>6.3f} {figures['nDCG@10']:>8.3f} "
            f"{at_one}"
        )
    return "\n".join(out)


def groups(outcomes: Sequence[Outcome]) -> list[tuple[str, list[Outcome]]]:
    """The original judgments, each judgment class, identifiers, core, and all."""
    by_class = [
        (f"class {n}" if n else "original", [o for o in outcomes if o.judgment.query_class == n])
        for n in sorted({o.judgment.query_class for o in outcomes})
    ]
    return [
        *by_class,
        ("identifiers", [o for o in outcomes if o.judgment.identifier]),
        ("core (*)", [o for o in outcomes if o.judgment.core]),
        ("all", list(outcomes)),
    ]


def identifier_at_1(outcomes: Sequence[Outcome]) -> float:
    """The share of queries whose first hit is relevant."""
    return mean(1.0 if o.reciprocal_rank == 1 else 0.0 for o in outcomes)


def _describe_hits(o: Outcome, documents: Mapping[str, Any]) -> list[str]:
    lines = []
    for rank, (hit, grade) in enumerate(zip(o.hit_ids[:3], o.grades, strict=False), start=1):
        doc = documents.get(hit, {})
        customer = doc.get("customer", {})
        address = doc.get("shippingAddress", {})
        skus = ",".join(line["sku"] for line in doc.get("lines", []))
        lines.append(
            f"        #{rank} g{grade} {customer.get('name')} <{customer.get('email')}> "
            f"{address.get('postalCode')} {address.get('city')} {skus}"
        )
    return lines or ["        (no hits)"]


async def run(args: argparse.Namespace) -> int:
    judgments = load_judgments(Path(args.judgments))
    if args.core:
        judgments = [j for j in judgments if j.core]
    async with opened(args.database_url, args.search_url, args.prefix) as bench:
        seeded = await relevance_dataset.seed_dataset(bench.engine, progress=True)
        print(seed_line(seeded))
        seconds = await catch_up(bench, fresh=not args.reuse_index)
        print(f"projected in {seconds:.1f} s into index prefix {args.prefix!r}")
        documents = await relevance_dataset.oracle(bench.engine)
        outcomes = await evaluate(OrderQueries(bench.search, args.prefix), judgments, documents)
        print(report(outcomes, documents, args.explain))
        if args.drop_index:
            await drop_all(bench.search, args.prefix)
    mrr = summary(outcomes)["MRR"]
    return 1 if mrr < args.min_mrr else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=env_or("DATABASE_URL", DEFAULT_DATABASE),
        help=f"empty or holding the dataset (default DATABASE_URL or {DEFAULT_DATABASE})",
    )
    parser.add_argument("--search-url", default=env_or("SEARCH_URL"), help="default SEARCH_URL")
    parser.add_argument("--prefix", default="relevance", help="index prefix (default relevance)")
    parser.add_argument("--judgments", default=str(JUDGMENTS_FILE))
    parser.add_argument("--core", action="store_true", help="only the core judgments")
    parser.add_argument("--explain", action="store_true", help="show the top hits of misses")
    parser.add_argument("--reuse-index", action="store_true", help="do not re-project")
    parser.add_argument("--drop-index", action="store_true", help="delete the index afterwards")
    parser.add_argument("--min-mrr", type=float, default=0.0, help="exit 1 below this MRR")
    args = parser.parse_args(argv)
    if not args.search_url:
        fail("set SEARCH_URL or --search-url (e.g. http://127.0.0.1:9200)")
    return asyncio.run(run(args))


if __name__ == "__main__":
    raise SystemExit(main())
