"""Index lifecycle and the search adapter against a real node."""

from __future__ import annotations

import asyncio
import socket

import pytest

from read_model import names
from read_model.indices import drop_all, ensure_index
from read_model.mapping import MAPPING_VERSION, index_body
from search_engine.client import BulkError, SearchClient, SearchUnavailable
from tests.integration.queries.queries_testdata import ORDER_DOCUMENTS

pytestmark = pytest.mark.anyio


async def test_connect_detects_the_engine(search: SearchClient) -> None:
    info = await search.info()
    assert search.engine in ("opensearch", "elasticsearch")
    assert search.version == info["version"]["number"]
    assert await search.ping()


async def test_unreachable_node_is_search_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(SearchUnavailable):
        await SearchClient.connect(f"http://127.0.0.1:{port}", request_timeout=2)


async def test_ensure_index_is_idempotent_under_concurrency(
    search: SearchClient, prefix: str
) -> None:
    results = await asyncio.gather(*(ensure_index(search, prefix) for _ in range(5)))
    assert len(set(results)) == 1
    physical = results[0]
    assert physical.startswith(f"{prefix}-v{MAPPING_VERSION}-")
    assert await search.alias_targets(prefix) == [physical]
    assert await search.index_exists(names.progress_index(prefix))
    assert await ensure_index(search, prefix) == physical
    assert await search.indices(f"{prefix}-v*") == [physical]


async def test_documents_through_the_alias(search: SearchClient, prefix: str) -> None:
    await ensure_index(search, prefix)
    docs = [(doc["id"], doc) for doc in ORDER_DOCUMENTS[:5]]
    await search.bulk_index(prefix, docs, refresh=True)
    assert await search.count(prefix) == 5
    assert await search.count(prefix, {"query": {"term": {"status": "PLACED"}}}) == 1
    assert await search.get(prefix, docs[0][0]) == docs[0][1]
    found = await search.mget(prefix, [docs[1][0], "missing", docs[2][0]])
    assert found == {docs[1][0]: docs[1][1], docs[2][0]: docs[2][1]}
    await search.put_document(prefix, docs[0][0], {**docs[0][1], "version": 9}, refresh=True)
    assert (await search.get(prefix, docs[0][0]) or {})["version"] == 9


async def test_strict_mapping_failures_name_the_item(search: SearchClient, prefix: str) -> None:
    physical = await ensure_index(search, prefix)
    good = ORDER_DOCUMENTS[0]
    with pytest.raises(BulkError) as caught:
        await search.bulk_index(physical, [(good["id"], good), ("bad", {**good, "extra": 1})])
    assert [(doc_id, status) for doc_id, status, _ in caught.value.items] == [("bad", 400)]
    assert "strict" in caught.value.items[0][2]


async def test_swap_alias_is_atomic_and_drop_all_cleans_up(
    search: SearchClient, prefix: str
) -> None:
    old = await ensure_index(search, prefix)
    new = names.physical_index(prefix, MAPPING_VERSION + 1, "rebuild")
    await search.create_index(new, index_body())
    await search.swap_alias(prefix, new, [old])
    assert await search.alias_targets(prefix) == [new]
    assert await ensure_index(search, prefix) == new
    await drop_all(search, prefix)
    for name in (old, new, names.progress_index(prefix)):
        assert not await search.index_exists(name)
    assert await search.alias_targets(prefix) == []
    await search.delete_index(new)  # already gone: fine
