"""The demo-data plan (`orders seed`): customers, products and each order's story of
commands, all drawn from a seeded RNG before anything is written.

Ids reach the handlers through `new_id` and times through `clock`, so one seed always
yields the same customers, products and orders (on an empty database), whatever the
writer, the concurrency or the number of processes.
"""

from __future__ import annotations

import math
import random
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from commands.messages import (
    Address,
    CancelOrder,
    Command,
    DeliverOrder,
    OrderLineRequest,
    PayOrder,
    PlaceOrder,
    RegisterCustomer,
    ShipOrder,
)
from demo.tables import (
    BIG_MARKETS,
    CANCEL_REASONS,
    CATALOGUE_TABLE,
    COUNTRIES,
    FATES,
    GLOBAL_DOMAINS,
    HOUR_WEIGHTS,
    UNPAID_CANCEL_REASONS,
    Country,
    ascii_fold,
    fill_pattern,
    items,
    logical_lines,
    tracking_number,
)

DEFAULT_UNTIL = datetime(2026, 11, 1, tzinfo=UTC)  # fixed, so a seed means the same data
WINDOW = timedelta(days=730)
CURRENCY = "EUR"


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    country: Country

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass(frozen=True)
class ProductPlan:
    id: str
    sku: str
    name: str
    category: str
    price: Decimal


@dataclass(frozen=True)
class CustomerPlan:
    id: str
    person: Person
    email: str
    home: Address
    registered_at: datetime


@dataclass(frozen=True)
class Step:
    """One command of a story, written at `at`; `new_id` is the id it creates, if any."""

    at: datetime
    command: Command
    new_id: str | None = None


@dataclass(frozen=True)
class Story:
    """The commands of one order (or one customer's registration), in order."""

    id: str
    steps: tuple[Step, ...]

    @property
    def status(self) -> str:
        return STATUS_AFTER[type(self.steps[-1].command)]


STATUS_AFTER: dict[type, str] = {
    RegisterCustomer: "REGISTERED",
    PlaceOrder: "PLACED",
    PayOrder: "PAID",
    ShipOrder: "SHIPPED",
    DeliverOrder: "DELIVERED",
    CancelOrder: "CANCELLED",
}


def seeded_id(rng: random.Random) -> str:
    """A UUID4-shaped id drawn from `rng` (deterministic, unlike uuid.uuid4)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def email_for(person: Person, rng: random.Random, taken: set[str]) -> str:
    """An address made from the name the way people pick them, unique within `taken`."""
    german = person.country.code in ("DE", "AT") and rng.random() < 0.6
    first, last = ascii_fold(person.first, german), ascii_fold(person.last, german)
    year = rng.randrange(60, 100) if rng.random() < 0.7 else rng.randrange(0, 10)
    forms = (
        f"{first}.{last}",
        f"{first}{last}",
        f"{first[0]}.{last}",
        f"{first}_{last}",
        f"{first}.{last}{year:02}",
        f"{first[0]}{last}{year:02}",
        f"{last}.{first}",
        f"{first}{rng.randrange(1, 100)}",
    )
    local = rng.choice(forms)
    local_domain = rng.random() < 0.55
    domain = rng.choice(person.country.domains if local_domain else GLOBAL_DOMAINS)
    email, n = f"{local}@{domain}", 1
    while email in taken:
        n += 1
        email = f"{local}{n}@{domain}"
    taken.add(email)
    return email


def make_person(rng: random.Random, country: Country) -> Person:
    """A name from `country`; one first name in six comes from elsewhere (people move)."""
    female = rng.random() < 0.5
    source = rng.choice(COUNTRIES) if rng.random() < 1 / 6 else country
    first = rng.choice(source.female if female else source.male)
    forms = rng.choice(country.surnames).split("/")
    return Person(first, forms[-1] if female else forms[0], country)


def make_address(rng: random.Random, country: Country, name: str) -> Address:
    city, patterns = rng.choice(country.cities)
    street = rng.choice(country.streets)
    line1 = country.street.format(s=street, n=rng.randint(1, 120), m=rng.randint(1, 40))
    line2 = rng.choice(country.line2) if country.line2 and rng.random() < 0.25 else None
    return Address(
        name=name,
        line1=line1,
        line2=line2,
        city=city,
        postal_code=fill_pattern(rng.choice(patterns), rng),
        country=country.code,
    )


def catalogue() -> list[ProductPlan]:
    """The same 71 products for every seed, with ids from a fixed RNG."""
    rng = random.Random("orders-seed:catalogue")
    plans: list[ProductPlan] = []
    numbers: Counter[str] = Counter()
    for line in logical_lines(CATALOGUE_TABLE):
        category, prefix, entries = (part.strip() for part in line.split("|"))
        for entry in items(entries, ";"):
            name, price = entry.rsplit(" ", 1)
            stem = f"{prefix}-{ascii_fold(name.split()[-1]).upper()}"
            numbers[stem] += 1
            sku = f"{stem}-{numbers[stem]:02}"
            plans.append(ProductPlan(seeded_id(rng), sku, name, category, Decimal(price)))
    return plans


def plan_customers(seed: int, count: int, until: datetime, taken: set[str]) -> list[CustomerPlan]:
    """`count` customers, most of them in the big markets; emails avoid `taken`."""
    rng = random.Random(f"orders-seed:{seed}:customers")
    weights = [8 if c.code in BIG_MARKETS else 3 for c in COUNTRIES]
    plans = []
    for _ in range(count):
        country = rng.choices(COUNTRIES, weights)[0]
        who = make_person(rng, country)
        email = email_for(who, rng, taken)
        home = make_address(rng, country, who.name)
        registered = until - WINDOW - timedelta(days=rng.uniform(1, 400))
        plans.append(CustomerPlan(seeded_id(rng), who, email, home, registered))
    return plans


def placement_times(seed: int, count: int, until: datetime) -> list[datetime]:
    """Sorted times over the two years before `until`; business grows (twice as many
    orders a day at the end as at the start)."""
    rng = random.Random(f"orders-seed:{seed}:times")
    # Inverse CDF of a density rising linearly from 1 to 2 over [0, 1].
    days = sorted(math.sqrt(1 + 3 * rng.random()) - 1 for _ in range(count))
    start = until - WINDOW
    times = []
    for fraction in days:
        day = start + timedelta(days=math.floor(fraction * (WINDOW.days - 1)))
        hour = rng.choices(range(24), HOUR_WEIGHTS)[0]
        times.append(day + timedelta(hours=hour, seconds=rng.randrange(3600)))
    return sorted(times)


def plan_order(
    seed: int,
    index: int,
    placed_at: datetime,
    until: datetime,
    people: Sequence[CustomerPlan],
    products: Sequence[ProductPlan],
) -> Story:
    """Order `index`'s whole story: who, what, where, and when each step happens."""
    rng = random.Random(f"orders-seed:{seed}:order:{index}")
    customer = people[int(len(people) * rng.random() ** 1.3)]  # regulars order more often
    picks = rng.sample(products, rng.choices((1, 2, 3, 4), (55, 25, 12, 8))[0])
    quantities = [rng.choices((1, 2, 3, 5), (75, 16, 6, 3))[0] for _ in picks]
    lines = tuple(
        OrderLineRequest(product_id=p.id, quantity=q)
        for p, q in zip(picks, quantities, strict=True)
    )
    total = sum((p.price * q for p, q in zip(picks, quantities, strict=True)), Decimal(0))
    country = customer.person.country
    ship_to = customer.home
    if rng.random() < 0.12:  # a present, or the holiday flat
        ship_to = make_address(rng, country, make_person(rng, country).name)
    order_id = seeded_id(rng)
    place = PlaceOrder(customer_id=customer.id, lines=lines, shipping_address=ship_to)
    steps = [Step(placed_at, place, new_id=order_id)]
    steps += later_steps(rng, order_id, total, country, placed_at)
    return Story(order_id, tuple(step for step in steps if step.at <= until))


def later_steps(
    rng: random.Random, order_id: str, total: Decimal, country: Country, placed: datetime
) -> list[Step]:
    """Payment minutes to hours after placing, shipping within days, delivery days later;
    or a cancellation before or after payment."""
    fate = rng.choices(list(FATES), list(FATES.values()))[0]
    if fate == "PLACED":
        return []
    if fate == "CANCELLED" and rng.random() < 0.5:
        cancelled = placed + timedelta(hours=rng.uniform(1, 72))
        reason = rng.choice(UNPAID_CANCEL_REASONS + CANCEL_REASONS)
        return [Step(cancelled, CancelOrder(order_id=order_id, reason=reason))]
    paid = placed + timedelta(minutes=1 + rng.expovariate(1 / 150))
    steps = [Step(paid, PayOrder(order_id=order_id, amount=total))]
    if fate == "CANCELLED":
        cancelled = paid + timedelta(hours=rng.uniform(0.5, 30))
        reason = rng.choice(CANCEL_REASONS)
        return [*steps, Step(cancelled, CancelOrder(order_id=order_id, reason=reason))]
    if fate == "PAID":
        return steps
    carrier = rng.choice(country.carriers)
    shipped = paid + timedelta(hours=rng.uniform(6, 96))
    tracking = tracking_number(carrier, rng)
    steps.append(
        Step(shipped, ShipOrder(order_id=order_id, carrier=carrier, tracking_number=tracking))
    )
    if fate == "DELIVERED":
        delivered = shipped + timedelta(hours=rng.uniform(18, 150))
        steps.append(Step(delivered, DeliverOrder(order_id=order_id)))
    return steps


@dataclass(frozen=True)
class SeedPlan:
    """What every seeding process needs to rebuild the same stories."""

    seed: int
    orders: int
    until: datetime
    people: list[CustomerPlan]
    products: list[ProductPlan]

    def stories(self, phase: str, shard: int = 0, shards: int = 1) -> Iterator[Story]:
        """This shard's stories (every `shards`-th one), as plans of one or more steps."""
        if phase == "customers":
            for i, c in enumerate(self.people):
                if i % shards == shard:
                    register = RegisterCustomer(name=c.person.name, email=c.email)
                    yield Story(c.id, (Step(c.registered_at, register, c.id),))
            return
        for i, at in enumerate(placement_times(self.seed, self.orders, self.until)):
            if i % shards == shard:
                yield plan_order(self.seed, i, at, self.until, self.people, self.products)
