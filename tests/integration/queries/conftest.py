"""Read-side fixtures on the session's real search node (`search_url` in tests/conftest.py)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from read_model.document import OrderDocument
from read_model.indices import drop_all, ensure_index
from read_model.names import alias
from search_engine.client import SearchClient
from tests.integration.queries import relevance_testdata
from tests.integration.queries.queries_testdata import ORDER_DOCUMENTS


@pytest.fixture
async def search(search_url: str) -> AsyncIterator[SearchClient]:
    client = await SearchClient.connect(search_url)
    yield client
    await client.close()


@pytest.fixture
async def prefix(search: SearchClient) -> AsyncIterator[str]:
    """A unique index prefix; everything under it is deleted afterwards."""
    name = f"t-{uuid.uuid4().hex[:10]}"
    yield name
    await drop_all(search, name)


@pytest.fixture(scope="module")
async def loaded(search_url: str) -> AsyncIterator[tuple[SearchClient, str]]:
    """One index holding ORDER_DOCUMENTS, shared by a module's read-only tests."""
    async with _index_of(search_url, ORDER_DOCUMENTS) as loaded:
        yield loaded


@pytest.fixture(scope="module")
async def relevance(search_url: str) -> AsyncIterator[tuple[SearchClient, str]]:
    """One index holding the relevance documents, shared by a module's read-only tests."""
    async with _index_of(search_url, relevance_testdata.DOCUMENTS) as loaded:
        yield loaded


@asynccontextmanager
async def _index_of(
    search_url: str, documents: list[OrderDocument]
) -> AsyncIterator[tuple[SearchClient, str]]:
    client = await SearchClient.connect(search_url)
    name = f"t-{uuid.uuid4().hex[:10]}"
    try:
        await ensure_index(client, name)
        docs = [(doc["id"], doc) for doc in documents]
        await client.bulk_index(alias(name), docs, refresh=True)
        yield client, name
    finally:
        await drop_all(client, name)
        await client.close()
