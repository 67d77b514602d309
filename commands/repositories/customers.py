"""The customer repository."""

from __future__ import annotations

from sqlalchemy import bindparam, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from commands.model.customer import Customer
from commands.model.validation import normalise_email
from commands.repositories.rows import not_found, raise_if_duplicate, write_row
from database.engine import utc
from database.tables import customers

_BY_ID = select(customers).where(customers.c.id == bindparam("id")).with_for_update()
_EXISTS = select(exists().where(customers.c.id == bindparam("id")))
_EMAIL_OWNER = select(customers.c.id).where(customers.c.email == bindparam("email"))


class CustomerRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def get(self, customer_id: str) -> Customer:
        """The customer, row-locked; NOT_FOUND (field `id`) when missing."""
        row = (await self._connection.execute(_BY_ID, {"id": customer_id})).mappings().first()
        if row is None:
            not_found("customer", customer_id, "id")
        return Customer(
            id=row["id"],
            version=row["version"],
            name=row["name"],
            email=row["email"],
            created_at=utc(row["created_at"]),
            updated_at=utc(row["updated_at"]),
        )

    async def exists(self, customer_id: str) -> bool:
        return bool(await self._connection.scalar(_EXISTS, {"id": customer_id}))

    async def email_in_use(self, email: str, *, other_than: str | None = None) -> bool:
        """Whether a customer other than `other_than` has this email (compared normalised)."""
        owner = await self._connection.scalar(_EMAIL_OWNER, {"email": normalise_email(email)})
        return owner is not None and owner != other_than

    async def save(self, customer: Customer) -> None:
        """Write the row if the customer changed; a concurrent same-email insert is DUPLICATE."""
        if not customer.events:
            return
        row = {
            "name": customer.name,
            "email": customer.email,
            "version": customer.version,
            "updated_at": customer.updated_at,
        }
        if customer.is_new:
            row["created_at"] = customer.created_at
        try:
            await write_row(self._connection, customers, customer, row)
        except IntegrityError as error:
            raise_if_duplicate(error, "email", f"{customer.email} is already registered")
            raise
