"""Log configuration shared by the CLI and every API worker process."""

from __future__ import annotations

import logging

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: str = "INFO") -> None:
    """Root handler at `level`; the search clients' and Alembic's chatter only when DEBUG."""
    logging.basicConfig(level=level, format=FORMAT)
    if level != "DEBUG":  # per-request client logs and Alembic chatter drown the rest
        for noisy in ("opensearch", "elastic_transport", "elasticsearch", "alembic"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
        # A 404 for an index or document that does not exist yet is an answer, not news;
        # failures that matter are logged by the projector itself.
        for client in ("opensearch", "elastic_transport"):
            logging.getLogger(client).setLevel(logging.ERROR)
