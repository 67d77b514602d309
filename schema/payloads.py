"""Mutation payloads: the written aggregate's id, version and position token, or userErrors.

On any userError nothing was written, so every other field is null.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Protocol, Self

import strawberry

from schema.errors import UserError

if TYPE_CHECKING:
    from commands.messages import CommandResult

_POSITION = "Opaque consistency token: pass it to `consistency: {atLeast: ...}` on queries."


class Payload(Protocol):
    @classmethod
    def succeeded(cls, result: CommandResult) -> Self: ...

    @classmethod
    def rejected(cls, errors: list[UserError]) -> Self: ...


class _Outcome:
    """The two ways a payload is made; each payload names its id field in `_id_field`."""

    _id_field: ClassVar[str]

    @classmethod
    def succeeded(cls, result: CommandResult) -> Self:
        ids = {cls._id_field: strawberry.ID(result.id)}
        return cls(**ids, version=result.version, position=result.position)  # type: ignore[call-arg]

    @classmethod
    def rejected(cls, errors: list[UserError]) -> Self:
        return cls(user_errors=errors)  # type: ignore[call-arg]


@strawberry.type
class CustomerPayload(_Outcome):
    customer_id: strawberry.ID | None = None
    version: int | None = None
    position: str | None = strawberry.field(default=None, description=_POSITION)
    user_errors: list[UserError] = strawberry.field(default_factory=list)
    _id_field: ClassVar[str] = "customer_id"


@strawberry.type
class ProductPayload(_Outcome):
    product_id: strawberry.ID | None = None
    version: int | None = None
    position: str | None = strawberry.field(default=None, description=_POSITION)
    user_errors: list[UserError] = strawberry.field(default_factory=list)
    _id_field: ClassVar[str] = "product_id"


@strawberry.type
class OrderPayload(_Outcome):
    order_id: strawberry.ID | None = None
    version: int | None = None
    position: str | None = strawberry.field(default=None, description=_POSITION)
    user_errors: list[UserError] = strawberry.field(default_factory=list)
    _id_field: ClassVar[str] = "order_id"
