"""The CQRS split, enforced (docs/ARCHITECTURE.md §1): the read side never imports the
write store, the write side never imports the read side or a search client, and the
projector and the queries meet only in the read-model contract (`read_model/`)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FORBIDDEN = {
    "queries": {
        "commands",
        "database",
        "sqlalchemy",
        "asyncpg",
        "aiosqlite",
        "alembic",
        "projections",
    },
    "projections": {"queries", "schema"},
    # The domain model is plain Python: rules and events, no database, no search engine.
    "commands/model": {
        "sqlalchemy",
        "asyncpg",
        "aiosqlite",
        "alembic",
        "database",
        "commands.repositories",
        "search_engine",
        "queries",
        "projections",
        "schema",
    },
    "read_model": {
        "commands",
        "database",
        "projections",
        "queries",
        "schema",
        "sqlalchemy",
        "asyncpg",
        "aiosqlite",
        "alembic",
    },
    "commands": {
        "demo",
        "queries",
        "projections",
        "search_engine",
        "elasticsearch",
        "opensearchpy",
        "schema",
    },
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def top_level(module: str) -> str:
    return module.split(".", 1)[0]


def is_forbidden(module: str, forbidden: set[str]) -> bool:
    """A top-level package of the set, or a dotted module of it (and its submodules)."""
    return top_level(module) in forbidden or any(
        module == name or module.startswith(f"{name}.") for name in forbidden if "." in name
    )


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_keeps_to_its_side(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"{package}/ has no modules"
    violations = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in files
        for module in imported_modules(path)
        if is_forbidden(module, FORBIDDEN[package])
    ]
    assert violations == []


def test_dotted_entries_forbid_a_module_and_its_submodules() -> None:
    rules = {"database.tables", "sqlalchemy"}
    assert is_forbidden("database.tables", rules)
    assert is_forbidden("sqlalchemy.ext.asyncio", rules)
    assert not is_forbidden("commands.messages", rules)
    assert not is_forbidden("database.tablesx", rules)


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import sqlalchemy\nfrom database.tables import orders\n")
    assert {top_level(m) for m in imported_modules(bad)} == {"sqlalchemy", "database"}
