"""Mutation payloads: the written aggregate's id, version and position token, or userErrors.

On any userError nothing was written, so every other field is null.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, Self

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


@strawberry.type
class CustomerPayload:
    customer_id: strawberry.ID | None = None
    version: int | None = None
    position: str | None = strawberry.field(default=None, description=_POSITION)
    user_errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def succeeded(cls, result: CommandResult) -> Self:
        return cls(
            customer_id=strawberry.ID(result.id), version=result.version, position=result.position
        )

    @classmethod
    def rejected(cls, errors: list[UserError]) -> Self:
        return cls(user_errors=errors)


@strawberry.type
class ProductPayload:
    product_id: strawberry.ID | None = None
    version: int | None = None
    position: str | None = strawberry.field(default=None, description=_POSITION)
    user_errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def succeeded(cls, result: CommandResult) -> Self:
        return cls(
            product_id=strawberry.ID(result.id), version=result.version, position=result.position
        )

    @classmethod
    def rejected(cls, errors: list[UserError]) -> Self:
        return cls(user_errors=errors)


@strawberry.type
class OrderPayload:
    order_id: strawberry.ID | None = None
    version: int | None = None
    position: str | None = strawberry.field(default=None, description=_POSITION)
    user_errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def succeeded(cls, result: CommandResult) -> Self:
        return cls(
            order_id=strawberry.ID(result.id), version=result.version, position=result.position
        )

    @classmethod
    def rejected(cls, errors: list[UserError]) -> Self:
        return cls(user_errors=errors)
