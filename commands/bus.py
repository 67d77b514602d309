"""The write side's entry point: `CommandBus.dispatch(command, actor) -> CommandResult`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from commands import access, handlers, idempotency, messages
from commands.messages import Command, CommandResult
from commands.model.command_input import check_command
from commands.unit_of_work import Audit, Clock, IdFactory, UnitOfWork, random_id, utc_now
from database.engine import for_lookups
from identity import Principal

Handler = Callable[[UnitOfWork, Any], Awaitable[CommandResult]]

HANDLERS: dict[type[Any], Handler] = {
    messages.RegisterCustomer: handlers.register_customer,
    messages.UpdateCustomer: handlers.update_customer,
    messages.AddProduct: handlers.add_product,
    messages.UpdateProduct: handlers.update_product,
    messages.PlaceOrder: handlers.place_order,
    messages.UpdateShippingAddress: handlers.update_shipping_address,
    messages.PayOrder: handlers.pay_order,
    messages.ShipOrder: handlers.ship_order,
    messages.DeliverOrder: handlers.deliver_order,
    messages.CancelOrder: handlers.cancel_order,
}


class CommandBus:
    """Runs each command in its own transaction; raises `CommandRejected` for user errors."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        clock: Clock = utc_now,
        new_id: IdFactory = random_id,
        registration_open: bool = True,
    ) -> None:
        self._engine = engine
        self._registration_open = registration_open
        self._lookups = for_lookups(engine)
        self._clock = clock
        self._new_id = new_id

    async def dispatch(
        self, command: Command, actor: Principal, *, request_id: str | None = None
    ) -> CommandResult:
        """Run `command` as `actor`: `NotSignedIn`, or `CommandRejected` for a refusal."""
        handler = HANDLERS.get(type(command))
        if handler is None:
            raise TypeError(f"no handler for {type(command).__name__}")
        access.authorize(actor, command, registration_open=self._registration_open)
        check_command(command)  # text rules and lengths of every field, before any query
        audit = Audit(actor, request_id)
        key: str | None = getattr(command, "idempotency_key", None)
        if key is None:
            return await handler(self._unit_of_work(None, audit), command)
        idempotency.check_key(key)
        # Keys are per principal: another caller's key neither answers nor blocks yours.
        claim = idempotency.Claim(f"{actor.sub}:{key}", type(command).__name__)
        return await self._dispatch_once(handler, command, claim, audit)

    async def _dispatch_once(
        self, handler: Handler, command: Command, claim: idempotency.Claim, audit: Audit
    ) -> CommandResult:
        if (stored := await self._stored_result(claim)) is not None:
            return stored
        try:
            return await handler(self._unit_of_work(claim, audit), command)
        except idempotency.KeyAlreadyStored:
            # A concurrent duplicate committed first; ours rolled back. Its result is the answer.
            stored = await self._stored_result(claim)
            if stored is None:
                raise
            return stored

    async def _stored_result(self, claim: idempotency.Claim) -> CommandResult | None:
        async with self._lookups.connect() as connection:
            return await idempotency.stored_result(connection, claim)

    def _unit_of_work(self, claim: idempotency.Claim | None, audit: Audit) -> UnitOfWork:
        return UnitOfWork(
            self._engine, clock=self._clock, new_id=self._new_id, claim=claim, audit=audit
        )
