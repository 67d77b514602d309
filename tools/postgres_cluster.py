"""A throwaway PostgreSQL cluster from the machine's server binaries (tests and benchmarks).

The test suite runs it without durability (`TEST_OPTIONS`: fsync off), the benchmark with
the production defaults (`DURABLE_OPTIONS`: fsync and synchronous commit on).

initdb refuses to run as root, so as root every server command runs as the `postgres` OS
user (created by Debian's postgresql package) on a directory it owns.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SERVER_BINARIES = ("initdb", "pg_ctl", "postgres")
BASE_OPTIONS = "-c listen_addresses=127.0.0.1 -c max_connections=200"
# Nothing in a test database needs to survive a crash: skip every flush.
TEST_OPTIONS = f"{BASE_OPTIONS} -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
# PostgreSQL's own defaults for durability, as a production server runs.
DURABLE_OPTIONS = f"{BASE_OPTIONS} -c fsync=on -c synchronous_commit=on -c full_page_writes=on"


def find_bindir() -> Path:
    """The directory with initdb, pg_ctl and postgres: pg_config's, else the newest Debian one."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        )
        candidates.append(Path(result.stdout.strip()))
    candidates += sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda path: [int(part) for part in path.parent.name.split(".") if part.isdigit()],
        reverse=True,
    )
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)
    for bindir in candidates:
        if all((bindir / name).is_file() for name in SERVER_BINARIES):
            return bindir
    raise RuntimeError(
        "no PostgreSQL server binaries (initdb, pg_ctl, postgres) found: install Debian's "
        "`postgresql` package, or point TEST_POSTGRES_URL at a server"
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PostgresCluster:
    """A cluster in `base` (data/, the unix socket, postgres.log), trust auth, user postgres."""

    bindir: Path
    base: Path
    port: int = 0
    options: str = TEST_OPTIONS

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    @classmethod
    def start(cls, options: str = TEST_OPTIONS) -> PostgresCluster:
        """initdb into a new temporary directory and start the server on a free port.

        `options` are the server's `-c name=value` settings (TEST_OPTIONS, DURABLE_OPTIONS).
        """
        # /tmp, not pytest's 0700 tmp dirs: the postgres user must reach it, and unix
        # socket paths must stay short.
        base = Path(tempfile.mkdtemp(prefix="orders-pg-", dir="/tmp"))
        cluster = cls(find_bindir(), base, options=options)
        try:
            if os.geteuid() == 0:
                owner = _postgres_user()
                os.chown(cluster.base, owner.pw_uid, owner.pw_gid)
            cluster._run(
                "initdb",
                "-D",
                "data",
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            )
            cluster._start_on_a_free_port()
        except BaseException:
            shutil.rmtree(cluster.base, ignore_errors=True)
            raise
        return cluster

    def stop(self) -> None:
        """Stop at once (nothing here needs to survive) and delete every file."""
        try:
            self._run("pg_ctl", "-D", "data", "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)

    def _start_on_a_free_port(self, attempts: int = 3) -> None:
        for attempt in range(attempts):
            self.port = free_port()
            options = f"-p {self.port} -k {self.base} {self.options}"
            try:
                self._run(
                    "pg_ctl",
                    "-D",
                    "data",
                    "-l",
                    "postgres.log",
                    "-w",
                    "-t",
                    "60",
                    "-o",
                    options,
                    "start",
                )
                return
            except RuntimeError:
                if attempt == attempts - 1:  # else the port was probably taken meanwhile
                    raise

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bindir / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(
            command,
            cwd=self.base,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            log = self.base / "postgres.log"
            tail = log.read_text(errors="replace")[-3000:] if log.is_file() else ""
            raise RuntimeError(
                f"{program} failed ({result.returncode}):\n{result.stdout}{result.stderr}{tail}"
            )


def _postgres_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        raise RuntimeError(
            "running as root, but there is no `postgres` OS user to run the test cluster as: "
            "install Debian's `postgresql` package"
        ) from None
