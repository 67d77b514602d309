"""Log lines: JSON with the request id; a client's mistake is one INFO line, a fault an ERROR."""

from __future__ import annotations

import json
import logging

import pytest
from asgi_correlation_id import correlation_id

from logging_setup import configure_logging
from schema.error_log import OrdersSchema
from schema.mutations import Mutation
from schema.queries import Query


@pytest.fixture(autouse=True)
def restore_logging() -> object:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield None
    root.handlers[:] = handlers
    root.setLevel(level)


def test_json_lines_carry_the_request_id(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", "json")
    token = correlation_id.set("req-7")
    try:
        logging.getLogger("orders.test").info("placed %s", "o-1", extra={"color_message": "x"})
    finally:
        correlation_id.reset(token)
    logging.getLogger("orders.test").warning("outside a request")
    inside, outside = (json.loads(line) for line in capsys.readouterr().err.splitlines())
    assert {k: inside[k] for k in ("level", "logger", "message", "requestId")} == {
        "level": "INFO",
        "logger": "orders.test",
        "message": "placed o-1",
        "requestId": "req-7",
    }
    assert "color_message" not in inside
    assert (outside["level"], outside["requestId"]) == ("WARNING", "-")


@pytest.mark.anyio
async def test_a_clients_mistake_is_one_info_line(caplog: pytest.LogCaptureFixture) -> None:
    schema = OrdersSchema(query=Query, mutation=Mutation)
    with caplog.at_level(logging.INFO):
        result = await schema.execute("{ orders { nope } }")
    assert result.errors
    [record] = [r for r in caplog.records if r.name.startswith(("orders", "strawberry"))]
    assert (record.levelno, record.exc_info) == (logging.INFO, None)
    assert "GRAPHQL_VALIDATION_FAILED" in record.getMessage()


@pytest.mark.anyio
async def test_a_fault_of_ours_is_an_error_with_its_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    schema = OrdersSchema(query=Query, mutation=Mutation)
    with caplog.at_level(logging.INFO):
        result = await schema.execute('{ order(id: "o-1") { id } }')  # no context: a fault
    assert result.errors
    [record] = [r for r in caplog.records if r.name.startswith(("orders", "strawberry"))]
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None
