"""Mutations: each builds one command from its input and dispatches it on the bus."""

from __future__ import annotations

from typing import TypeVar

import strawberry

from commands.messages import Command, CommandRejected
from schema.context import Info
from schema.errors import user_errors
from schema.inputs import (
    AddProductInput,
    CancelOrderInput,
    DeliverOrderInput,
    PayOrderInput,
    PlaceOrderInput,
    RegisterCustomerInput,
    ShipOrderInput,
    UpdateCustomerInput,
    UpdateProductInput,
    UpdateShippingAddressInput,
)
from schema.payloads import CustomerPayload, OrderPayload, Payload, ProductPayload

P = TypeVar("P", bound=Payload)


async def dispatch(info: Info, command: Command, payload: type[P]) -> P:
    """Run a command as the caller; a rejection becomes userErrors (nothing was written)."""
    context = info.context
    try:
        result = await context.api.bus.dispatch(
            command, context.actor(), request_id=context.request_id
        )
    except CommandRejected as rejected:
        return payload.rejected(user_errors(rejected))
    return payload.succeeded(result)


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def register_customer(self, info: Info, input: RegisterCustomerInput) -> CustomerPayload:
        return await dispatch(info, input.to_command(), CustomerPayload)

    @strawberry.mutation
    async def update_customer(self, info: Info, input: UpdateCustomerInput) -> CustomerPayload:
        return await dispatch(info, input.to_command(), CustomerPayload)

    @strawberry.mutation
    async def add_product(self, info: Info, input: AddProductInput) -> ProductPayload:
        return await dispatch(info, input.to_command(), ProductPayload)

    @strawberry.mutation
    async def update_product(self, info: Info, input: UpdateProductInput) -> ProductPayload:
        return await dispatch(info, input.to_command(), ProductPayload)

    @strawberry.mutation
    async def place_order(self, info: Info, input: PlaceOrderInput) -> OrderPayload:
        return await dispatch(info, input.to_command(), OrderPayload)

    @strawberry.mutation
    async def update_shipping_address(
        self, info: Info, input: UpdateShippingAddressInput
    ) -> OrderPayload:
        return await dispatch(info, input.to_command(), OrderPayload)

    @strawberry.mutation
    async def pay_order(self, info: Info, input: PayOrderInput) -> OrderPayload:
        return await dispatch(info, input.to_command(), OrderPayload)

    @strawberry.mutation
    async def ship_order(self, info: Info, input: ShipOrderInput) -> OrderPayload:
        return await dispatch(info, input.to_command(), OrderPayload)

    @strawberry.mutation
    async def deliver_order(self, info: Info, input: DeliverOrderInput) -> OrderPayload:
        return await dispatch(info, input.to_command(), OrderPayload)

    @strawberry.mutation
    async def cancel_order(self, info: Info, input: CancelOrderInput) -> OrderPayload:
        return await dispatch(info, input.to_command(), OrderPayload)
