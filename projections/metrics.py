"""The projector's own numbers and health, as plain in-process counters and gauges.

No metrics library here: `/metrics` (Prometheus) and `/ready` read these objects.
`samples()` lists every value as (name, kind, help, labels, value), which is all a
Prometheus collector needs; the histogram buckets are cumulative, as Prometheus
expects.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

BATCH_SIZE_BUCKETS = (1, 5, 10, 50, 100, 500, 1000, 5000)
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

Sample = tuple[str, str, str, dict[str, str], float]


@dataclass
class Histogram:
    buckets: tuple[float, ...]
    counts: list[int] = field(default_factory=list)
    total: float = 0.0
    count: int = 0

    def __post_init__(self) -> None:
        self.counts = [0] * len(self.buckets)

    def observe(self, value: float) -> None:
        self.count += 1
        self.total += value
        for i, bound in enumerate(self.buckets):
            if value <= bound:
                self.counts[i] += 1

    def samples(self, name: str, help_text: str, labels: dict[str, str]) -> Iterator[Sample]:
        for bound, count in zip(self.buckets, self.counts, strict=True):
            yield (f"{name}_bucket", "histogram", help_text, {**labels, "le": f"{bound:g}"}, count)
        yield (f"{name}_bucket", "histogram", help_text, {**labels, "le": "+Inf"}, self.count)
        yield (f"{name}_sum", "histogram", help_text, labels, self.total)
        yield (f"{name}_count", "histogram", help_text, labels, self.count)


@dataclass
class ProjectorMetrics:
    """Counters since process start, plus the projector's current health."""

    projection: str
    events_projected: int = 0
    batches: int = 0
    documents_indexed: int = 0
    errors: int = 0
    dead_letters: int = 0
    batch_sizes: Histogram = field(default_factory=lambda: Histogram(BATCH_SIZE_BUCKETS))
    bulk_seconds: Histogram = field(default_factory=lambda: Histogram(LATENCY_BUCKETS))
    # health
    role: str = "starting"  # starting | active | standby | stopped
    index: str | None = None
    consecutive_failures: int = 0
    last_error: str | None = None
    failing_since: float | None = None
    last_success: float | None = None
    lag_events: int | None = None  # refreshed by whoever asks for the lag
    lag_seconds: float | None = None

    def batch_done(self, events: int, documents: int) -> None:
        self.batches += 1
        self.events_projected += events
        self.documents_indexed += documents
        self.batch_sizes.observe(events)
        self.consecutive_failures = 0
        self.failing_since = None
        self.last_success = time.time()

    def idle(self) -> None:
        """A pass that found nothing to do also proves the pipeline works."""
        self.consecutive_failures = 0
        self.failing_since = None
        self.last_success = time.time()

    def failed(self, error: BaseException) -> None:
        self.errors += 1
        self.consecutive_failures += 1
        self.last_error = f"{type(error).__name__}: {error}"[:500]
        if self.failing_since is None:
            self.failing_since = time.time()

    @property
    def degraded(self) -> bool:
        return self.consecutive_failures > 0

    def health(self) -> dict[str, Any]:
        """What `/ready` shows about the in-process projector."""
        status = "degraded" if self.degraded else ("ok" if self.role == "active" else self.role)
        body: dict[str, Any] = {"status": status, "role": self.role, "index": self.index}
        if self.degraded:
            body["failures"] = self.consecutive_failures
            body["error"] = self.last_error
            body["failingForSeconds"] = round(time.time() - (self.failing_since or time.time()), 1)
        return body

    def samples(self) -> Iterator[Sample]:
        labels = {"projection": self.projection}
        counters = [
            ("events_projected", self.events_projected, "Events projected into the index"),
            ("batches", self.batches, "Batches written and checkpointed"),
            ("documents_indexed", self.documents_indexed, "Order documents written"),
            ("errors", self.errors, "Failed batches (each one retried)"),
            ("dead_letters", self.dead_letters, "Documents the engine rejected for good"),
        ]
        for name, value, help_text in counters:
            yield (f"orders_projector_{name}_total", "counter", help_text, labels, value)
        yield (
            "orders_projector_active",
            "gauge",
            "1 while this process leads the projection",
            labels,
            1.0 if self.role == "active" else 0.0,
        )
        yield (
            "orders_projector_degraded",
            "gauge",
            "1 while batches keep failing (retrying with backoff)",
            labels,
            1.0 if self.degraded else 0.0,
        )
        if self.lag_events is not None:
            yield (
                "orders_projector_lag_events",
                "gauge",
                "Events not yet projected",
                labels,
                self.lag_events,
            )
        if self.lag_seconds is not None:
            yield (
                "orders_projector_lag_seconds",
                "gauge",
                "Age of the oldest unprojected event",
                labels,
                self.lag_seconds,
            )
        yield from self.batch_sizes.samples(
            "orders_projector_batch_events", "Events per batch", labels
        )
        yield from self.bulk_seconds.samples(
            "orders_projector_bulk_seconds", "Bulk request latency", labels
        )
