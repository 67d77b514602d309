"""`/metrics` speaks Prometheus text: HTTP traffic and the in-process projector."""

from __future__ import annotations

import time

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

pytestmark = [pytest.mark.search]

REGISTER = """
mutation { registerCustomer(input: {name: "Mia Holm", email: "mia@example.com"}) {
  customerId position userErrors { code } } }"""


def scrape(api: httpx.Client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = api.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def test_metrics_count_requests_and_projection(api: httpx.Client) -> None:
    body = api.post("/graphql", json={"query": REGISTER}).json()
    assert body["data"]["registerCustomer"]["userErrors"] == []
    api.get("/health")

    deadline = time.monotonic() + 10
    while True:
        samples = scrape(api)
        projected = sum(
            v for (n, _), v in samples.items() if n == "orders_projector_events_projected_total"
        )
        if projected >= 1 or time.monotonic() > deadline:
            break
        time.sleep(0.1)

    graphql_posts = (("method", "POST"), ("path", "/graphql"), ("status", "200"))
    assert samples[("orders_http_requests_total", graphql_posts)] == 1
    health = (("method", "GET"), ("path", "/health"), ("status", "200"))
    assert samples[("orders_http_requests_total", health)] == 1
    assert projected >= 1
    assert any(n == "orders_http_request_seconds_bucket" for n, _ in samples)
    assert any(n == "orders_projector_bulk_seconds_count" for n, _ in samples)
