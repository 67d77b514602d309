"""The read side's one expected failure: a request the client got wrong."""

from __future__ import annotations


class InvalidQuery(ValueError):
    """Bad cursor, page size, sort, filter value, search text or consistency token."""


class ReadForbidden(PermissionError):
    """A signed-in principal asked for a read that is not theirs to make (staff only)."""
