"""`/ready` on real servers shows the in-process projector's health and the mapping check."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from composition import ApiWorker, api_worker
from read_model import names
from read_model.mapping import MAPPING_VERSION, index_body
from server import create_app
from settings import load_settings

pytestmark = [pytest.mark.anyio, pytest.mark.search]


@pytest.fixture
async def services(sqlite_url: str, search_url: str, index_prefix: str) -> AsyncIterator[ApiWorker]:
    settings = load_settings(
        database_url=sqlite_url, search_url=search_url, index_prefix=index_prefix
    )
    async with api_worker(settings, search_url, run_projector=False) as started:
        yield started


async def ready(services: ApiWorker) -> tuple[int, dict[str, Any]]:
    app = create_app(services.settings)
    app.state.worker = services  # the lifespan is not run: these services are ours
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as http:
        response = await http.get("/ready")
    return response.status_code, response.json()


async def test_ready_reports_a_degraded_projector_and_a_stale_mapping(
    services: ApiWorker, index_prefix: str
) -> None:
    status, body = await ready(services)
    assert (status, body["status"]) == (200, "ok")
    assert body["projector"] == {"status": "ok", "state": "off"}
    assert body["mapping"]["rebuildNeeded"] is False

    services.projector_running = True
    services.projector.metrics.role = "active"
    services.projector.metrics.failed(ConnectionError("search engine unreachable"))
    status, body = await ready(services)
    assert (status, body["status"]) == (200, "degraded")
    assert body["projector"]["state"] == "degraded"
    assert "unreachable" in body["projector"]["error"]

    services.projector.metrics.idle()  # a clean pass: healthy again
    stale = names.physical_index(index_prefix, MAPPING_VERSION - 1, "old")
    old_body = index_body()
    old_body["mappings"]["_meta"] = {"mapping_version": MAPPING_VERSION - 1}
    await services.search.create_index(stale, old_body)
    await services.search.swap_alias(
        index_prefix, stale, await services.search.alias_targets(index_prefix)
    )
    status, body = await ready(services)
    assert (status, body["status"]) == (200, "degraded")
    assert body["projector"]["state"] == "ok"
    assert body["mapping"]["rebuildNeeded"] is True
    assert "orders rebuild" in body["mapping"]["action"]
