"""The session's real servers answer: the search node and the PostgreSQL cluster."""

from __future__ import annotations

import os

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url


@pytest.mark.search
def test_the_search_node_answers(search_url: str) -> None:
    info = httpx.get(search_url, timeout=10, trust_env=False).raise_for_status().json()
    if "SEARCH_URL" not in os.environ:  # our own node; SEARCH_URL may be Elasticsearch
        assert info["version"]["distribution"] == "opensearch"
    assert info["version"]["number"]


@pytest.mark.postgres
@pytest.mark.anyio
async def test_postgres_answers(postgres_server_url: str) -> None:
    dsn = make_url(postgres_server_url).set(drivername="postgresql")
    connection = await asyncpg.connect(dsn.render_as_string(hide_password=False))
    try:
        assert await connection.fetchval("select 1") == 1
    finally:
        await connection.close()
