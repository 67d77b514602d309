"""Log configuration shared by the CLI and every API worker process.

`json` (the default for `orders serve` and `orders projector`): one JSON object per line
with time, level, logger, message and the request id of the request being served
(`X-Request-ID`, see server.py), for log shippers. `text`: the same fields for a terminal.
"""

from __future__ import annotations

import logging
from typing import Literal

from asgi_correlation_id import CorrelationIdFilter
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

LogFormat = Literal["json", "text"]
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(correlation_id)s]: %(message)s"
JSON_FIELDS = ["asctime", "levelname", "name", "message", "correlation_id"]
JSON_NAMES = {
    "asctime": "time",
    "levelname": "level",
    "name": "logger",
    "correlation_id": "requestId",
}
SKIPPED = [*RESERVED_ATTRS, "color_message"]  # uvicorn's copy of the message with ANSI colours


def configure_logging(level: str = "INFO", log_format: LogFormat = "text") -> None:
    """Root handler at `level`; the search clients' and Alembic's chatter only when DEBUG."""
    handler = logging.StreamHandler()
    # Sets `correlation_id` (the request id, "-" outside a request) from a context variable.
    handler.addFilter(CorrelationIdFilter(default_value="-"))
    if log_format == "json":
        formatter = JsonFormatter(JSON_FIELDS, rename_fields=JSON_NAMES, reserved_attrs=SKIPPED)
        handler.setFormatter(formatter)
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    if level != "DEBUG":  # per-request client logs and Alembic chatter drown the rest
        for noisy in ("opensearch", "elastic_transport", "elasticsearch", "alembic"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
        # A 404 for an index or document that does not exist yet is an answer, not news;
        # failures that matter are logged by the projector itself.
        for client in ("opensearch", "elastic_transport"):
            logging.getLogger(client).setLevel(logging.ERROR)
        # A client's malformed X-Request-ID is replaced, not news worth a WARNING each.
        logging.getLogger("asgi_correlation_id").setLevel(logging.ERROR)
