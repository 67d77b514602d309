"""A document the engine rejects for good is parked in the dead-letter table, the projector
goes on with the others, and the operator re-projects it after fixing the cause."""

from __future__ import annotations

from decimal import Decimal

import pytest

from commands.messages import DeliverOrder, PayOrder, ShipOrder
from projections import dead_letters
from read_model import names
from read_model.mapping import index_body, index_meta
from tests.integration.engine.engine_testkit import (
    assert_index_equals_oracle,
    orders_cli,
    project_everything,
)
from tests.support.actors import STAFF
from tests.support.world import World

pytestmark = [pytest.mark.anyio, pytest.mark.search]


async def break_the_mapping(world: World) -> str:
    """Serve an index whose strict mapping lacks `shipment.trackingNumber`, as a faulty
    mapping release would: every shipped order's document is rejected with a 400."""
    body = index_body()
    del body["mappings"]["properties"]["shipment"]["properties"]["trackingNumber"]
    body["mappings"]["_meta"] = index_meta()
    broken = names.physical_index(world.prefix, 0, "broken")
    await world.search.create_index(broken, body)
    current = await world.search.alias_targets(world.prefix)
    await world.search.swap_alias(world.prefix, broken, current)
    for index in current:
        await world.search.delete_index(index)
    return broken


async def test_a_rejected_document_is_parked_and_retried_after_the_fix(
    world: World,
    database_url: str,
    search_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    broken = await break_the_mapping(world)
    ana = await world.customer("Ana Souza", "ana@example.com")
    mug = await world.product("MUG-1", "Blue Mug", "9.50", "kitchen")
    placed = [(await world.order(ana, [(mug, 1)])).id for _ in range(6)]
    shipped = placed[:2]
    for order_id in shipped:
        await world.bus.dispatch(PayOrder(order_id, amount=Decimal("9.50")), STAFF)
        await world.bus.dispatch(ShipOrder(order_id, carrier="DHL", tracking_number="1Z999"), STAFF)
    await world.bus.dispatch(PayOrder(placed[2], amount=Decimal("9.50")), STAFF)

    await project_everything(world)

    parked = await dead_letters.listing(world.engine, world.prefix)
    assert sorted(d.order_id for d in parked) == sorted(shipped)
    assert {d.index_name for d in parked} == {broken}
    assert all("400" in d.reason and "strict" in d.reason for d in parked)
    assert world.projector.metrics.dead_letters >= 2  # counts rejections, replays included
    indexed, oracle = await world.indexed(), await world.oracle()
    for order_id in placed[2:]:  # everyone else got projected, the batch went on
        assert indexed[order_id] == oracle[order_id]
    for order_id in shipped:
        assert order_id not in indexed or indexed[order_id]["shipment"] is None

    urls = (database_url, search_url, world.prefix)
    capsys.readouterr()
    assert await orders_cli(monkeypatch, urls, "status") == 0
    assert "dead letters  2" in capsys.readouterr().out
    assert await orders_cli(monkeypatch, urls, "dead-letters") == 0
    listing = capsys.readouterr().out
    assert all(order_id in listing for order_id in shipped) and "2 dead letter(s)" in listing

    # The fix: the mapping learns the field (an additive change needs no rebuild).
    await world.search.put_mapping(
        broken, {"shipment": {"properties": {"trackingNumber": {"type": "keyword"}}}}
    )
    # A later event re-projects one parked order: that clears its dead letter by itself.
    await world.bus.dispatch(DeliverOrder(shipped[0]), STAFF)
    await project_everything(world)
    assert [d.order_id for d in await dead_letters.listing(world.engine, world.prefix)] == [
        shipped[1]
    ]

    assert await orders_cli(monkeypatch, urls, "dead-letters", "retry", "--all") == 0
    assert "re-projected 1 order(s); still rejected: 0" in capsys.readouterr().out
    assert await dead_letters.listing(world.engine, world.prefix) == []
    assert await world.search.alias_targets(world.prefix) == [broken]
    fixed = await world.queries.get_order(shipped[1], STAFF)
    shipment = None if fixed is None else fixed["shipment"]
    assert shipment is not None and shipment["trackingNumber"] == "1Z999"
    await assert_index_equals_oracle(world)
