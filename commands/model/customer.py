"""The Customer aggregate: a name and a unique, lower-case email."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from commands import events
from commands.messages import DUPLICATE
from commands.model import streams
from commands.model.aggregate import Aggregate
from commands.model.validation import LIMITS, Problems, check_version

NAME_MAX = LIMITS["name"]


@dataclass(kw_only=True, eq=False)
class Customer(Aggregate):
    STREAM: ClassVar[str] = streams.CUSTOMER

    name: str
    email: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def register(
        cls, customer_id: str, name: str, email: str, *, email_taken: bool, now: datetime
    ) -> Customer:
        """A new customer; `email_taken` says whether another customer already has the email."""
        problems = Problems()
        name = problems.text(name, ("name",), NAME_MAX)
        email = problems.email(email, ("email",))
        if email_taken:
            problems.add(DUPLICATE, f"{email} is already registered", ("email",))
        problems.raise_if_any()
        customer = cls(id=customer_id, name=name, email=email, created_at=now, updated_at=now)
        payload = events.CustomerRegistered(customerId=customer_id, name=name, email=email)
        customer._record(events.CUSTOMER_REGISTERED, payload, now)
        return customer

    def update(
        self,
        *,
        name: str | None,
        email: str | None,
        expected_version: int | None,
        email_taken: bool,
        now: datetime,
    ) -> None:
        """Change name and/or email; values equal to the current ones are a no-op (no event)."""
        check_version(expected_version, self.version)
        problems = Problems()
        changes = events.CustomerUpdated(customerId=self.id)
        if name is not None and (name := problems.text(name, ("name",), NAME_MAX)) != self.name:
            changes["name"] = name
        if email is not None and (email := problems.email(email, ("email",))) != self.email:
            if email_taken:
                problems.add(DUPLICATE, f"{email} is already registered", ("email",))
            changes["email"] = email
        problems.raise_if_any()
        if changes.keys() == {"customerId"}:
            return
        self.name = changes.get("name", self.name)
        self.email = changes.get("email", self.email)
        self.updated_at = now
        self._record(events.CUSTOMER_UPDATED, changes, now)
