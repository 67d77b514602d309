"""Everything the benchmark runs on, brought up by itself and torn down on any exit.

- a throwaway PostgreSQL cluster with production durability (fsync and synchronous
  commit on; `tools.postgres_cluster.DURABLE_OPTIONS`) holding one migrated database;
- a local OpenSearch node on a free port in 9200-9299, its data under the run's temp dir;
- the API as `orders serve` in processes of its own (`Api`), started and stopped by phase.

`await Stack.up(exits)` registers every teardown on an ExitStack, so an error or Ctrl-C anywhere
still stops each process by its PID and deletes the temp dir.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import asyncpg

from benchmarks.dataset import dsn
from benchmarks.processes import Child, command_line, peak_rss_mb, wait_for_http
from database.migrate import upgrade
from identity import Principal
from identity.tokens import TokenIssuer
from search_engine.node import PORTS, PortInUseError, SearchNode, pick_free_port
from tools.postgres_cluster import DURABLE_OPTIONS, PostgresCluster, free_port

ROOT = Path(__file__).resolve().parents[1]
DATABASE = "bench"
PREFIX = "bench"
NODE_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "orders-search-node"


def orders_command() -> list[str]:
    """The `orders` console script of this interpreter, else `python -m cli`."""
    script = Path(sys.executable).with_name("orders")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "cli"]


@dataclass
class Stack:
    work: Path
    postgres: PostgresCluster
    node: SearchNode
    database_url: str
    prefix: str = PREFIX
    auth_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    @property
    def headers(self) -> tuple[tuple[str, str], ...]:
        """What each GraphQL request sends: JSON, and a staff token (reads every order)."""
        issuer = TokenIssuer("HS256", self.auth_secret)
        token = issuer.issue(Principal.staff("orders-bench"), timedelta(hours=12))
        return (
            ("Content-Type", "application/json"),
            ("Accept", "application/json"),
            ("Authorization", f"Bearer {token}"),
        )

    @property
    def search_url(self) -> str:
        return self.node.url

    def env(self, **extra: str) -> dict[str, str]:
        """The service's settings for a child process (see settings.py)."""
        return {
            "DATABASE_URL": self.database_url,
            "SEARCH_URL": self.search_url,
            "INDEX_PREFIX": self.prefix,
            "AUTH_SECRET": self.auth_secret,
            **extra,
        }

    @classmethod
    async def up(cls, exits: contextlib.ExitStack, heap: str) -> Stack:
        work = Path(tempfile.mkdtemp(prefix="orders-bench-"))
        exits.callback(shutil.rmtree, work, True)
        print("starting PostgreSQL (fsync on) and an OpenSearch node ...", flush=True)
        postgres = PostgresCluster.start(DURABLE_OPTIONS)
        exits.callback(postgres.stop)
        node = _start_node(work / "search-node", heap)
        exits.callback(node.stop)
        url = postgres.url.rsplit("/", 1)[0] + f"/{DATABASE}"
        await _create_database(postgres.url, url)
        print(f"PostgreSQL on port {postgres.port}, OpenSearch at {node.url}", flush=True)
        return cls(work, postgres, node, url)


def _start_node(data_dir: Path, heap: str, attempts: int = 3) -> SearchNode:
    for attempt in range(attempts):
        node = SearchNode(
            port=pick_free_port(PORTS),
            data_dir=data_dir,
            heap=heap,
            cluster_name="orders-bench",
            cache_dir=NODE_CACHE,
        )
        try:
            return node.start()
        except PortInUseError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


async def _create_database(admin_url: str, url: str) -> None:
    conn = await asyncpg.connect(dsn(admin_url))
    try:
        await conn.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        await conn.close()
    await upgrade(url)


def serve_supports_workers() -> bool:
    """Whether `orders serve` has `--workers` (it is being added while this is written)."""
    result = subprocess.run(
        [*orders_command(), "serve", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    return "--workers" in result.stdout


class Api:
    """`orders serve` on 127.0.0.1 in its own process(es); a context manager."""

    def __init__(self, stack: Stack, workers: int, projector: bool = True) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.graphql = f"{self.url}/graphql"
        self.headers = stack.headers
        self.workers_asked = workers
        self.workers_flag = serve_supports_workers()
        command = [*orders_command(), "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        if self.workers_flag:
            command += ["--workers", str(workers)]
        env = stack.env(PROJECTOR_ENABLED="true" if projector else "false")
        log = stack.work / f"api-{self.port}.log"
        self.child = Child("orders serve", command, log, env=env, cwd=ROOT)

    def __enter__(self) -> Api:
        try:
            wait_for_http(f"{self.url}/health", self.child, timeout=120)
        except BaseException:
            self.child.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.child.stop()

    def worker_pids(self) -> list[int]:
        """The processes serving requests: uvicorn's workers, or the server itself."""
        workers = [
            pid
            for pid in self.child.descendants()
            if "spawn_main" in command_line(pid) or "multiprocessing.spawn" in command_line(pid)
        ]
        return workers or [self.child.pid]

    def worker_peaks_mb(self) -> list[float]:
        return [mb for pid in self.worker_pids() if (mb := peak_rss_mb(pid)) is not None]

    def describe(self) -> str:
        if self.workers_flag:
            return f"{self.workers_asked} worker(s) (`orders serve --workers {self.workers_asked}`)"
        return "1 process (`orders serve` has no --workers yet)"
