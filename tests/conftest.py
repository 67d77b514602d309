"""Real servers for the whole suite, and a fresh database and index prefix per test.

- `search_url`: SEARCH_URL if set, else a local OpenSearch node started once per session.
- `postgres_server_url`: TEST_POSTGRES_URL if set, else a throwaway PostgreSQL cluster.
- `database_url`: each test runs twice, on SQLite and on PostgreSQL, on a migrated database
  of its own; `sqlite_url` / `postgres_url` pin one backend.
- `index_prefix`: a unique index prefix whose indices are deleted after the test.

Fixtures are synchronous (async work runs in a private event loop), so both plain tests and
`@pytest.mark.anyio` tests can use them.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import shutil
import uuid
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from search_engine.node import PortInUseError, SearchNode, pick_free_port
from tools.postgres_cluster import PostgresCluster

T = TypeVar("T")
# Every app a test builds verifies tokens with this secret (settings read AUTH_SECRET), so
# no test writes an embedded secret file into the working directory.
TEST_AUTH_SECRET = "test-secret-for-the-suite-only-0123456789abcdef"
os.environ.setdefault("AUTH_SECRET", TEST_AUTH_SECRET)
TEST_NODE_PORTS = range(9270, 9300)  # clear of a developer's node on 9200-9269
# Maven's classpath is cached across runs, so only the very first run pays for Maven.
SEARCH_NODE_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / (
    "orders-search-node"
)


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion in a fresh event loop on a worker thread.

    A thread of its own keeps this safe inside an async test's running loop.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def search_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a real search engine: SEARCH_URL, or an OpenSearch node on 9270-9299."""
    if url := os.environ.get("SEARCH_URL"):
        yield url.rstrip("/")
        return
    node = _start_search_node(tmp_path_factory.mktemp("search-node"))
    try:
        yield node.url
    finally:
        node.stop()


def _start_search_node(data_dir: Path, attempts: int = 3) -> SearchNode:
    for attempt in range(attempts):
        node = SearchNode(
            port=pick_free_port(TEST_NODE_PORTS),
            data_dir=data_dir,
            cluster_name="orders-test",
            cache_dir=SEARCH_NODE_CACHE,
        )
        try:
            return node.start()
        except PortInUseError:  # another session took the same port at the same moment
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """SQLAlchemy URL of a PostgreSQL server's admin database (user postgres, trust auth)."""
    if url := os.environ.get("TEST_POSTGRES_URL"):
        yield url
        return
    cluster = PostgresCluster.start()
    try:
        yield cluster.url
    finally:
        cluster.stop()


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def database_url(request: pytest.FixtureRequest) -> str:
    """A fresh, migrated database of the test's own, once on SQLite and once on PostgreSQL."""
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A fresh, migrated SQLite file database (a copy of the session's template)."""
    target = tmp_path / "orders.db"
    for suffix in ("", "-wal"):
        source = sqlite_template.with_name(sqlite_template.name + suffix)
        if source.exists():
            shutil.copyfile(source, target.with_name(target.name + suffix))
    return f"sqlite+aiosqlite:///{target}"


@pytest.fixture
def postgres_url(postgres_server_url: str, postgres_template: str) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database, cloned from the session's template."""
    with scratch_database(postgres_server_url, template=postgres_template) as url:
        yield url


@contextlib.contextmanager
def scratch_database(server_url: str, template: str | None = None) -> Iterator[str]:
    """A new database on the server (a copy of `template`, else empty), dropped after."""
    name = f"t_{uuid.uuid4().hex}"
    copy = f' TEMPLATE "{template}"' if template else ""
    run_async(_admin(server_url, f'CREATE DATABASE "{name}"{copy}'))
    try:
        yield with_database(server_url, name)
    finally:  # IF EXISTS: a test may drop its database itself
        run_async(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated once per session; tests get copies."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    migrate(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_server_url: str) -> Iterator[str]:
    """A database migrated once per session; each test database is a `TEMPLATE` copy of it."""
    name = f"template_{uuid.uuid4().hex}"
    run_async(_admin(postgres_server_url, f'CREATE DATABASE "{name}"'))
    try:
        migrate(with_database(postgres_server_url, name))
        # Copying needs a template nobody is connected to: close leftovers, refuse new ones.
        run_async(
            _admin(
                postgres_server_url,
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'",
                f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false IS_TEMPLATE true',
            )
        )
        yield name
    finally:
        run_async(
            _admin(
                postgres_server_url,
                f'ALTER DATABASE "{name}" WITH IS_TEMPLATE false',
                f'DROP DATABASE "{name}" WITH (FORCE)',
            )
        )


@pytest.fixture
def index_prefix(search_url: str) -> Iterator[str]:
    """A unique index prefix for the test; its indices (`<prefix>*`) are deleted afterwards."""
    prefix = f"t-{uuid.uuid4().hex[:10]}"
    yield prefix
    with httpx.Client(base_url=search_url, timeout=30, trust_env=False) as client:
        # Names, not a wildcard DELETE: Elasticsearch refuses those by default.
        listed = client.get(
            f"/_cat/indices/{prefix}*",
            params={"format": "json", "h": "index", "expand_wildcards": "all"},
        )
        listed.raise_for_status()
        names = [row["index"] for row in listed.json()]
        if names:
            client.delete("/" + ",".join(names)).raise_for_status()


def migrate(url: str) -> None:
    """Bring a database to the newest schema with the project's own migrations."""
    from database.migrate import upgrade  # imported late: tests without a database skip it

    result = upgrade(url)
    if inspect.iscoroutine(result):
        run_async(result)


def with_database(server_url: str, name: str) -> str:
    """The same server URL with another database name."""
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


async def _admin(server_url: str, *statements: str) -> None:
    """Run statements on the server's admin database with asyncpg (no transaction)."""
    dsn = make_url(server_url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()
