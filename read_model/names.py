"""Index names derived from the configured prefix; shared by the projector and the queries."""

from __future__ import annotations


def alias(prefix: str) -> str:
    """The read alias every query targets."""
    return prefix


def progress_index(prefix: str) -> str:
    """A small index holding the published progress (docs/ARCHITECTURE.md, invariant 6)."""
    return f"{prefix}-progress"


def physical_index(prefix: str, mapping_version: int, suffix: str) -> str:
    return f"{prefix}-v{mapping_version}-{suffix}"
