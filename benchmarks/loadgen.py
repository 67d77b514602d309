"""The load generator: asyncio + aiohttp (or asyncpg) in a process of its own.

A *job* is a picklable object with `async run() -> result`; `run_in_child(job)` runs it in a
fresh spawned process (so the generator never shares a core's event loop with the API or
the benchmark's own bookkeeping) and returns its result. The child ignores Ctrl-C: every
job is bounded in time and count and ends by itself, and the benchmark stops the child by
its PID if it has to.

`ClosedLoad` is the closed-loop generator used for a service path and its limit alike:
`concurrency` workers, each sending its next request when the previous one answered, for
`warmup` seconds unmeasured and then `seconds` measured (the answers that arrive in the
measured window count; throughput is their number divided by the window's length).
"""

from __future__ import annotations

import asyncio
import itertools
import math
import multiprocessing
import signal
import time
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any, Protocol

from benchmarks.operations import Failed, OperationSpec, open_operation

CHILD_GRACE = 120.0  # seconds a child may take beyond its job's own bound (start-up, close)


class Job(Protocol):
    @property
    def bound(self) -> float:
        """The longest the job may run, in seconds."""
        ...

    async def run(self) -> Any: ...


@dataclass
class LoadResult:
    """Latencies (seconds) of the successful requests, failures by reason, window length."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.count / self.elapsed if self.elapsed > 0 else 0.0

    def percentile(self, q: float) -> float | None:
        """The q-quantile (0..1) in seconds, nearest rank; None without data."""
        return percentile(self.latencies, q)

    def fail(self, reason: str) -> None:
        self.errors += 1
        self.reasons[reason[:160]] += 1


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass(frozen=True)
class ClosedLoad:
    """`concurrency` workers over `operation`: `warmup` seconds, then `seconds` measured."""

    operation: OperationSpec
    concurrency: int
    seconds: float
    warmup: float = 1.0
    max_requests: int = 2_000_000
    timeout: float = 30.0
    min_samples: int = 20  # a window this short for slow requests is stretched to hold these

    @property
    def bound(self) -> float:
        return self.warmup + 2 * self.seconds + 2 * self.timeout

    async def run(self) -> LoadResult:
        """Answers that arrive inside the window count (throughput = those / the window);
        the window closes after `seconds`, or later once `min_samples` answers are in (at
        most `seconds + timeout` later). Requests still in flight then are not counted."""
        operation = await open_operation(self.operation, self.concurrency)
        counter = itertools.count()
        answers: list[tuple[float, float]] = []  # (answered at, latency)
        failures: list[tuple[float, str]] = []
        start = time.perf_counter()
        window_from = start + self.warmup
        window_until = window_from + self.seconds
        hard_stop = window_until + self.seconds + self.timeout
        closed: list[float] = []  # the moment the window closed, once it has

        def open_at(now: float) -> bool:
            if closed:
                return False
            if now < window_until:
                return True
            inside = sum(1 for at, _ in answers if at >= window_from)
            if inside >= self.min_samples or now >= hard_stop:
                closed.append(now)
                return False
            return True

        async def worker() -> None:
            while open_at(sent := time.perf_counter()):
                i = next(counter)
                if i >= self.max_requests:
                    return
                try:
                    async with asyncio.timeout(self.timeout):
                        await operation(i)
                except Failed as failure:
                    failures.append((time.perf_counter(), str(failure)))
                except TimeoutError:
                    failures.append((time.perf_counter(), f"no answer in {self.timeout:.0f} s"))
                except Exception as error:  # a load generator reports, it does not crash
                    failures.append((time.perf_counter(), f"{type(error).__name__}: {error}"))
                else:
                    done = time.perf_counter()
                    answers.append((done, done - sent))

        try:
            await asyncio.gather(*(worker() for _ in range(self.concurrency)))
        finally:
            await operation.close()
        until = closed[0] if closed else time.perf_counter()
        result = LoadResult(elapsed=max(until - window_from, 1e-9))
        result.latencies = [took for at, took in answers if window_from <= at <= until]
        for at, reason in failures:
            if window_from <= at <= until:
                result.fail(reason)
        return result


def _child_main(job: Job, connection: Connection) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop us
    try:
        try:
            import uvloop

            result = uvloop.run(job.run())
        except ImportError:
            result = asyncio.run(job.run())
        connection.send(("ok", result))
    except BaseException as error:
        connection.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        connection.close()


async def run_in_child(job: Job) -> Any:
    """Run `job` in a spawned process and return its result (RuntimeError if it failed)."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child_main, args=(job, sender), name="bench-load")
    child.start()
    sender.close()
    try:
        deadline = time.monotonic() + job.bound + CHILD_GRACE
        while not receiver.poll():
            if not child.is_alive() and not receiver.poll():
                raise RuntimeError(f"the load generator died (exit code {child.exitcode})")
            if time.monotonic() > deadline:
                raise RuntimeError("the load generator overran its bound")
            await asyncio.sleep(0.05)
        status, payload = receiver.recv()
        child.join(30)
    finally:
        receiver.close()
        if child.is_alive():  # interrupted, failed or overran: stop it by its PID
            child.kill()
            child.join()
    if status != "ok":
        raise RuntimeError(f"the load generator failed: {payload}")
    return payload
