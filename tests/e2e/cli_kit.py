"""What the tests of the `orders` commands share: running one in a directory of the test's
own on embedded defaults, and that directory's search node data."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from search_engine.java import SearchNodeError, find_java
from tests.conftest import SEARCH_NODE_CACHE

NODE_DIR = ".search-node"  # the default SEARCH_NODE_DIR, relative to the directory


def embedded_env(port: int, **more: str | None) -> dict[str, str]:
    """Our environment on embedded defaults (no SEARCH_URL, ./orders.db, ./.search-node),
    the node on `port`, with `more` over it (None unsets)."""
    unset = ("SEARCH_URL", "DATABASE_URL", "SEARCH_NODE_DIR", "INDEX_PREFIX")
    env: dict[str, str | None] = {**os.environ, **dict.fromkeys(unset)}
    env |= {"SEARCH_NODE_PORT": str(port), "SEARCH_NODE_HEAP": "512m", "PYTHONUNBUFFERED": "1"}
    env |= more
    return {name: value for name, value in env.items() if value is not None}


def orders(directory: Path, env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """An `orders` command run in `directory`, to its end."""
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=directory,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def prepare_node_dir(directory: Path) -> Path:
    """`directory/.search-node` with the node's resolved classpath (spares a Maven run);
    skips the test without Java."""
    try:
        find_java()
    except SearchNodeError as error:
        pytest.skip(f"no Java for a local search node: {error}")
    node_dir = directory / NODE_DIR
    node_dir.mkdir()
    for resolved in SEARCH_NODE_CACHE.glob("classpath-*.txt"):
        shutil.copy(resolved, node_dir)
    return node_dir
