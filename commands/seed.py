"""Demo data through the real command path (`orders seed`), with a progress bar."""

from __future__ import annotations

import random
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncEngine
from tqdm import tqdm

from commands.bus import CommandBus
from commands.messages import (
    AddProduct,
    Address,
    CancelOrder,
    CommandRejected,
    DeliverOrder,
    OrderLineRequest,
    PayOrder,
    PlaceOrder,
    RegisterCustomer,
    ShipOrder,
)

FIRST = ["José", "Zoë", "Łukasz", "Søren", "Aoife", "Renée", "Jürgen", "Inés", "Mateo", "Chloé"]
LAST = ["Müller", "García", "Nowak", "Ødegaard", "O'Brien", "Dubois", "Rossi", "Silva", "Kim"]
PLACES = [
    ("Berlin", "10115", "DE"),
    ("Sevilla", "41001", "ES"),
    ("Kraków", "30-001", "PL"),
    ("Århus", "8000", "DK"),
    ("Cork", "T12 X70A", "IE"),
    ("Lyon", "69001", "FR"),
    ("Milano", "20121", "IT"),
    ("Porto", "4000-322", "PT"),
]
CATALOGUE = [
    ("kitchen", ["Steel Kettle", "Cast Iron Pan", "Chef Knife", "Pepper Mill"]),
    ("apparel", ["Wool Scarf", "Rain Jacket", "Linen Shirt", "Hiking Socks"]),
    ("books", ["Atlas of Rivers", "Cookbook Nordic", "Field Guide Birds"]),
    ("garden", ["Pruning Shears", "Watering Can", "Seed Tray"]),
]


async def seed_demo_data(engine: AsyncEngine, *, orders: int, seed: int = 7) -> int:
    """Register customers, add a catalogue, place `orders` orders in every status."""
    rng = random.Random(seed)
    bus = CommandBus(engine)
    tag = f"{rng.randrange(16**6):06x}"  # lets seeding run twice on one database
    customers = [await _customer(bus, rng, i, tag) for i in range(max(5, orders // 4))]
    products = await _catalogue(bus, rng, tag)
    placed = 0
    for _ in tqdm(range(orders), desc="seeding orders", unit="order"):
        try:
            await _order_story(bus, rng, rng.choice(customers), products)
            placed += 1
        except CommandRejected as exc:  # a random story may hit a rule; that is fine here
            tqdm.write(f"skipped: {exc}")
    return placed


async def _customer(bus: CommandBus, rng: random.Random, i: int, tag: str) -> str:
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    email = f"{name.split()[0].lower()}.{i}.{tag}@example.com".encode("ascii", "ignore").decode()
    return (await bus.dispatch(RegisterCustomer(name=name, email=email))).id


async def _catalogue(bus: CommandBus, rng: random.Random, tag: str) -> list[tuple[str, Decimal]]:
    products = []
    for category, names in CATALOGUE:
        for n, name in enumerate(names):
            price = Decimal(rng.randrange(300, 9000)) / 100
            sku = f"{category[:3].upper()}-{n + 1:03}-{tag}"
            command = AddProduct(sku=sku, name=name, price=price, currency="EUR", category=category)
            products.append(((await bus.dispatch(command)).id, price))
    return products


async def _order_story(
    bus: CommandBus, rng: random.Random, customer: str, products: list[tuple[str, Decimal]]
) -> None:
    picks = rng.sample(products, rng.randint(1, 3))
    lines = tuple(OrderLineRequest(product_id=p, quantity=rng.randint(1, 4)) for p, _ in picks)
    city, postal, country = rng.choice(PLACES)
    address = Address(
        name="Home", line1="1 Main Street", city=city, postal_code=postal, country=country
    )
    order = await bus.dispatch(
        PlaceOrder(customer_id=customer, lines=lines, shipping_address=address)
    )
    total = sum(
        (price * line.quantity for (_, price), line in zip(picks, lines, strict=True)), Decimal(0)
    )
    fate = rng.random()
    if fate < 0.1:
        await bus.dispatch(CancelOrder(order_id=order.id, reason="changed my mind"))
        return
    if fate < 0.3:
        return
    await bus.dispatch(PayOrder(order_id=order.id, amount=total))
    if fate < 0.5:
        return
    tracking = f"TRK{rng.randrange(10**10):010d}"
    await bus.dispatch(
        ShipOrder(
            order_id=order.id, carrier=rng.choice(["DHL", "UPS", "GLS"]), tracking_number=tracking
        )
    )
    if fate < 0.75:
        await bus.dispatch(DeliverOrder(order_id=order.id))
