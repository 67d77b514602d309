"""Mutation inputs; each `to_command()` is the whole GraphQL → command translation.

Rules (non-empty names, positive quantities, valid countries ...) live in the
write side, which answers with userErrors; here only shapes and types change.
"""

from __future__ import annotations

from decimal import Decimal

import strawberry

from commands import messages as m


@strawberry.input(description="A postal address; country is ISO 3166-1 alpha-2.")
class AddressInput:
    name: str
    line1: str
    line2: str | None = None
    city: str
    postal_code: str
    country: str

    def to_address(self) -> m.Address:
        return m.Address(
            name=self.name,
            line1=self.line1,
            line2=self.line2,
            city=self.city,
            postal_code=self.postal_code,
            country=self.country,
        )


@strawberry.input
class RegisterCustomerInput:
    name: str
    email: str

    def to_command(self) -> m.RegisterCustomer:
        return m.RegisterCustomer(name=self.name, email=self.email)


@strawberry.input
class UpdateCustomerInput:
    id: strawberry.ID
    name: str | None = None
    email: str | None = None
    expected_version: int | None = None

    def to_command(self) -> m.UpdateCustomer:
        return m.UpdateCustomer(
            customer_id=str(self.id),
            name=self.name,
            email=self.email,
            expected_version=self.expected_version,
        )


@strawberry.input
class AddProductInput:
    sku: str
    name: str
    price: Decimal
    currency: str
    category: str | None = None

    def to_command(self) -> m.AddProduct:
        return m.AddProduct(
            sku=self.sku,
            name=self.name,
            price=self.price,
            currency=self.currency,
            category=self.category,
        )


@strawberry.input
class UpdateProductInput:
    id: strawberry.ID
    name: str | None = None
    category: str | None = None
    price: Decimal | None = None
    expected_version: int | None = None

    def to_command(self) -> m.UpdateProduct:
        return m.UpdateProduct(
            product_id=str(self.id),
            name=self.name,
            category=self.category,
            price=self.price,
            expected_version=self.expected_version,
        )


@strawberry.input
class OrderLineInput:
    product_id: strawberry.ID
    quantity: int


@strawberry.input
class PlaceOrderInput:
    customer_id: strawberry.ID
    lines: list[OrderLineInput]
    shipping_address: AddressInput
    idempotency_key: str | None = strawberry.field(
        default=None, description="Reusing a key returns the first result and writes nothing."
    )

    def to_command(self) -> m.PlaceOrder:
        return m.PlaceOrder(
            customer_id=str(self.customer_id),
            lines=tuple(
                m.OrderLineRequest(product_id=str(line.product_id), quantity=line.quantity)
                for line in self.lines
            ),
            shipping_address=self.shipping_address.to_address(),
            idempotency_key=self.idempotency_key,
        )


@strawberry.input
class UpdateShippingAddressInput:
    order_id: strawberry.ID
    address: AddressInput
    expected_version: int | None = None

    def to_command(self) -> m.UpdateShippingAddress:
        return m.UpdateShippingAddress(
            order_id=str(self.order_id),
            address=self.address.to_address(),
            expected_version=self.expected_version,
        )


@strawberry.input
class PayOrderInput:
    order_id: strawberry.ID
    amount: Decimal
    expected_version: int | None = None

    def to_command(self) -> m.PayOrder:
        return m.PayOrder(
            order_id=str(self.order_id), amount=self.amount, expected_version=self.expected_version
        )


@strawberry.input
class ShipOrderInput:
    order_id: strawberry.ID
    carrier: str
    tracking_number: str
    expected_version: int | None = None

    def to_command(self) -> m.ShipOrder:
        return m.ShipOrder(
            order_id=str(self.order_id),
            carrier=self.carrier,
            tracking_number=self.tracking_number,
            expected_version=self.expected_version,
        )


@strawberry.input
class DeliverOrderInput:
    order_id: strawberry.ID
    expected_version: int | None = None

    def to_command(self) -> m.DeliverOrder:
        return m.DeliverOrder(order_id=str(self.order_id), expected_version=self.expected_version)


@strawberry.input
class CancelOrderInput:
    order_id: strawberry.ID
    reason: str
    expected_version: int | None = None

    def to_command(self) -> m.CancelOrder:
        return m.CancelOrder(
            order_id=str(self.order_id), reason=self.reason, expected_version=self.expected_version
        )
