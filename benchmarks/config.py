"""`orders bench` options and the plan they make: sizes, durations, concurrency levels.

The quick plan (about 6 minutes) seeds a few thousand orders and measures each load for a
few seconds; the full plan (about an hour) seeds 100,000 orders, grows them to 1,000,000
for the single-model comparison and the largest rebuild, and measures each load for 20 s.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

SECTIONS = ("projection", "views", "write", "read", "freshness", "single-model")
DEFAULT_OUT = Path(__file__).with_name("RESULTS.md")


@dataclass(frozen=True)
class Plan:
    quick: bool
    orders: int  # seeded before the first measurement (the projection backlog)
    large_orders: int | None  # grown to for the second single-model size and rebuild
    seconds: float  # measured window of each closed-loop load
    warmup: float
    write_concurrency: tuple[int, ...]
    read_concurrency: tuple[int, ...]
    freshness_seconds: float
    freshness_rate: float  # placeOrder per second (each followed by two reads)
    api_workers: int
    seed: int
    seed_processes: int
    seed_concurrency: int
    heap: str
    out: Path | None
    sections: frozenset[str]
    progress: bool

    @property
    def mode(self) -> str:
        return "quick" if self.quick else "full"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quick", action="store_true", help="small sizes, short runs (~6 min)")
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help=f"write the results here (the full run writes {DEFAULT_OUT.name} by default)",
    )
    parser.add_argument("--api-workers", type=int, default=2, help="API processes (default 2)")
    parser.add_argument("--orders", type=int, default=None, help="orders seeded first")
    parser.add_argument(
        "--large-orders",
        type=int,
        default=None,
        help="grow to this many orders for the second size (full: 1,000,000; 0: skip)",
    )
    parser.add_argument("--seconds", type=float, default=None, help="measured seconds per load")
    parser.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help=f"comma-separated sections to run (default all: {','.join(SECTIONS)})",
    )
    parser.add_argument(
        "--freshness-rate",
        type=float,
        default=100.0,
        help="placeOrder/s of the freshness load, each read back twice (default 100)",
    )
    parser.add_argument("--seed", type=int, default=7, help="random seed of the demo data")
    parser.add_argument("--seed-processes", type=int, default=2, help="seeding processes")
    parser.add_argument("--search-heap", default="1g", help="the search node's JVM heap")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")


def plan_from(args: argparse.Namespace) -> Plan:
    quick = bool(args.quick)
    sections = frozenset(s.strip() for s in str(args.only).split(",") if s.strip())
    unknown = sections - set(SECTIONS)
    if unknown:
        raise SystemExit(f"unknown section(s) {', '.join(sorted(unknown))}; pick from {SECTIONS}")
    large = args.large_orders
    if large is None:
        large = None if quick else 1_000_000
    orders = args.orders or (3_000 if quick else 100_000)
    return Plan(
        quick=quick,
        orders=orders,
        large_orders=large if large and large > orders else None,
        seconds=args.seconds or (4.0 if quick else 20.0),
        warmup=1.0 if quick else 3.0,
        write_concurrency=(1, 8, 32),
        read_concurrency=(8, 32),
        freshness_seconds=15.0 if quick else 60.0,
        freshness_rate=max(1.0, args.freshness_rate),
        api_workers=max(1, args.api_workers),
        seed=args.seed,
        seed_processes=max(1, args.seed_processes),
        seed_concurrency=max(8, args.seed_processes),
        heap=args.search_heap,
        out=args.out if args.out is not None else (None if quick else DEFAULT_OUT),
        sections=sections,
        progress=not args.no_progress,
    )
