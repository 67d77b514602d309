"""The projector's own numbers and health: counters and gauges it keeps as plain values
(its health reads them), and histograms from prometheus_client.

`/metrics` (Prometheus) and `/ready` read these objects; `collect()` gives every value as
a Prometheus metric family, labelled with the projection's name.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

BATCH_SIZE_BUCKETS = (1, 5, 10, 50, 100, 500, 1000, 5000)
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
LABELS = ["projection"]


@dataclass
class ProjectorMetrics:
    """Counters since process start, plus the projector's current health."""

    projection: str
    events_projected: int = 0
    batches: int = 0
    documents_indexed: int = 0
    errors: int = 0
    dead_letters: int = 0
    # health
    role: str = "starting"  # starting | active | standby | stopped
    index: str | None = None
    consecutive_failures: int = 0
    last_error: str | None = None
    failing_since: float | None = None
    last_success: float | None = None
    lag_events: int | None = None  # refreshed by whoever asks for the lag
    lag_seconds: float | None = None
    # A registry of its own: several projectors (tests, a rebuild) never share series.
    _histograms: CollectorRegistry = field(
        default_factory=lambda: CollectorRegistry(auto_describe=False), repr=False
    )

    def __post_init__(self) -> None:
        self.batch_sizes = Histogram(
            "orders_projector_batch_events",
            "Events per batch",
            LABELS,
            buckets=BATCH_SIZE_BUCKETS,
            registry=self._histograms,
        ).labels(self.projection)
        self.bulk_seconds = Histogram(
            "orders_projector_bulk_seconds",
            "Bulk request latency",
            LABELS,
            buckets=LATENCY_BUCKETS,
            registry=self._histograms,
        ).labels(self.projection)

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

    def collect(self) -> Iterator[Metric]:
        """Every value as a Prometheus metric family (for a custom collector)."""
        counters = [
            ("events_projected", self.events_projected, "Events projected into the index"),
            ("batches", self.batches, "Batches written and checkpointed"),
            ("documents_indexed", self.documents_indexed, "Order documents written"),
            ("errors", self.errors, "Failed batches (each one retried)"),
            ("dead_letters", self.dead_letters, "Documents the engine rejected for good"),
        ]
        for name, value, help_text in counters:
            counter = CounterMetricFamily(f"orders_projector_{name}", help_text, labels=LABELS)
            counter.add_metric([self.projection], value)
            yield counter
        gauges: list[tuple[str, str, float | None]] = [
            ("active", "1 while this process leads the projection", float(self.role == "active")),
            (
                "degraded",
                "1 while batches keep failing (retrying with backoff)",
                float(self.degraded),
            ),
            ("lag_events", "Events not yet projected", self.lag_events),
            ("lag_seconds", "Age of the oldest unprojected event", self.lag_seconds),
        ]
        for name, help_text, reading in gauges:
            if reading is None:  # the lag is known once someone asked for it
                continue
            gauge = GaugeMetricFamily(f"orders_projector_{name}", help_text, labels=LABELS)
            gauge.add_metric([self.projection], reading)
            yield gauge
        yield from self._histograms.collect()
