"""The relevance dataset, seeded once and searchable on the real node for a whole module.

Seeding 2,000 orders through the command path takes 40-90 s on two cores, so the seeded
SQLite file is cached across sessions under ~/.cache/orders-relevance, keyed by a hash of
everything that decides its rows (the write side's code and migrations, the dataset
module). Indexing is never cached: every run projects the rows into a fresh index with the
current mappings, which is what the relevance tests are about.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from benchmarks import relevance_dataset
from benchmarks.judgments import Judgment, load_judgments
from benchmarks.workbench import Bench, catch_up
from database.engine import create_engine
from queries.handlers import OrderQueries
from read_model.indices import drop_all
from search_engine.client import SearchClient
from tests.integration.relevance.relevance_testkit import Searchable

ROOT = Path(__file__).resolve().parents[3]
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "orders-relevance"


def dataset_fingerprint() -> str:
    """Changes whenever the code that writes the dataset's rows changes."""
    digest = hashlib.sha256()
    sources = sorted((ROOT / "commands").rglob("*.py"))
    sources.append(ROOT / "benchmarks" / "relevance_dataset.py")
    for path in sources:
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _copy_database(source: Path, target: Path) -> None:
    for suffix in ("", "-wal"):
        origin = source.with_name(source.name + suffix)
        if origin.exists():
            shutil.copyfile(origin, target.with_name(target.name + suffix))


async def _seed(url: str) -> None:
    engine = create_engine(url)
    try:
        await relevance_dataset.seed_dataset(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
async def relevance_database(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> str:
    """A SQLite database holding the dataset: a copy of the cached one, seeded if missing."""
    cached = CACHE / f"relevance-{dataset_fingerprint()}.db"
    if not cached.exists():
        building = tmp_path_factory.mktemp("relevance-build") / "orders.db"
        _copy_database(sqlite_template, building)
        await _seed(f"sqlite+aiosqlite:///{building}")
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = cached.with_name(f"{cached.name}.{uuid.uuid4().hex}.tmp")
        shutil.copyfile(building, partial)  # the engine is disposed: the WAL is checkpointed
        os.replace(partial, cached)  # atomic, so a parallel session never sees half a file
    target = tmp_path_factory.mktemp("relevance") / "orders.db"
    _copy_database(cached, target)
    return f"sqlite+aiosqlite:///{target}"


@pytest.fixture(scope="module")
async def searchable(relevance_database: str, search_url: str) -> AsyncIterator[Searchable]:
    """The dataset projected into a fresh index of its own, and its oracle documents."""
    prefix = f"t-rel-{uuid.uuid4().hex[:8]}"
    engine = create_engine(relevance_database)
    search = await SearchClient.connect(search_url)
    try:
        # Big batches: fewer refreshes; the projector's batching is not what is tested here.
        await catch_up(Bench(engine, search, prefix), fresh=True, batch_size=5000, progress=False)
        documents = await relevance_dataset.oracle(engine)
        yield Searchable(OrderQueries(search, prefix), documents)
    finally:
        await drop_all(search, prefix)
        await search.close()
        await engine.dispose()


@pytest.fixture(scope="module")
def judgments() -> list[Judgment]:
    return load_judgments()
