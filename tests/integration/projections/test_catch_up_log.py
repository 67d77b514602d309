"""A projector working through a backlog says how far it is, then that it caught up."""

from __future__ import annotations

import asyncio
import logging

import pytest

from projections import catch_up
from tests.integration.projections.test_projector import make_history
from tests.support.world import World

pytestmark = pytest.mark.anyio


async def test_a_backlog_is_reported_while_it_is_worked_through(
    world: World, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_history(world, orders=12)  # some 40 events, a backlog of batches of 5
    monkeypatch.setattr(catch_up, "REPORT_INTERVAL", 0.0)
    projector = world.new_projector(batch_size=5, poll_interval=0.05)
    stop = asyncio.Event()
    caplog.set_level(logging.INFO, logger="projections")
    running = asyncio.create_task(projector.run_forever(stop))
    try:
        for _ in range(400):  # at most 20 s
            if any("caught up" in r.getMessage() for r in caplog.records):
                break
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await running
    lines = [r.getMessage() for r in caplog.records if r.name == "projections.runner"]
    progress = [line for line in lines if "catching up" in line]
    assert progress, lines
    assert progress[0].startswith(f"projection {projector.projection.name} catching up [")
    assert lines[-1] == f"projection {projector.projection.name} caught up"
