"""`/metrics` in Prometheus text format: HTTP request counts and latencies, and the
in-process projector's numbers (projections/metrics.py), one registry per app."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import Metric
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from projections.metrics import ProjectorMetrics

# Known paths keep their name; anything else is "other", so label values stay bounded.
KNOWN_PATHS = frozenset({"/graphql", "/health", "/ready", "/metrics"})


class ProjectorCollector(Collector):
    """Asks the in-process projectors (one per projection) for their metric families at
    scrape time (none before the lifespan has started them); a family several of them
    report is one family with each projection's labelled samples."""

    def __init__(self, metrics: Callable[[], list[ProjectorMetrics]]) -> None:
        self._metrics = metrics

    def collect(self) -> Iterator[Metric]:
        merged: dict[str, Metric] = {}
        for metrics in self._metrics():
            for family in metrics.collect():
                into = merged.setdefault(
                    family.name, Metric(family.name, family.documentation, family.type)
                )
                into.samples.extend(family.samples)
        return iter(merged.values())


class HttpMetrics:
    """Request counter and latency histogram, plus the ASGI middleware that feeds them."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "orders_http_requests",
            "HTTP requests by method, path and status",
            ["method", "path", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "orders_http_request_seconds",
            "HTTP request latency by method and path",
            ["method", "path"],
            registry=registry,
        )


class MetricsMiddleware:
    """Counts and times every HTTP request (WebSocket sessions are not requests)."""

    def __init__(self, app: ASGIApp, metrics: HttpMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"] if scope["path"] in KNOWN_PATHS else "other"
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        started = time.perf_counter()
        try:
            await self.app(scope, receive, capture)
        finally:
            elapsed = time.perf_counter() - started
            self.metrics.latency.labels(scope["method"], path).observe(elapsed)
            self.metrics.requests.labels(scope["method"], path, str(status)).inc()


def metrics_endpoint(registry: CollectorRegistry) -> Callable[[Request], Any]:
    async def metrics(request: Request) -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return metrics
