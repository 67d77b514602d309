"""Who may send which command: decided from the principal, before any row is read.

Staff may do everything. A customer places orders for themselves, changes the address of
and cancels their own orders, and updates their own record; they cannot pay, ship or
deliver, nor add or change products. Anonymous callers may only register, and only while
registration is open. Ownership of an existing order is checked by the handler once the
order is loaded (`ensure_owner`), with the same NOT_FOUND a missing order gets.
"""

from __future__ import annotations

from commands import messages
from commands.messages import FORBIDDEN, CommandRejected, UserError
from commands.repositories.rows import not_found
from identity import Principal

STAFF_ONLY = (
    messages.AddProduct,
    messages.UpdateProduct,
    messages.PayOrder,
    messages.ShipOrder,
    messages.DeliverOrder,
)


def authorize(actor: Principal, command: messages.Command, *, registration_open: bool) -> None:
    """Refuse a command the actor may not send: `NotSignedIn`, or FORBIDDEN (nothing read)."""
    if isinstance(command, messages.RegisterCustomer):
        if registration_open or actor.signed_in().is_staff:
            return
        _forbid("registration is open to staff only")
    actor.signed_in()
    if actor.is_staff:
        return
    if isinstance(command, STAFF_ONLY):
        _forbid(f"only staff may call {_mutation(command)}")
    if isinstance(command, messages.UpdateCustomer) and not actor.owns(command.customer_id):
        not_found("customer", command.customer_id, "id")  # others' records don't exist for you
    if isinstance(command, messages.PlaceOrder) and not actor.owns(command.customer_id):
        _forbid("customers place orders for themselves only", ("customerId",))


def ensure_owner(actor: Principal, order_id: str, customer_id: str) -> None:
    """A customer's command on another customer's order: the order does not exist for them."""
    if not actor.owns(customer_id):
        not_found("order", order_id, "orderId")


def _forbid(message: str, field: tuple[str, ...] | None = None) -> None:
    raise CommandRejected([UserError(FORBIDDEN, message, field)])


def _mutation(command: messages.Command) -> str:
    name = type(command).__name__  # PayOrder -> payOrder, as the client called it
    return name[0].lower() + name[1:]
