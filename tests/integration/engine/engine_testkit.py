"""Helpers for the projection-engine tests: traffic, waiting for the index, projector processes."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest

import cli
from commands.messages import (
    CancelOrder,
    Command,
    DeliverOrder,
    PayOrder,
    ShipOrder,
    UpdateCustomer,
    UpdateProduct,
)
from positions import ORIGIN, Position, decode_token
from projections import source
from read_model.progress import read_progress
from tests.support.actors import STAFF
from tests.support.world import World

ROOT = Path(__file__).resolve().parents[3]


class Traffic:
    """Writers placing orders and moving them through their lifecycle, plus fan-out edits."""

    def __init__(self, world: World, seed: int = 1) -> None:
        self.world = world
        self.rng = random.Random(seed)
        self.customers: list[str] = []
        self.products: list[tuple[str, Decimal]] = []
        self.last = ORIGIN  # the highest position any write returned
        self.writes = 0

    async def setup(self, customers: int = 6, products: int = 6) -> None:
        tag = f"{self.rng.randrange(16**6):06x}"
        for i in range(customers):
            self.customers.append(
                await self.world.customer(f"Buyer {i} {tag}", f"buyer{i}.{tag}@example.com")
            )
        for i in range(products):
            price = Decimal(self.rng.randrange(200, 5000)) / 100
            pid = await self.world.product(f"SKU-{tag}-{i}", f"Thing {i}", str(price), "misc")
            self.products.append((pid, price))

    def _saw(self, token: str) -> None:
        self.last = max(self.last, decode_token(token))
        self.writes += 1

    async def story(self) -> None:
        """One order: placed, then maybe paid, shipped, delivered or cancelled (1-4 events)."""
        rng = self.rng
        picks = rng.sample(self.products, rng.randint(1, 2))
        quantities = [rng.randint(1, 3) for _ in picks]
        placed = await self.world.order(
            rng.choice(self.customers),
            [(p, q) for (p, _), q in zip(picks, quantities, strict=True)],
        )
        self._saw(placed.position)
        total = sum(
            (price * q for (_, price), q in zip(picks, quantities, strict=True)), Decimal(0)
        )
        fate = rng.random()
        bus = self.world.bus
        if fate < 0.15:
            self._saw((await bus.dispatch(CancelOrder(placed.id, reason="no"), STAFF)).position)
            return
        if fate < 0.3:
            return
        self._saw((await bus.dispatch(PayOrder(placed.id, amount=total), STAFF)).position)
        if fate < 0.5:
            return
        ship = ShipOrder(placed.id, carrier="DHL", tracking_number=f"T{rng.randrange(10**9)}")
        self._saw((await bus.dispatch(ship, STAFF)).position)
        if fate < 0.75:
            self._saw((await bus.dispatch(DeliverOrder(placed.id), STAFF)).position)

    async def fan_out(self) -> None:
        """Rename a customer or a product: every order showing it changes."""
        if self.rng.random() < 0.5:
            customer = self.rng.choice(self.customers)
            change: Command = UpdateCustomer(customer, name=f"Renamed {self.rng.randrange(10**6)}")
        else:
            product, _ = self.rng.choice(self.products)
            change = UpdateProduct(product, name=f"Renamed thing {self.rng.randrange(10**6)}")
        self._saw((await self.world.bus.dispatch(change, STAFF)).position)

    async def run(
        self,
        stop: asyncio.Event,
        writers: int = 3,
        max_events: int | None = None,
        pause: float = 0.0,
    ) -> None:
        """Write until `stop` is set (or about `max_events` events were written)."""

        async def writer() -> None:
            while not stop.is_set() and (max_events is None or self.writes < max_events):
                if self.rng.random() < 0.05:
                    await self.fan_out()
                else:
                    await self.story()
                await asyncio.sleep(pause)

        await asyncio.gather(*(writer() for _ in range(writers)))


async def head(world: World) -> Position:
    async with world.engine.connect() as conn:
        return await source.head(conn)


async def wait_for_progress(world: World, target: Position, within: float) -> float:
    """Seconds until the alias' published progress reaches `target`; AssertionError if never."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        if await read_progress(world.search, world.prefix) >= target:
            return time.monotonic() - started
        await asyncio.sleep(0.1)
    reached = await read_progress(world.search, world.prefix)
    raise AssertionError(f"progress {tuple(reached)} did not reach {tuple(target)} in {within}s")


async def project_everything(world: World, within: float = 60) -> None:
    """Run the test's projector until it has passed our last event.

    `run_until_caught_up` alone can stop early on a shared PostgreSQL server: the
    snapshot horizon is cluster-wide, so another database's open transaction holds
    it back for a moment.
    """
    target = await head(world)
    deadline = time.monotonic() + within
    while await read_progress(world.search, world.prefix) < target:
        assert time.monotonic() < deadline, f"projection never reached {tuple(target)}"
        if not await world.projector.run_until_caught_up():
            await asyncio.sleep(0.05)


async def assert_index_equals_oracle(world: World) -> None:
    indexed = await world.indexed()
    oracle = await world.oracle()
    assert sorted(indexed) == sorted(oracle), "the index holds other orders than the tables"
    differing = [order_id for order_id in oracle if indexed[order_id] != oracle[order_id]]
    assert differing == [], f"{len(differing)} documents differ, e.g. {differing[:3]}"


async def orders_cli(
    monkeypatch: pytest.MonkeyPatch, world_urls: tuple[str, str, str], *argv: str
) -> int:
    """Run `orders ...` in a thread (it starts its own event loop), env pointing at our world."""
    database_url, search_url, prefix = world_urls
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SEARCH_URL", search_url)
    monkeypatch.setenv("INDEX_PREFIX", prefix)
    return await asyncio.to_thread(cli.main, ["--log-level", "WARNING", *argv])


def projector_env(database_url: str, search_url: str, prefix: str, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SEARCH_URL": search_url,
        "INDEX_PREFIX": prefix,
        "PROJECTOR_BATCH_SIZE": "100",
        "PROJECTOR_POLL_INTERVAL": "0.1",
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env


@contextmanager
def projector_processes(env: dict[str, str], log_dir: Path) -> Iterator[ProcessPool]:
    pool = ProcessPool(env, log_dir)
    try:
        yield pool
    finally:
        pool.stop_all()


class ProcessPool:
    """Standalone `orders projector` processes we start, kill -9 and reap."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.log_dir = log_dir
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        log = (self.log_dir / f"projector-{len(self.started)}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "cli", "projector"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.started.append(process)
        return process

    @staticmethod
    def kill(process: subprocess.Popen[bytes]) -> None:
        """kill -9: no clean-up of any kind in the victim."""
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.terminate()
        for process in self.started:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
            for path in sorted(self.log_dir.glob("projector-*.log"))
        )
