"""Commands (imperative), their result, and the rejection carrying user errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


@dataclass(frozen=True)
class Address:
    name: str
    line1: str
    city: str
    postal_code: str
    country: str
    line2: str | None = None


@dataclass(frozen=True)
class RegisterCustomer:
    name: str
    email: str


@dataclass(frozen=True)
class UpdateCustomer:
    customer_id: str
    name: str | None = None
    email: str | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class AddProduct:
    sku: str
    name: str
    price: Decimal
    currency: str
    category: str | None = None


@dataclass(frozen=True)
class UpdateProduct:
    product_id: str
    name: str | None = None
    category: str | None = None
    price: Decimal | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class OrderLineRequest:
    product_id: str
    quantity: int


@dataclass(frozen=True)
class PlaceOrder:
    customer_id: str
    lines: tuple[OrderLineRequest, ...]
    shipping_address: Address
    idempotency_key: str | None = None


@dataclass(frozen=True)
class UpdateShippingAddress:
    order_id: str
    address: Address
    expected_version: int | None = None


@dataclass(frozen=True)
class PayOrder:
    order_id: str
    amount: Decimal
    expected_version: int | None = None


@dataclass(frozen=True)
class ShipOrder:
    order_id: str
    carrier: str
    tracking_number: str
    expected_version: int | None = None


@dataclass(frozen=True)
class DeliverOrder:
    order_id: str
    expected_version: int | None = None


@dataclass(frozen=True)
class CancelOrder:
    order_id: str
    reason: str
    expected_version: int | None = None


Command = (
    RegisterCustomer
    | UpdateCustomer
    | AddProduct
    | UpdateProduct
    | PlaceOrder
    | UpdateShippingAddress
    | PayOrder
    | ShipOrder
    | DeliverOrder
    | CancelOrder
)


@dataclass(frozen=True)
class CommandResult:
    """What a mutation returns: the aggregate id, its new version, the position token."""

    id: str
    version: int
    position: str


class ErrorCode(StrEnum):
    """Why a command was refused; the GraphQL `ErrorCode` enum is this one (schema/errors.py)."""

    VALIDATION_FAILED = "VALIDATION_FAILED"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    INVALID_STATE = "INVALID_STATE"
    FORBIDDEN = "FORBIDDEN"
    DUPLICATE = "DUPLICATE"


VALIDATION_FAILED = ErrorCode.VALIDATION_FAILED
NOT_FOUND = ErrorCode.NOT_FOUND
CONFLICT = ErrorCode.CONFLICT
INVALID_STATE = ErrorCode.INVALID_STATE
FORBIDDEN = ErrorCode.FORBIDDEN
DUPLICATE = ErrorCode.DUPLICATE


@dataclass(frozen=True)
class UserError:
    code: ErrorCode
    message: str
    field: tuple[str, ...] | None = None


@dataclass
class CommandRejected(Exception):
    """Expected failure: nothing was written; `errors` go to the payload's userErrors."""

    errors: list[UserError] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(f"{e.code}: {e.message}" for e in self.errors)
