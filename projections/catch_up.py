"""Progress of a projection working through a backlog (a new projection replaying the log
from its origin, or one that was down): a log line at most every `interval` seconds
with how far it is and about how long is left, so whoever added a projection to a
running system sees it catch up while the others go on."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

REPORT_INTERVAL = 5.0  # seconds between two progress lines


@dataclass
class CatchUp:
    """One backlog: `total` events behind when it was noticed, `done` projected since."""

    projection: str
    total: int
    done: int = 0
    started: float = field(default_factory=time.monotonic)
    reported: float = field(default_factory=time.monotonic)

    def advance(self, events: int, now: float | None = None) -> str | None:
        """Count a batch; the progress line when one is due, else None."""
        self.done += events
        now = time.monotonic() if now is None else now
        if now - self.reported < REPORT_INTERVAL:
            return None
        self.reported = now
        return self.describe(now)

    def describe(self, now: float) -> str:
        total = max(self.total, self.done)  # events kept arriving meanwhile
        share = self.done / total if total else 1.0
        rate = self.done / max(now - self.started, 1e-9)
        left = (total - self.done) / rate if rate else float("inf")
        bar = "#" * int(share * 20)
        return (
            f"projection {self.projection} catching up [{bar:<20}] {self.done:,}/{total:,} "
            f"events ({share:.0%}), {rate:,.0f} events/s, about {_duration(left)} left"
        )


def _duration(seconds: float) -> str:
    if seconds == float("inf"):
        return "? s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min"
