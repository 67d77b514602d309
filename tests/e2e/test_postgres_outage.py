"""PostgreSQL shuts down under a running API, then starts again: mutations are UNAVAILABLE
meanwhile and write nothing, queries answer from the index and `/ready` says why; once it
is back, writes succeed without a restart and the projector catches up. On a throwaway
cluster of the test's own, since it stops it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import _admin, migrate, run_async, with_database
from tests.e2e.conftest import serve
from tests.e2e.outage_kit import Shop, database_outage, database_recovered
from tools.postgres_cluster import PostgresCluster

pytestmark = [pytest.mark.search, pytest.mark.postgres]


@pytest.fixture(scope="module")
def cluster() -> Iterator[PostgresCluster]:
    cluster = PostgresCluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def database_url(cluster: PostgresCluster) -> str:
    name = f"t_{uuid.uuid4().hex}"
    run_async(_admin(cluster.url, f'CREATE DATABASE "{name}"'))
    url = with_database(cluster.url, name)
    migrate(url)
    return url


def shut_down(cluster: PostgresCluster) -> None:
    """A fast shutdown: sessions are ended (57P01), new connections refused; data kept."""
    cluster._run("pg_ctl", "-D", "data", "-m", "fast", "-w", "stop")


def start_again(cluster: PostgresCluster) -> None:
    options = f"-p {cluster.port} -k {cluster.base} {cluster.options}"
    cluster._run("pg_ctl", "-D", "data", "-l", "postgres.log", "-w", "-o", options, "start")


def counts(database_url: str) -> dict[str, int]:
    async def count() -> dict[str, int]:
        dsn = make_url(database_url).set(drivername="postgresql")
        connection = await asyncpg.connect(dsn.render_as_string(hide_password=False))
        try:
            return {
                table: int(await connection.fetchval(f"SELECT count(*) FROM {table}"))
                for table in ("orders", "events")
            }
        finally:
            await connection.close()

    return run_async(count())


def test_postgres_shut_down_then_started_again(
    cluster: PostgresCluster, database_url: str, search_url: str, index_prefix: str
) -> None:
    with serve(database_url, search_url, index_prefix) as api:
        shop = Shop(api)
        for _ in range(3):
            assert "errors" not in shop.place()
        assert shop.count_orders() == 3
        before = counts(database_url)

        shut_down(cluster)
        database_outage(shop, "unreachable", None)  # nothing to count on while it is down
        start_again(cluster)
        assert counts(database_url) == before  # the refused mutations wrote nothing
        database_recovered(shop, lambda: counts(database_url), "postgresql")
