"""The state file of a local search node: where it answers and which process owns it.

The process that starts a node for a data directory (`orders serve`, `orders search-node`, or
any command that found none running) writes `<data dir>/running.json` once the node is ready
and removes it when it stops cleanly. Every other command on embedded defaults reads it and,
when that owner is alive and the URL answers, uses the node rather than starting a second
JVM on the same port and data. A file whose owner died, or whose URL does not answer, is
stale: it is ignored, and replaced by the next owner.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

STATE_FILE = "running.json"
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(frozen=True)
class RunningNode:
    url: str
    port: int
    pid: int  # the owning process (which supervises the JVM), not the JVM itself


def state_path(data_dir: Path) -> Path:
    return Path(data_dir) / STATE_FILE


def write_state(data_dir: Path, node: RunningNode) -> None:
    """Write the state file atomically (a reader sees the old file or the new one whole)."""
    path = state_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{STATE_FILE}.{os.getpid()}.tmp")
    partial.write_text(json.dumps(asdict(node)) + "\n")
    os.replace(partial, path)


def read_state(data_dir: Path) -> RunningNode | None:
    """The recorded node, or None when there is no file or it cannot be read as one."""
    try:
        found = json.loads(state_path(data_dir).read_text())
        node = RunningNode(url=str(found["url"]), port=int(found["port"]), pid=int(found["pid"]))
    except (OSError, ValueError, TypeError, KeyError):
        return None
    return node


def remove_state(data_dir: Path, pid: int) -> None:
    """Remove the state file if it still names `pid` (a later owner may have replaced it)."""
    recorded = read_state(data_dir)
    if recorded is not None and recorded.pid == pid:
        with contextlib.suppress(FileNotFoundError):
            state_path(data_dir).unlink()


def pid_alive(pid: int) -> bool:
    """True when process `pid` exists and has not exited (a zombie counts as dead)."""
    if pid <= 0:  # 0 and negatives address process groups, never one owner
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    if sys.platform == "linux":
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return False
        return stat.rpartition(")")[2].split()[:1] != ["Z"]
    return True


def answers(url: str, timeout: float = 3.0) -> bool:
    """True when `GET url/` answers 200 with a search engine's JSON (a `version` object)."""
    try:
        with _NO_PROXY.open(url.rstrip("/") + "/", timeout=timeout) as response:
            body = json.load(response)
    except (OSError, ValueError, http.client.HTTPException):  # refused, 5xx, not JSON
        return False
    return isinstance(body, dict) and isinstance(body.get("version"), dict)


def find_running(data_dir: Path) -> RunningNode | None:
    """The node recorded for `data_dir` if its owner is alive and it answers; else None."""
    recorded = read_state(data_dir)
    if recorded is None or not pid_alive(recorded.pid) or not answers(recorded.url):
        return None
    return recorded


@contextlib.contextmanager
def advertised(data_dir: Path, url: str, port: int) -> Iterator[RunningNode]:
    """Record this process as the owner of the node at `url` for as long as the block runs."""
    owner = RunningNode(url=url, port=port, pid=os.getpid())
    write_state(data_dir, owner)
    try:
        yield owner
    finally:
        remove_state(data_dir, owner.pid)
