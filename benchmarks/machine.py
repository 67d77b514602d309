"""Where and with what a run was made: machine, load, versions (for RESULTS.md)."""

from __future__ import annotations

import importlib.metadata
import os
import platform
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from benchmarks.dataset import dsn

PACKAGES = (
    "strawberry-graphql",
    "graphql-core",
    "starlette",
    "uvicorn",
    "sqlalchemy",
    "asyncpg",
    "opensearch-py",
    "elasticsearch",
    "aiohttp",
    "pydantic",
)


@dataclass
class Machine:
    cores: int
    memory_gb: float
    cpu: str
    system: str
    load_at_start: tuple[float, float, float]
    load_at_end: tuple[float, float, float] | None = None
    versions: dict[str, str] = field(default_factory=dict)

    def load_text(self) -> str:
        start = " ".join(f"{x:.2f}" for x in self.load_at_start)
        if self.load_at_end is None:
            return start
        end = " ".join(f"{x:.2f}" for x in self.load_at_end)
        return f"{start} at the start, {end} at the end"


def describe_machine() -> Machine:
    return Machine(
        cores=os.cpu_count() or 0,
        memory_gb=_memory_gb(),
        cpu=_cpu_model(),
        system=f"{platform.system()} {platform.release()}",
        load_at_start=os.getloadavg(),
    )


async def collect_versions(machine: Machine, database_url: str, engine: str) -> None:
    """Python, PostgreSQL, the search engine and the key packages."""
    conn = await asyncpg.connect(dsn(database_url))
    try:
        postgres = str(await conn.fetchval("SHOW server_version"))
        fsync = str(await conn.fetchval("SHOW fsync"))
        synchronous = str(await conn.fetchval("SHOW synchronous_commit"))
    finally:
        await conn.close()
    machine.versions = {
        "Python": platform.python_version(),
        "PostgreSQL": f"{postgres} (fsync={fsync}, synchronous_commit={synchronous})",
        "search engine": engine,
    }
    for package in PACKAGES:
        try:
            machine.versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            continue


def _memory_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"
