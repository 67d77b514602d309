"""The Order aggregate and its lifecycle: PLACED → PAID → SHIPPED → DELIVERED.

CANCELLED is reachable from PLACED or PAID only. The shipping address may change
until the order ships. Unit prices are copied from the products at placement.
A product may appear on one line only (a repeat is VALIDATION_FAILED, not merged).
Every accepted order command records an event and bumps version and updated_at,
even an address identical to the current one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import ClassVar

from commands import events
from commands.messages import INVALID_STATE, NOT_FOUND, Address, OrderLineRequest
from commands.model import streams
from commands.model.aggregate import Aggregate
from commands.model.product import Product
from commands.model.validation import LIMITS, MAX_MONEY, Problems, check_version, money_text
from order_status import OrderStatus

PLACED, PAID, SHIPPED, DELIVERED, CANCELLED = (
    OrderStatus.PLACED,
    OrderStatus.PAID,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.CANCELLED,
)
MAX_LINES = 100
MAX_QUANTITY = 1000
CARRIER_MAX = LIMITS["carrier"]
TRACKING_MAX = LIMITS["trackingNumber"]
REASON_MAX = LIMITS["reason"]


@dataclass(frozen=True)
class OrderLine:
    line_no: int
    product_id: str
    quantity: int
    unit_price: Decimal

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity


def wanted_product_ids(lines: Sequence[OrderLineRequest]) -> set[str]:
    """The products to load for placing: none when the line count is already wrong."""
    return {line.product_id for line in lines} if len(lines) <= MAX_LINES else set()


@dataclass(kw_only=True, eq=False)
class Order(Aggregate):
    STREAM: ClassVar[str] = streams.ORDER

    customer_id: str
    status: OrderStatus
    currency: str
    lines: tuple[OrderLine, ...]
    shipping_address: Address
    placed_at: datetime
    updated_at: datetime
    payment_amount: Decimal | None = None
    paid_at: datetime | None = None
    carrier: str | None = None
    tracking_number: str | None = None
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    cancel_reason: str | None = None
    cancelled_at: datetime | None = None

    @property
    def total(self) -> Decimal:
        return sum((line.line_total for line in self.lines), Decimal("0.00"))

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @classmethod
    def place(
        cls,
        order_id: str,
        *,
        customer_id: str,
        customer_exists: bool,
        lines: Sequence[OrderLineRequest],
        products: Mapping[str, Product],
        address: Address,
        now: datetime,
    ) -> Order:
        """A new PLACED order priced from `products` (those found among the lines' ids)."""
        problems = Problems()
        if not customer_exists:
            problems.add(NOT_FOUND, f"customer {customer_id!r} does not exist", ("customerId",))
        order_lines = _order_lines(problems, lines, products)
        currency = _one_currency(problems, order_lines, products)
        address = problems.address(address, ("shippingAddress",))
        problems.raise_if_any()
        order = cls(
            id=order_id,
            customer_id=customer_id,
            status=PLACED,
            currency=currency,
            lines=tuple(order_lines),
            shipping_address=address,
            placed_at=now,
            updated_at=now,
        )
        if order.total > MAX_MONEY:
            problems.invalid(f"the order total must be at most {MAX_MONEY}", ("lines",))
            problems.raise_if_any()
        order._record(events.ORDER_PLACED, order._placed_payload(), now)
        return order

    def update_shipping_address(
        self, address: Address, *, expected_version: int | None, now: datetime
    ) -> None:
        check_version(expected_version, self.version)
        problems = Problems()
        self._require_status(problems, "change the address of", PLACED, PAID)
        address = problems.address(address, ("address",))
        problems.raise_if_any()
        self.shipping_address = address
        payload = events.ShippingAddressUpdated(orderId=self.id, shippingAddress=_address(address))
        self._change(events.SHIPPING_ADDRESS_UPDATED, payload, now)

    def pay(self, amount: Decimal, *, expected_version: int | None, now: datetime) -> None:
        """Pay the whole order at once: `amount` must equal the total."""
        check_version(expected_version, self.version)
        problems = Problems()
        self._require_status(problems, "pay", PLACED)
        if not amount.is_finite() or amount != self.total:
            total = money_text(self.total)
            problems.invalid(
                f"amount must equal the order total {total} {self.currency}", ("amount",)
            )
        problems.raise_if_any()
        self.status, self.payment_amount, self.paid_at = PAID, self.total, now
        paid = events.OrderPaid(orderId=self.id, amount=money_text(self.total))
        self._change(events.ORDER_PAID, paid, now)

    def ship(
        self, carrier: str, tracking_number: str, *, expected_version: int | None, now: datetime
    ) -> None:
        check_version(expected_version, self.version)
        problems = Problems()
        self._require_status(problems, "ship", PAID)
        carrier = problems.text(carrier, ("carrier",), CARRIER_MAX)
        tracking_number = problems.code(tracking_number, ("trackingNumber",), TRACKING_MAX)
        problems.raise_if_any()
        self.status, self.carrier, self.tracking_number = SHIPPED, carrier, tracking_number
        self.shipped_at = now
        payload = events.OrderShipped(
            orderId=self.id, carrier=carrier, trackingNumber=tracking_number
        )
        self._change(events.ORDER_SHIPPED, payload, now)

    def deliver(self, *, expected_version: int | None, now: datetime) -> None:
        check_version(expected_version, self.version)
        problems = Problems()
        self._require_status(problems, "deliver", SHIPPED)
        problems.raise_if_any()
        self.status, self.delivered_at = DELIVERED, now
        self._change(events.ORDER_DELIVERED, events.OrderDelivered(orderId=self.id), now)

    def cancel(self, reason: str, *, expected_version: int | None, now: datetime) -> None:
        check_version(expected_version, self.version)
        problems = Problems()
        self._require_status(problems, "cancel", PLACED, PAID)
        reason = problems.text(reason, ("reason",), REASON_MAX)
        problems.raise_if_any()
        self.status, self.cancel_reason, self.cancelled_at = CANCELLED, reason, now
        cancelled = events.OrderCancelled(orderId=self.id, reason=reason)
        self._change(events.ORDER_CANCELLED, cancelled, now)

    def _require_status(self, problems: Problems, action: str, *allowed: str) -> None:
        if self.status not in allowed:
            message = f"cannot {action} an order that is {self.status} (only {', '.join(allowed)})"
            problems.add(INVALID_STATE, message)

    def _change(self, event_type: str, data: events.Payload, now: datetime) -> None:
        # Every order command moves updated_at and the version, even if nothing else shows it.
        self.updated_at = now
        self._record(event_type, data, now)

    def _placed_payload(self) -> events.OrderPlaced:
        lines = [
            events.LineData(
                productId=line.product_id,
                quantity=line.quantity,
                unitPrice=money_text(line.unit_price),
            )
            for line in self.lines
        ]
        return events.OrderPlaced(
            orderId=self.id,
            customerId=self.customer_id,
            lines=lines,
            shippingAddress=_address(self.shipping_address),
            total=money_text(self.total),
            currency=self.currency,
        )


def _order_lines(
    problems: Problems, requests: Sequence[OrderLineRequest], products: Mapping[str, Product]
) -> list[OrderLine]:
    # A product may appear on one line only: callers put the whole quantity on it.
    if not 1 <= len(requests) <= MAX_LINES:
        problems.invalid(f"an order needs 1 to {MAX_LINES} lines", ("lines",))
        return []
    lines: list[OrderLine] = []
    seen: set[str] = set()
    for index, request in enumerate(requests):
        at = ("lines", str(index))
        quantity = request.quantity
        if isinstance(quantity, bool) or not 1 <= quantity <= MAX_QUANTITY:
            problems.invalid(f"quantity must be 1 to {MAX_QUANTITY}", (*at, "quantity"))
        product = products.get(request.product_id)
        if request.product_id in seen:
            problems.invalid("each product may appear on one line only", (*at, "productId"))
        elif product is None:
            message = f"product {request.product_id!r} does not exist"
            problems.add(NOT_FOUND, message, (*at, "productId"))
        else:
            lines.append(OrderLine(index + 1, product.id, quantity, product.price))
        seen.add(request.product_id)
    return lines


def _one_currency(
    problems: Problems, lines: Sequence[OrderLine], products: Mapping[str, Product]
) -> str:
    currencies = sorted({products[line.product_id].currency for line in lines})
    if len(currencies) > 1:
        message = f"all products of an order must share one currency (got {', '.join(currencies)})"
        problems.invalid(message, ("lines",))
    return currencies[0] if currencies else ""


def _address(address: Address) -> events.AddressData:
    return events.AddressData(
        name=address.name,
        line1=address.line1,
        line2=address.line2,
        city=address.city,
        postalCode=address.postal_code,
        country=address.country,
    )
