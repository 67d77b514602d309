"""Which failures are worth retrying, and how long to wait before the next try.

One rule for the projector, the rebuild and the dead-letter retry: the search engine is
unreachable or overloaded (`SearchError.transient`: no answer, 429, 5xx) or the database
is away (`DatabaseUnavailable` and the driver's connection errors). Anything else is an
answer to this request (a bad query, a bug) that the same request gets again.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import InterfaceError, OperationalError

from database.engine import DatabaseUnavailable
from search_engine.client import SearchError

log = logging.getLogger(__name__)

BACKOFF_BASE = 0.2  # seconds before the first retry
BACKOFF_CAP = 5.0  # never wait longer than this between retries

T = TypeVar("T")


def transient(error: BaseException) -> bool:
    """True when the same work may succeed later, unchanged."""
    if isinstance(error, SearchError):
        return error.transient
    return isinstance(
        error, DatabaseUnavailable | OperationalError | InterfaceError | OSError | TimeoutError
    )


def backoff_delay(failures: int, base: float = BACKOFF_BASE, cap: float = BACKOFF_CAP) -> float:
    """Capped exponential backoff with jitter: uniform in [d/2, d], d = min(cap, base·2^n)."""
    ceiling = min(cap, base * 2.0 ** max(failures - 1, 0))
    return ceiling / 2 + random.random() * ceiling / 2


async def retrying(action: Callable[[], Awaitable[T]], what: str) -> T:
    """Run `action` until it succeeds, waiting with backoff after each transient failure;
    any other failure is raised at once."""
    failures = 0
    while True:
        try:
            return await action()
        except Exception as error:
            if not transient(error):
                raise
            failures += 1
            delay = backoff_delay(failures)
            log.warning("%s failed (%d), retrying in %.1fs: %s", what, failures, delay, error)
            await asyncio.sleep(delay)
