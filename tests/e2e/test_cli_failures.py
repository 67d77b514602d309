"""The `orders` commands when something they need is missing or taken: one clear line on
stderr, a non-zero exit, never a traceback; and `orders status` only reads."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from database.engine import create_engine
from projections import registry
from search_engine.node import pick_free_port
from search_engine.node_state import STATE_FILE
from tests.conftest import TEST_NODE_PORTS, run_async, scratch_database
from tests.e2e.cli_kit import embedded_env, orders, prepare_node_dir
from tests.e2e.conftest import free_port

COMMANDS = {
    "status": ["status"],
    "rebuild": ["rebuild", "--no-progress"],
    "dead-letters": ["dead-letters", "retry", "--all"],
    "projector": ["projector"],
}


def failure_line(result: subprocess.CompletedProcess[str]) -> str:
    """The one line a failed command printed about its failure (asserting it is only one)."""
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("orders: ")]
    assert len(lines) == 1, result.stderr
    return lines[0].removeprefix("orders: ")


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port of the node range that something else listens on."""
    with socket.socket() as other:
        # A port the previous case listened on may linger in TIME_WAIT: reuse it, and try
        # the range's other free ports if one is taken between the check and the bind.
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        for _ in range(10):
            try:
                other.bind(("127.0.0.1", pick_free_port(TEST_NODE_PORTS)))
                break
            except OSError:
                continue
        else:
            pytest.fail("no port of the node range could be bound")
        other.listen()
        yield int(other.getsockname()[1])


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_no_database_file_is_said_and_none_is_created(tmp_path: Path, command: list[str]) -> None:
    env = embedded_env(pick_free_port(TEST_NODE_PORTS))
    line = failure_line(orders(tmp_path, env, *command))
    assert line == (
        "no database yet (`orders migrate` or `orders serve` creates it): "
        "sqlite+aiosqlite:///./orders.db"
    )
    assert sorted(path.name for path in tmp_path.iterdir()) == []  # no file, no node data


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_a_node_port_taken_by_another_program_is_said(
    tmp_path: Path, sqlite_url: str, taken_port: int, command: list[str]
) -> None:
    env = embedded_env(taken_port, DATABASE_URL=sqlite_url)
    assert failure_line(orders(tmp_path, env, *command)) == (
        f"port {taken_port} is already in use by another process: set SEARCH_NODE_PORT to a "
        "free port (9200-9299), or SEARCH_URL to a running engine"
    )


def test_an_unreachable_search_engine_is_said(tmp_path: Path, sqlite_url: str) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    env = embedded_env(9200, SEARCH_URL=url, DATABASE_URL=sqlite_url)
    line = failure_line(orders(tmp_path, env, "status"))
    assert line.startswith(f"the search engine is unreachable at {url}: "), line


def test_an_unreachable_database_is_said_without_its_password(tmp_path: Path) -> None:
    port = free_port()  # no PostgreSQL there
    env = embedded_env(
        9200,
        DATABASE_URL=f"postgresql+asyncpg://orders:s3cret@127.0.0.1:{port}/orders",
        SEARCH_URL=f"http://127.0.0.1:{free_port()}",
    )
    line = failure_line(orders(tmp_path, env, "status"))
    assert (
        line
        == f"the database is unreachable: postgresql+asyncpg://orders:***@127.0.0.1:{port}/orders"
    )


def test_a_search_node_that_cannot_start_is_said(tmp_path: Path, sqlite_url: str) -> None:
    node_dir = prepare_node_dir(tmp_path).absolute()
    # A heap no machine has: the JVM exits at once.
    env = embedded_env(pick_free_port(TEST_NODE_PORTS), DATABASE_URL=sqlite_url)
    env["SEARCH_NODE_HEAP"] = "100000g"
    line = failure_line(orders(tmp_path, env, "status"))
    assert line == f"the search node's JVM exited with code 1 (log: {node_dir / 'node.log'})"
    assert not (node_dir / STATE_FILE).exists()


@pytest.mark.search
def test_status_on_a_fresh_directory_reports_no_index_and_creates_nothing(
    tmp_path: Path, search_url: str, index_prefix: str
) -> None:
    env = embedded_env(9200, SEARCH_URL=search_url, INDEX_PREFIX=index_prefix, AUTH_SECRET=None)
    migrated = orders(tmp_path, env, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    files = sorted(path.name for path in tmp_path.iterdir())

    status = orders(tmp_path, env, "status")
    assert status.returncode == 0, status.stderr
    # One line per registered projection, each under its own alias.
    assert status.stdout.splitlines() == [
        f"projection    {projection.name}: no index yet (no alias "
        f"{projection.prefix(index_prefix)}); `orders serve` or `orders projector` creates it"
        for projection in registry.PROJECTIONS
    ]
    assert status.stdout.splitlines()[0] == (
        f"projection    orders: no index yet (no alias {index_prefix}); `orders serve` or "
        "`orders projector` creates it"
    )
    with httpx.Client(base_url=search_url, timeout=30, trust_env=False) as engine:
        listed = engine.get(f"/_cat/indices/{index_prefix}*", params={"format": "json"})
        assert listed.status_code == 200 and listed.json() == [], listed.text
        assert engine.get(f"/_alias/{index_prefix}").status_code == 404
    assert sorted(path.name for path in tmp_path.iterdir()) == files  # no token key written


@pytest.fixture
def unmigrated_postgres_url(postgres_server_url: str) -> Iterator[str]:
    """A PostgreSQL database that exists but was never migrated (no tables)."""
    with scratch_database(postgres_server_url) as url:
        yield url


@pytest.mark.postgres
@pytest.mark.parametrize(
    "command",
    [*COMMANDS.values(), ["dead-letters"]],
    ids=[*COMMANDS.keys(), "dead-letters-listing"],
)
def test_a_database_without_tables_is_said_and_left_alone(
    tmp_path: Path, unmigrated_postgres_url: str, command: list[str]
) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # never reached: the database is checked first
    env = embedded_env(9200, DATABASE_URL=unmigrated_postgres_url, SEARCH_URL=url)
    line = failure_line(orders(tmp_path, env, *command))
    hidden = make_url(unmigrated_postgres_url).render_as_string(hide_password=True)
    assert line == f"the database has no tables (run `orders migrate`): {hidden}"
    assert run_async(_tables(unmigrated_postgres_url)) == []


async def _tables(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(lambda sync: inspect(sync).get_table_names())
    finally:
        await engine.dispose()
