"""Demo data (`orders seed`): customers from fourteen countries, a catalogue of 71
products, orders in every status over two years, planned in `demo.plan` from a
seeded RNG and written by one of two writers:

- "batches" (the default): `demo.writer` plays a few hundred stories at a time
  through the aggregates in memory and writes their rows and events in one transaction
  with multi-row inserts; the same rules run and the same rows and events result;
- "commands": every command through the real CommandBus, one transaction each (slow).

Workers only choose the order in which the planned stories are written, so one seed
always yields the same data (on an empty database), whatever the writer, concurrency or
number of processes. The catalogue always goes through the CommandBus (71 commands).
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import queue
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from tqdm import tqdm

from commands.bus import CommandBus
from commands.messages import AddProduct
from database.engine import create_engine
from database.tables import customers, products
from database.tables import orders as orders_table
from demo.plan import (
    CURRENCY,
    DEFAULT_UNTIL,
    WINDOW,
    CustomerPlan,
    Person,
    ProductPlan,
    SeedPlan,
    Step,
    Story,
    catalogue,
    email_for,
    make_address,
    make_person,
    placement_times,
    plan_customers,
    plan_order,
)
from demo.tables import (
    BIG_MARKETS,
    COUNTRIES,
    TRACKING,
    Country,
    ascii_fold,
    fill_pattern,
    s10,
    tracking_number,
)
from demo.writer import BATCH_SIZE, SEED_ACTOR, SeedWriter, batches

__all__ = [  # the plan's names, re-exported for the tests and benchmarks that use them
    "BIG_MARKETS",
    "COUNTRIES",
    "DEFAULT_UNTIL",
    "TRACKING",
    "WINDOW",
    "Country",
    "CustomerPlan",
    "Person",
    "SeedError",
    "SeedPlan",
    "SeedReport",
    "Story",
    "Writer",
    "ascii_fold",
    "catalogue",
    "count_orders",
    "email_for",
    "fill_pattern",
    "make_address",
    "make_person",
    "placement_times",
    "plan_customers",
    "plan_order",
    "s10",
    "seed_demo_data",
    "tracking_number",
]

Writer = Literal["batches", "commands"]
WRITERS: tuple[Writer, ...] = ("batches", "commands")


class SeedError(RuntimeError):
    """The database cannot take this seed (e.g. the same seed was applied before)."""


@dataclass
class SeedReport:
    customers: int = 0
    products: int = 0
    orders: int = 0
    commands: int = 0
    seconds: float = 0.0
    statuses: Counter[str] = field(default_factory=Counter)

    @property
    def orders_per_second(self) -> float:
        return self.orders / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class Writing:
    """How a shard writes its stories: `workers` at a time (stories, or batches of
    `batch_size` stories), with `writer`."""

    writer: Writer
    workers: int
    batch_size: int = BATCH_SIZE


async def seed_demo_data(
    engine: AsyncEngine,
    *,
    orders: int,
    seed: int = 7,
    concurrency: int = 1,
    processes: int = 1,
    until: datetime = DEFAULT_UNTIL,
    progress: bool = True,
    writer: Writer = "batches",
    batch_size: int = BATCH_SIZE,
) -> SeedReport:
    """Add the catalogue (what is missing of it), register customers and place `orders`
    orders: `concurrency` batches of `batch_size` stories at a time (or single stories
    with the "commands" writer), spread over `processes` processes."""
    if orders < 0 or concurrency < 1 or not 1 <= processes <= concurrency:
        raise ValueError("need orders >= 0 and 1 <= processes <= concurrency")
    if writer not in WRITERS or batch_size < 1:
        raise ValueError(f"need a writer of {WRITERS} and batch_size >= 1")
    started, report = time.perf_counter(), SeedReport()
    products = await _ensure_catalogue(engine, until, report)
    people = plan_customers(seed, max(10, orders // 3), until, await _emails_in_use(engine))
    await _refuse_replay(engine, people[0].id, seed)
    plan = SeedPlan(seed, orders, until, people, products)
    for phase, total in (("customers", len(people)), ("orders", orders)):
        bar = tqdm(total=total, desc=f"seeding {phase}", unit=phase[:-1], disable=not progress)
        try:
            how = Writing(writer, concurrency, batch_size)
            if processes == 1:
                tally = await _play_shard(engine, plan.stories(phase), how, bar.update)
            else:
                tally = await _play_in_processes(engine, plan, phase, how, processes, bar)
        finally:
            bar.close()
        report.commands += tally.pop("commands", 0)
        if phase == "orders":
            report.statuses = tally
    report.customers, report.orders = len(people), orders
    report.commands += report.products
    report.seconds = time.perf_counter() - started
    return report


async def count_orders(engine: AsyncEngine) -> int:
    """How many orders the write store holds (benchmarks reuse a seeded database)."""
    async with engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(orders_table)) or 0)


async def _ensure_catalogue(
    engine: AsyncEngine, until: datetime, report: SeedReport
) -> list[ProductPlan]:
    """Add the products whose SKU is missing; present ones are used as they are now."""
    async with engine.connect() as conn:
        rows = (await conn.execute(select(products.c.sku, products.c.id, products.c.price))).all()
    present = {row.sku: row for row in rows}
    added_at = until - WINDOW - timedelta(days=30)
    plans = []
    for plan in catalogue():
        row = present.get(plan.sku)
        if row is not None:
            plans.append(ProductPlan(row.id, plan.sku, plan.name, plan.category, row.price))
            continue
        command = AddProduct(
            sku=plan.sku,
            name=plan.name,
            price=plan.price,
            currency=CURRENCY,
            category=plan.category,
        )
        await _play(engine, Step(added_at, command, plan.id))
        report.products += 1
        plans.append(plan)
    return plans


async def _emails_in_use(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        return set((await conn.execute(select(customers.c.email))).scalars())


async def _refuse_replay(engine: AsyncEngine, first_customer: str, seed: int) -> None:
    query = select(func.count()).select_from(customers).where(customers.c.id == first_customer)
    async with engine.connect() as conn:
        if await conn.scalar(query):
            raise SeedError(f"seed {seed} was applied to this database before; use another --seed")


async def _play_shard(
    engine: AsyncEngine, stories: Iterator[Story], how: Writing, done: Callable[[int], object]
) -> Counter[str]:
    """`how.workers` tasks share one iterator of stories or batches (next() never awaits,
    so each is taken once) and write each; returns statuses and commands."""
    tally: Counter[str] = Counter()

    async def story_worker() -> None:
        for story in stories:
            for step in story.steps:
                await _play(engine, step)
            tally[story.status] += 1
            tally["commands"] += len(story.steps)
            done(1)

    writer, chunks = SeedWriter(engine), batches(stories, how.batch_size)

    async def batch_worker() -> None:
        for batch in chunks:
            played = await writer.write(batch)
            tally.update(story.status for story in batch)
            tally["commands"] += played.commands
            done(len(batch))

    worker = story_worker if how.writer == "commands" else batch_worker
    try:
        async with asyncio.TaskGroup() as group:
            for _ in range(how.workers):
                group.create_task(worker())
    except ExceptionGroup as failed:  # one worker's error stops the others; report it
        raise failed.exceptions[0] from None
    return tally


async def _play_in_processes(
    engine: AsyncEngine, plan: SeedPlan, phase: str, how: Writing, processes: int, bar: tqdm
) -> Counter[str]:
    """Shard the stories over `processes` spawned processes with their own engines."""
    context = multiprocessing.get_context("spawn")  # no fork of a running event loop
    url = engine.url.render_as_string(hide_password=False)
    counter = context.Value("q", 0)
    results = context.Queue()
    workers = how.workers
    shares = [workers // processes + (i < workers % processes) for i in range(processes)]
    children = [
        context.Process(
            target=_shard_main,
            args=(url, plan, phase, i, processes, replace(how, workers=n), counter, results),
        )
        for i, n in enumerate(shares)
    ]
    for child in children:
        child.start()
    tally: Counter[str] = Counter()
    try:
        for _ in children:
            outcome = await _next_result(results, children, counter, bar)
            if isinstance(outcome, str):
                raise SeedError(f"a seeding process failed: {outcome}")
            tally += outcome
    finally:
        for child in children:
            if child.is_alive():
                child.terminate()
            child.join()
    bar.update(counter.value - bar.n)
    return tally


async def _next_result(results: Any, children: list[Any], counter: Any, bar: tqdm) -> Any:
    """The next shard's outcome, moving the bar meanwhile; an error if all died silently."""
    while True:
        bar.update(counter.value - bar.n)
        with contextlib.suppress(queue.Empty):
            return results.get_nowait()
        if not any(child.is_alive() for child in children):
            with contextlib.suppress(queue.Empty):
                return results.get(timeout=1)
            return "every seeding process has exited without a result"
        await asyncio.sleep(0.25)


def _shard_main(
    url: str,
    plan: SeedPlan,
    phase: str,
    shard: int,
    shards: int,
    how: Writing,
    counter: Any,
    results: Any,
) -> None:
    """A seeding process: play one shard, put its tally (or the error) on `results`."""

    def done(n: int) -> None:
        with counter.get_lock():
            counter.value += n

    async def run() -> Counter[str]:
        engine = create_engine(url)
        try:
            return await _play_shard(engine, plan.stories(phase, shard, shards), how, done)
        finally:
            await engine.dispose()

    try:
        results.put(asyncio.run(run()))
    except BaseException as exc:
        results.put(f"{type(exc).__name__}: {exc}")
        raise


async def _play(engine: AsyncEngine, step: Step) -> None:
    """One command in its own transaction, stamped with the step's time and planned id."""

    def new_id() -> str:
        if step.new_id is None:
            raise RuntimeError(f"{type(step.command).__name__} asked for an unplanned id")
        return step.new_id

    await CommandBus(engine, clock=lambda: step.at, new_id=new_id).dispatch(
        step.command, SEED_ACTOR
    )
