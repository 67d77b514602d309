"""The acting principal: staff, a customer (acting for one customer record), or anonymous."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Role = Literal["staff", "customer"]
ROLES: tuple[Role, ...] = ("staff", "customer")


class NotSignedIn(Exception):
    """The operation needs a signed-in principal and the caller sent no valid token."""


@dataclass(frozen=True)
class Principal:
    sub: str
    role: Role | None  # None: anonymous
    customer_id: str | None = None  # set exactly for customers

    @classmethod
    def staff(cls, sub: str) -> Principal:
        return cls(sub=sub, role="staff")

    @classmethod
    def customer(cls, sub: str, customer_id: str) -> Principal:
        return cls(sub=sub, role="customer", customer_id=customer_id)

    @property
    def is_staff(self) -> bool:
        return self.role == "staff"

    @property
    def is_anonymous(self) -> bool:
        return self.role is None

    def signed_in(self) -> Principal:
        """This principal, or `NotSignedIn` for an anonymous caller."""
        if self.is_anonymous:
            raise NotSignedIn("sign in: send an `Authorization: Bearer <token>` header")
        return self

    def owns(self, customer_id: str | None) -> bool:
        """Staff act on every customer's data; a customer on their own only."""
        return self.is_staff or (self.customer_id is not None and self.customer_id == customer_id)

    def audit(self) -> dict[str, Any]:
        """Who acted, as stored in the metadata of the events a request causes."""
        return {"sub": self.sub, "role": self.role or "anonymous"}


ANONYMOUS = Principal(sub="anonymous", role=None)
