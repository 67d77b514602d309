"""One handler per command: open the unit of work, load, apply the rule, save, commit.

Who may send a command is checked by the bus before the handler runs (`commands.access`);
a handler checks ownership of what it loads (`_own_order`).

UpdateCustomer / UpdateProduct without an actual change succeed as a no-op: no event,
the current version, and the position of the aggregate's latest event.
"""

from __future__ import annotations

from commands import access
from commands.messages import (
    AddProduct,
    CancelOrder,
    CommandResult,
    DeliverOrder,
    PayOrder,
    PlaceOrder,
    RegisterCustomer,
    ShipOrder,
    UpdateCustomer,
    UpdateProduct,
    UpdateShippingAddress,
)
from commands.model.customer import Customer
from commands.model.order import Order, wanted_product_ids
from commands.model.product import Product
from commands.unit_of_work import UnitOfWork


async def register_customer(uow: UnitOfWork, command: RegisterCustomer) -> CommandResult:
    async with uow:
        taken = await uow.customers.email_in_use(command.email)
        customer = Customer.register(
            uow.new_id(), command.name, command.email, email_taken=taken, now=uow.now
        )
        await uow.customers.save(customer)
        return await uow.commit(customer)


async def update_customer(uow: UnitOfWork, command: UpdateCustomer) -> CommandResult:
    async with uow:
        customer = await uow.customers.get(command.customer_id)
        taken = command.email is not None and await uow.customers.email_in_use(
            command.email, other_than=customer.id
        )
        customer.update(
            name=command.name,
            email=command.email,
            expected_version=command.expected_version,
            email_taken=taken,
            now=uow.now,
        )
        await uow.customers.save(customer)
        return await uow.commit(customer)


async def add_product(uow: UnitOfWork, command: AddProduct) -> CommandResult:
    async with uow:
        product = Product.add(
            uow.new_id(),
            sku=command.sku,
            name=command.name,
            category=command.category,
            price=command.price,
            currency=command.currency,
            sku_taken=await uow.products.sku_in_use(command.sku),
            now=uow.now,
        )
        await uow.products.save(product)
        return await uow.commit(product)


async def update_product(uow: UnitOfWork, command: UpdateProduct) -> CommandResult:
    async with uow:
        product = await uow.products.get(command.product_id)
        product.update(
            name=command.name,
            category=command.category,
            price=command.price,
            expected_version=command.expected_version,
            now=uow.now,
        )
        await uow.products.save(product)
        return await uow.commit(product)


async def place_order(uow: UnitOfWork, command: PlaceOrder) -> CommandResult:
    async with uow:
        order = Order.place(
            uow.new_id(),
            customer_id=command.customer_id,
            customer_exists=await uow.customers.exists(command.customer_id),
            lines=command.lines,
            products=await uow.products.find_many(wanted_product_ids(command.lines)),
            address=command.shipping_address,
            now=uow.now,
        )
        await uow.orders.save(order)
        return await uow.commit(order)


async def update_shipping_address(uow: UnitOfWork, command: UpdateShippingAddress) -> CommandResult:
    async with uow:
        order = await _own_order(uow, command.order_id)
        order.update_shipping_address(
            command.address, expected_version=command.expected_version, now=uow.now
        )
        await uow.orders.save(order)
        return await uow.commit(order)


async def pay_order(uow: UnitOfWork, command: PayOrder) -> CommandResult:
    async with uow:
        order = await _own_order(uow, command.order_id)
        order.pay(command.amount, expected_version=command.expected_version, now=uow.now)
        await uow.orders.save(order)
        return await uow.commit(order)


async def ship_order(uow: UnitOfWork, command: ShipOrder) -> CommandResult:
    async with uow:
        order = await _own_order(uow, command.order_id)
        order.ship(
            command.carrier,
            command.tracking_number,
            expected_version=command.expected_version,
            now=uow.now,
        )
        await uow.orders.save(order)
        return await uow.commit(order)


async def deliver_order(uow: UnitOfWork, command: DeliverOrder) -> CommandResult:
    async with uow:
        order = await _own_order(uow, command.order_id)
        order.deliver(expected_version=command.expected_version, now=uow.now)
        await uow.orders.save(order)
        return await uow.commit(order)


async def cancel_order(uow: UnitOfWork, command: CancelOrder) -> CommandResult:
    async with uow:
        order = await _own_order(uow, command.order_id)
        order.cancel(command.reason, expected_version=command.expected_version, now=uow.now)
        await uow.orders.save(order)
        return await uow.commit(order)


async def _own_order(uow: UnitOfWork, order_id: str) -> Order:
    """The order, row-locked; NOT_FOUND also when it belongs to another customer."""
    order = await uow.orders.get(order_id)
    access.ensure_owner(uow.audit.actor, order.id, order.customer_id)
    return order
