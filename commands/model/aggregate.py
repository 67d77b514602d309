"""What every aggregate shares: an id, a version, and the events a command caused."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from commands.events import Payload


@dataclass(frozen=True)
class Event:
    """One outbox row to be: `stream_version` is the aggregate's version after the event."""

    stream_type: str
    stream_id: str
    stream_version: int
    type: str
    data: Payload
    occurred_at: datetime


@dataclass(kw_only=True, eq=False)
class Aggregate:
    STREAM: ClassVar[str]

    id: str
    version: int = 0
    events: list[Event] = field(default_factory=list, repr=False)

    @property
    def stored_version(self) -> int:
        """The version in the database before this command (0 for a new aggregate)."""
        return self.version - len(self.events)

    @property
    def is_new(self) -> bool:
        return self.stored_version == 0

    def _record(self, event_type: str, data: Payload, now: datetime) -> None:
        # One event per change and one version step per event, so an aggregate's
        # version always equals the stream_version of its last event.
        self.version += 1
        self.events.append(Event(self.STREAM, self.id, self.version, event_type, data, now))
