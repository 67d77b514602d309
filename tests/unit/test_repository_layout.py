"""The README's layout table names every top-level entry of the repository and nothing
that is not there, and no module grows past the size a reader can hold in mind."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_MODULE_LINES = 400
NOT_IN_TABLE = {"README.md", ".gitignore"}  # the table's own file, and VCS bookkeeping


def tracked_top_level() -> set[str]:
    listed = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return {path.split("/", 1)[0] for path in listed} - NOT_IN_TABLE


def table_entries() -> set[str]:
    """Each backticked path in the first column of the README's layout table (the one
    headed `| path | holds |`, up to the first line that is not a row)."""
    readme = (ROOT / "README.md").read_text()
    table = readme.split("| path | holds |\n", 1)[1].split("\n\n", 1)[0]
    cells = [line.split("|")[1] for line in table.splitlines() if line.startswith("| `")]
    names = {name for cell in cells for name in re.findall(r"`([^`]+)`", cell)}
    return {name.rstrip("/").split("/", 1)[0] for name in names}


def test_the_layout_table_matches_the_tree() -> None:
    tracked, listed = tracked_top_level(), table_entries()
    assert {"commands", "database", "read_model", "server.py"} <= listed
    assert tracked - listed == set(), "in the tree, missing from the README's layout table"
    assert listed - tracked == set(), "in the README's layout table, not in the tree"


def test_no_module_is_over_the_size_limit() -> None:
    too_long = {
        str(path.relative_to(ROOT)): lines
        for path in ROOT.rglob("*.py")
        if not {".venv", ".git", "build"} & set(path.relative_to(ROOT).parts)
        and (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert too_long == {}
