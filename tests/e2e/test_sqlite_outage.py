"""The SQLite file becomes unusable under a running `orders serve`, then usable again:
made read-only (chmod) and writable, or moved away and back. Meanwhile mutations are
UNAVAILABLE and write nothing, queries answer from the index and `/ready` says why;
afterwards mutations succeed without a restart and the projector catches up."""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import httpx
import pytest

from tests.e2e.outage_kit import (
    Shop,
    database_outage,
    database_recovered,
    orders_serve,
    sqlite_counts,
)

pytestmark = [pytest.mark.search]


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "data" / "orders.db"


@pytest.fixture
def api(
    database: Path, tmp_path: Path, search_url: str, index_prefix: str
) -> Iterator[httpx.Client]:
    database.parent.mkdir()
    env = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "SEARCH_URL": search_url,
        "INDEX_PREFIX": index_prefix,
    }
    with orders_serve(env, tmp_path / "serve.log", without_root_powers=True) as served:
        yield served.client


def _placed_three(api: httpx.Client) -> Shop:
    shop = Shop(api)
    for _ in range(3):
        assert "errors" not in shop.place()
    assert shop.count_orders() == 3
    return shop


def test_a_read_only_file_then_writable_again(api: httpx.Client, database: Path) -> None:
    shop = _placed_three(api)
    counts = partial(sqlite_counts, database)
    os.chmod(database, 0o444)
    database_outage(shop, "read-only", counts)
    os.chmod(database, 0o644)
    database_recovered(shop, counts, "sqlite")


# One server per scenario. Known defect, not yet fixed: read-only and then moved in the
# same process sometimes (about one run in eight) leaves writes failing with
# SQLITE_READONLY past the recovery bound, as if SQLite's shared per-file state kept the
# read-only phase.
def test_a_moved_file_then_back(api: httpx.Client, database: Path) -> None:
    shop = _placed_three(api)
    counts = partial(sqlite_counts, database)
    away = database.with_name("elsewhere.db")
    os.rename(database, away)
    database_outage(shop, "SQLITE_CANTOPEN", None)
    assert not database.exists(), "an empty database was created in the file's place"
    os.rename(away, database)
    database_recovered(shop, counts, "sqlite")
