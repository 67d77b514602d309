"""Demo data through the real command path (`orders seed`): customers from fourteen
countries, a catalogue of 71 products, orders in every status over two years.

Everything is planned from a seeded RNG before it is written: ids reach the handlers
through `new_id` and times through `clock`, so one seed always yields the same
customers, products and orders (on an empty database), whatever the concurrency.
Workers only choose the order in which the planned stories are written.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import multiprocessing
import queue
import random
import time
import unicodedata
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from tqdm import tqdm

from commands.bus import CommandBus
from commands.database import create_engine
from commands.messages import (
    AddProduct,
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
from commands.tables import customers, products
from commands.tables import orders as orders_table

DEFAULT_UNTIL = datetime(2026, 11, 1, tzinfo=UTC)  # fixed, so a seed means the same data
WINDOW = timedelta(days=730)
CURRENCY = "EUR"


@dataclass(frozen=True)
class Country:
    """People and places of one country (parsed from COUNTRY_TABLE)."""

    code: str
    male: list[str]
    female: list[str]
    surnames: list[str]  # "Kowalski/Kowalska": male and female forms
    cities: list[tuple[str, list[str]]]  # (city, postal code patterns)
    street: str  # line1: {s} street, {n} house number, {m} flat
    streets: list[str]
    line2: list[str]
    domains: list[str]  # local mail providers; GLOBAL_DOMAINS are added for all
    carriers: list[str]


# Five lines a country: code | male first names | female first names, then surnames,
# then City=postal|postal patterns (# a digit, @ a letter, * an Eircode character),
# then line1 format | streets | line2 extras, then mail domains | carriers.
COUNTRY_TABLE = """
DE | Jürgen, Jörg, Lukas, Maximilian, Björn, Günther, Matthias | Lena, Sophie, Käthe, Jördis, Anna,
  Ursula
Müller, Schröder, Weiß, Groß, Köhler, Schäfer, Krüger, Hoffmann, Fischer, Weber
Berlin=10###|12###|13###, München=80###|81###, Hamburg=20###|22###, Köln=50###|51###,
  Leipzig=04###, Düsseldorf=40###
{s} {n} | Hauptstraße, Bahnhofstraße, Schillerstraße, Lindenallee, Am Mühlbach | 2. OG, Hinterhaus
gmx.de, web.de, t-online.de | DHL, DPD, Hermes, GLS, UPS

AT | Florian, Lukas, Andreas, Stefan | Anna, Theresa, Magdalena, Lea
Gruber, Huber, Bauer, Wagner, Pichler, Mößmer, Hölzl
Wien=10#0|11#0|12#0, Graz=80##, Salzburg=50##, Innsbruck=60##
{s} {n}/{m} | Mariahilfer Straße, Getreidegasse, Herrengasse, Landstraße |
gmx.at, aon.at | Österreichische Post, DPD, GLS

FR | François, Jérôme, Noël, Mathis, Benoît, Gaël, Hugo | Chloé, Élodie, Renée, Hélène, Léa, Anaïs,
  Maëlle
Dubois, Lefèvre, Girard, Bérenger, Rousseau, Mercier, Lemaître, Chevalier, Moreau
Paris=7500#|7501#, Lyon=6900#, Marseille=130##, Toulouse=310##, Nantes=44#00, Bordeaux=33#00
{n} {s} | rue de la République, avenue Jean-Jaurès, rue Victor-Hugo, boulevard Voltaire | Bâtiment
  B, Escalier 2
orange.fr, free.fr, laposte.net | Colissimo, Chronopost, DPD, UPS

ES | José, Ramón, Álvaro, Martín, Ángel, Jesús, Iñaki | María, Inés, Lucía, Sofía, Begoña, Mónica,
  Pilar
García, Fernández, González, Rodríguez, López, Sánchez, Pérez, Núñez, Muñoz, Ibáñez
Madrid=280##, Barcelona=080##, Sevilla=410##, Valencia=460##, Málaga=290##, Bilbao=480##
{s} {n} | Calle Mayor, Avenida de la Constitución, Calle del Sol, Paseo de Gracia | 3º izquierda,
  1º B
telefonica.net, yahoo.es | Correos, SEUR, GLS, UPS

PL | Łukasz, Paweł, Wojciech, Michał, Grzegorz, Bartłomiej, Jędrzej | Małgorzata, Zofia, Agnieszka,
  Katarzyna, Łucja, Bożena
Wójcik, Nowak, Woźniak, Mazur, Krawczyk, Kowalski/Kowalska, Zieliński/Zielińska,
  Dąbrowski/Dąbrowska, Wiśniewski/Wiśniewska
Warszawa=00-###|01-###|02-###|03-###|04-###, Kraków=30-###|31-###,
  Gdańsk=80-###, Wrocław=50-###|51-###|52-###|53-###, Poznań=60-###|61-###,
  Łódź=90-###|91-###|92-###|93-###
ul. {s} {n}/{m} | Długa, Piękna, Mickiewicza, Słowackiego, Kościuszki, Żeromskiego |
wp.pl, onet.pl, o2.pl, interia.pl | InPost, Poczta Polska, DPD

DK | Søren, Jørgen, Frederik, Mads, Rasmus, Bjørn | Mette, Ida, Astrid, Signe, Freja, Sørine
Jørgensen, Sørensen, Nielsen, Kjær, Møller, Østergaard, Bækgaard
København=1###|2###, Aarhus=8000|8200, Odense=5000|5200, Aalborg=9000|9200
{s} {n} | Nørregade, Østergade, Vesterbrogade, Søndergade, Åboulevarden | 2. tv, st. th.
mail.dk, jubii.dk | PostNord, GLS, DAO

NO | Håkon, Øystein, Torbjørn, Bjørnar, Ståle | Ingrid, Sigrid, Åse, Kari, Solveig, Zoë
Ødegaard, Haugen, Bakken, Strøm, Lønning, Aasen, Sæther, Dahl
Oslo=0###, Bergen=50##, Trondheim=70##, Tromsø=90##, Stavanger=40##
{s} {n} | Karl Johans gate, Storgata, Bryggen, Kongens gate, Strandveien |
online.no, getmail.no | Posten Bring, PostNord

SE | Björn, Göran, Östen, Oskar, Ludvig, Åke | Åsa, Linnéa, Märta, Elin, Maja, Göta
Åberg, Lindström, Söderberg, Ekström, Nyström, Öberg, Sjöberg, Björk
Stockholm=11# ##, Göteborg=41# ##, Malmö=21# ##, Uppsala=75# ##
{s} {n} | Storgatan, Drottninggatan, Kungsgatan, Västerlånggatan, Åsögatan |
telia.com, bredband.net | PostNord, DHL, Posten Bring

IE | Seán, Pádraig, Oisín, Ciarán, Darragh, Eoin | Aoife, Siobhán, Niamh, Caoimhe, Róisín, Saoirse
Ó Briain/Ní Bhriain, Ó Súilleabháin/Ní Shúilleabháin, Mac Cárthaigh/Nic Cárthaigh, Murphy, Kelly,
  O'Brien, Walsh, Byrne
Dublin=D0# ****|D1# ****, Cork=T12 ****|T23 ****, Galway=H91 ****, Limerick=V94 ****
{n} {s} | Main Street, Harbour Road, Church Lane, Patrick Street, Strand Road | Apartment 4, The
  Old Mill
eircom.net, iol.ie | An Post, DPD, Fastway

IT | Niccolò, Mattia, Raffaele, Andrea, Lorenzo, Gianluca | Chiara, Giulia, Ilaria, Francesca,
  Martina, Benedetta
Rossi, Bianchi, Ricci, Esposito, Colombo, De Luca, D'Angelo, Galli, Conti
Roma=001##, Milano=201##, Napoli=801##, Torino=101##, Firenze=501##, Bologna=401##
{s} {n} | Via Roma, Via Garibaldi, Corso Vittorio Emanuele, Via Dante, Piazza del Popolo | Scala B,
  Interno 7
libero.it, alice.it, tiscali.it | Poste Italiane, BRT, GLS

PT | João, Gonçalo, Sebastião, Tomás, Rui | Inês, Conceição, Beatriz, Leonor, Mariana
Gonçalves, Simões, Guimarães, Magalhães, Araújo, Sousa, Brandão
Lisboa=1###-###, Porto=4###-###, Braga=47##-###, Coimbra=30##-###
{s} {n} | Rua Augusta, Avenida da Liberdade, Rua de Santa Catarina, Rua do Sol | 2º Esq.
sapo.pt, clix.pt | CTT, DPD

NL | Daan, Thijs, Bram, Joël, Sem | Sanne, Femke, Anouk, Noëlle, Fleur
de Vries, van den Berg, Jansen, de Jong, Bakker, van Dijk, Visser, Smit
Amsterdam=10## @@, Rotterdam=30## @@, Utrecht=35## @@, Den Haag=25## @@, Eindhoven=56## @@
{s} {n} | Prinsengracht, Keizersgracht, Dorpsstraat, Kerkstraat, Molenweg |
ziggo.nl, kpnmail.nl, xs4all.nl | PostNL, DHL, DPD

CZ | Tomáš, Jiří, Lukáš, Ondřej, Václav | Petra, Kateřina, Zuzana, Tereza, Lucie
Dvořák/Dvořáková, Novák/Nováková, Černý/Černá, Svoboda/Svobodová, Procházka/Procházková,
  Kučera/Kučerová
Praha=1## 00, Brno=6## 00, Ostrava=7## 00, Plzeň=3## 00
{s} {n} | Národní, Vinohradská, Masarykova, Husova, Nádražní |
seznam.cz, email.cz, centrum.cz | Česká pošta, PPL, Zásilkovna

GB | Oliver, Harry, George, Rhys, Callum | Amelia, Olivia, Isla, Siân, Eleanor
Smith, Jones, Taylor, Brown, Williams, Davies, Evans, Thomas
London=SW1A #@@|E1 #@@|N1 #@@|SE1 #@@|NW3 #@@, Manchester=M1 #@@|M14 #@@, Edinburgh=EH1 #@@|EH3
  #@@, Bristol=BS1 #@@|BS8 #@@
{n} {s} | High Street, Station Road, Victoria Road, Church Street, Baker Street | Flat 3
btinternet.com, hotmail.co.uk, sky.com | Royal Mail, Evri, DPD, UPS
"""
GLOBAL_DOMAINS = ("gmail.com", "gmail.com", "outlook.com", "yahoo.com", "icloud.com", "proton.me")
BIG_MARKETS = ("DE", "FR", "ES", "PL")  # most customers live here

# Category | SKU prefix | "Name price; ...". A SKU is PREFIX-NOUN-NN, NOUN being the last
# word of the name, numbered per noun: Steel Kettle → KIT-KETTLE-01, Glass Kettle → -02.
CATALOGUE_TABLE = """
kitchen | KIT | Steel Kettle 39.90; Glass Kettle 44.50; Cast Iron Pan 49.00; Non-Stick Pan 34.90;
  Chef's Knife 69.00; Pepper Mill 24.90; Crème Brûlée Torch 29.00; French Press 32.00; Espresso
  Grinder 129.00
home | HOM | Linen Duvet Cover 89.00; Wool Throw 59.00; Ceramic Vase 27.50; Scented Candle 14.90;
  Bamboo Towel 19.90; Down Pillow 45.00; Reading Lamp 64.00
garden | GDN | Pruning Shears 22.90; Watering Can 18.50; Garden Hose 45.00; Seed Tray 6.90; Bird
  Feeder 16.00; Raised Planter 119.00
apparel | APP | Red Wool Scarf 19.99; Merino Scarf 34.00; Rain Jacket 129.00; Down Jacket 189.00;
  Linen Shirt 49.90; Flannel Shirt 39.90; Hiking Socks 12.90; Knitted Beanie 17.50
footwear | FTW | Trail Runner 119.00; Leather Boot 159.00; Canvas Sneaker 59.00; Wool Slipper
  35.00; Rubber Boot 29.90
books | BOK | Atlas of Rivers 29.00; The Nordic Cookbook 34.95; Field Guide to Birds 24.00; Słownik
  Polsko-Angielski 19.00; Café Stories 16.50; Garden Year Planner 12.00
toys | TOY | Wooden Train 39.00; Building Blocks 24.90; Plush Bear 19.90; Puzzle 1000 Teile 14.99;
  Kite 22.00; Marble Run 49.00
electronics | ELC | Wireless Headphones 149.00; Bluetooth Speaker 79.00; USB-C Charger 24.90;
  E-Reader 129.00; Smart Plug 19.90; Desk Fan 39.00; Power Bank 34.90
sports | SPT | Yoga Mat 29.90; Foam Roller 21.00; Trekking Poles 54.00; Water Bottle 18.00; Bike
  Light 27.50; Climbing Chalk 8.90; Tennis Racket 99.00
beauty | BTY | Argan Hair Oil 18.90; Shea Hand Cream 9.90; Beard Balm 14.50; Rose Face Mist 16.00;
  Bamboo Toothbrush 4.90
office | OFF | Fountain Pen 45.00; Dotted Notebook 12.90; Desk Organizer 27.00; Monitor Stand
  49.00; Ergonomic Mouse 39.90
"""

# Tracking numbers: a pattern (`#` digit, `@` letter, `*` alphanumeric) or S10:<country>,
# the UPU format national posts use (two letters, eight digits, a check digit, country).
TRACKING_TABLE = """
DHL=00340434############, UPS=1Z******##########, DPD=0##############, GLS=###########,
  Hermes=H100#############, Colissimo=6A###########, Chronopost=XY#########FR,
  SEUR=05############, InPost=6########################, PostNL=3S@@@@#########,
  DAO=00057#########, Fastway=@@##########, BRT=###############, PPL=4##########,
  Zásilkovna=Z##########, Evri=H0####@#########, Posten Bring=370#################,
  Österreichische Post=S10:AT, Poczta Polska=S10:PL, PostNord=S10:SE, Correos=S10:ES,
  An Post=S10:IE, Poste Italiane=S10:IT, CTT=S10:PT, Česká pošta=S10:CZ, Royal Mail=S10:GB
"""
S10_SERVICES = ("RR", "CP", "LX", "EE", "RB")
CANCEL_REASONS = (
    "changed my mind",
    "ordered by mistake",
    "found a better price elsewhere",
    "delivery takes too long",
    "wrong size ordered",
)
UNPAID_CANCEL_REASONS = ("payment failed", "payment not received in time")
# The story an order is meant to have (cut short where its next step lies after `until`).
FATES = {"PLACED": 5, "CANCELLED": 7, "PAID": 5, "SHIPPED": 11, "DELIVERED": 72}
# Placement by hour of day (UTC): quiet nights, busy evenings.
HOUR_WEIGHTS = [0.3] * 7 + [1.0] * 5 + [1.4] * 6 + [2.0] * 4 + [1.0] * 2


class SeedError(RuntimeError):
    """The database cannot take this seed (e.g. the same seed was applied before)."""


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


@dataclass
class SeedReport:
    customers: int = 0
    products: int = 0
    orders: int = 0
    commands: int = 0
    seconds: float = 0.0
    statuses: Counter[str] = field(default_factory=Counter)

    @property
    def orders_per_second(self) -> float:
        return self.orders / self.seconds if self.seconds else 0.0


# --- the tables ------------------------------------------------------------------------------


def logical_lines(table: str) -> list[str]:
    """Non-blank lines, an indented line continuing the one before."""
    lines: list[str] = []
    for line in table.strip("\n").splitlines():
        if line.startswith(" ") and lines:
            lines[-1] += " " + line.strip()
        elif line.strip():
            lines.append(line.strip())
    return lines


def items(text: str, sep: str = ",") -> list[str]:
    return [item.strip() for item in text.split(sep) if item.strip()]


def parse_countries(table: str) -> tuple[Country, ...]:
    lines = logical_lines(table)
    countries = []
    for at in range(0, len(lines), 5):
        head, surnames, cities, streets, mail = lines[at : at + 5]
        code, male, female = (part.strip() for part in head.split("|"))
        street, street_names, line2 = (part.strip() for part in streets.split("|"))
        domains, carriers = (part.strip() for part in mail.split("|"))
        places = [city.split("=") for city in items(cities)]
        countries.append(
            Country(
                code=code,
                male=items(male),
                female=items(female),
                surnames=items(surnames),
                cities=[(city, items(patterns, "|")) for city, patterns in places],
                street=street,
                streets=items(street_names),
                line2=items(line2),
                domains=items(domains),
                carriers=items(carriers),
            )
        )
    return tuple(countries)


COUNTRIES = parse_countries(COUNTRY_TABLE)
TRACKING = dict(entry.split("=") for entry in items(" ".join(logical_lines(TRACKING_TABLE))))


# --- pure generation -------------------------------------------------------------------------


def seeded_id(rng: random.Random) -> str:
    """A UUID4-shaped id drawn from `rng` (deterministic, unlike uuid.uuid4)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def fill_pattern(pattern: str, rng: random.Random) -> str:
    """`#` → digit, `@` → letter, `*` → digit or letter (the Eircode alphabet)."""
    pools = {"#": "0123456789", "@": "ABDEFGHJLNPQRSTUWXYZ", "*": "0123456789ACDEFHKNPRTVWXY"}
    return "".join(rng.choice(pools[c]) if c in pools else c for c in pattern)


def s10(country: str, rng: random.Random) -> str:
    """A UPU S10 item number, e.g. RR123456785PL, with its mod-11 check digit."""
    serial = [rng.randrange(10) for _ in range(8)]
    check = 11 - sum(d * w for d, w in zip(serial, (8, 6, 4, 2, 3, 5, 9, 7), strict=True)) % 11
    check = {10: 0, 11: 5}.get(check, check)
    return f"{rng.choice(S10_SERVICES)}{''.join(map(str, serial))}{check}{country}"


def tracking_number(carrier: str, rng: random.Random) -> str:
    pattern = TRACKING[carrier]
    if pattern.startswith("S10:"):
        return s10(pattern.removeprefix("S10:"), rng)
    return fill_pattern(pattern, rng)


def ascii_fold(text: str, german: bool = False) -> str:
    """Lower-case ASCII letters and digits only: "Ní Bhriain" → "nibhriain", "Ødegaard" →
    "odegaard"; German style spells umlauts out ("Müller" → "mueller")."""
    spelled = {"ß": "ss", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "œ": "oe"}
    if german:
        spelled |= {"ä": "ae", "ö": "oe", "ü": "ue"}
    text = "".join(spelled.get(c, c) for c in text.lower())
    return "".join(c for c in unicodedata.normalize("NFKD", text) if c.isascii() and c.isalnum())


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


# --- writing through the command bus ---------------------------------------------------------


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


async def seed_demo_data(
    engine: AsyncEngine,
    *,
    orders: int,
    seed: int = 7,
    concurrency: int = 1,
    processes: int = 1,
    until: datetime = DEFAULT_UNTIL,
    progress: bool = True,
) -> SeedReport:
    """Add the catalogue (what is missing of it), register customers and place `orders`
    orders, every command through the CommandBus: `concurrency` stories at a time, spread
    over `processes` processes (the command path is CPU-bound Python)."""
    if orders < 0 or concurrency < 1 or not 1 <= processes <= concurrency:
        raise ValueError("need orders >= 0 and 1 <= processes <= concurrency")
    started, report = time.perf_counter(), SeedReport()
    products = await _ensure_catalogue(engine, until, report)
    people = plan_customers(seed, max(10, orders // 3), until, await _emails_in_use(engine))
    await _refuse_replay(engine, people[0].id, seed)
    plan = SeedPlan(seed, orders, until, people, products)
    for phase, total in (("customers", len(people)), ("orders", orders)):
        bar = tqdm(total=total, desc=f"seeding {phase}", unit=phase[:-1], disable=not progress)
        try:
            if processes == 1:
                tally = await _play_shard(engine, plan.stories(phase), concurrency, bar.update)
            else:
                tally = await _play_in_processes(engine, plan, phase, concurrency, processes, bar)
        finally:
            bar.close()
        report.commands += tally.pop("commands", 0)
        if phase == "orders":
            report.statuses = tally
    report.customers, report.orders = len(people), orders
    report.commands += report.products
    report.seconds = time.perf_counter() - started
    return report


async def count_orders(engine: AsyncEngine) -> int:
    """How many orders the write store holds (benchmarks reuse a seeded database)."""
    async with engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(orders_table)) or 0)


async def _ensure_catalogue(
    engine: AsyncEngine, until: datetime, report: SeedReport
) -> list[ProductPlan]:
    """Add the products whose SKU is missing; present ones are used as they are now."""
    async with engine.connect() as conn:
        rows = (await conn.execute(select(products.c.sku, products.c.id, products.c.price))).all()
    present = {row.sku: row for row in rows}
    added_at = until - WINDOW - timedelta(days=30)
    plans = []
    for plan in catalogue():
        row = present.get(plan.sku)
        if row is not None:
            plans.append(ProductPlan(row.id, plan.sku, plan.name, plan.category, row.price))
            continue
        command = AddProduct(
            sku=plan.sku,
            name=plan.name,
            price=plan.price,
            currency=CURRENCY,
            category=plan.category,
        )
        await _play(engine, Step(added_at, command, plan.id))
        report.products += 1
        plans.append(plan)
    return plans


async def _emails_in_use(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        return set((await conn.execute(select(customers.c.email))).scalars())


async def _refuse_replay(engine: AsyncEngine, first_customer: str, seed: int) -> None:
    query = select(func.count()).select_from(customers).where(customers.c.id == first_customer)
    async with engine.connect() as conn:
        if await conn.scalar(query):
            raise SeedError(f"seed {seed} was applied to this database before; use another --seed")


async def _play_shard(
    engine: AsyncEngine, stories: Iterator[Story], workers: int, done: Callable[[int], object]
) -> Counter[str]:
    """`workers` tasks share one iterator of stories (next() never awaits, so each story
    is taken once) and play each story's steps in order; returns statuses and commands."""
    tally: Counter[str] = Counter()

    async def worker() -> None:
        for story in stories:
            for step in story.steps:
                await _play(engine, step)
            tally[story.status] += 1
            tally["commands"] += len(story.steps)
            done(1)

    try:
        async with asyncio.TaskGroup() as group:
            for _ in range(workers):
                group.create_task(worker())
    except ExceptionGroup as failed:  # one worker's error stops the others; report it
        raise failed.exceptions[0] from None
    return tally


async def _play_in_processes(
    engine: AsyncEngine, plan: SeedPlan, phase: str, workers: int, processes: int, bar: tqdm
) -> Counter[str]:
    """Shard the stories over `processes` spawned processes with their own engines."""
    context = multiprocessing.get_context("spawn")  # no fork of a running event loop
    url = engine.url.render_as_string(hide_password=False)
    counter = context.Value("q", 0)
    results = context.Queue()
    shares = [workers // processes + (i < workers % processes) for i in range(processes)]
    children = [
        context.Process(
            target=_shard_main, args=(url, plan, phase, i, processes, n, counter, results)
        )
        for i, n in enumerate(shares)
    ]
    for child in children:
        child.start()
    tally: Counter[str] = Counter()
    try:
        for _ in children:
            outcome = await _next_result(results, children, counter, bar)
            if isinstance(outcome, str):
                raise SeedError(f"a seeding process failed: {outcome}")
            tally += outcome
    finally:
        for child in children:
            if child.is_alive():
                child.terminate()
            child.join()
    bar.update(counter.value - bar.n)
    return tally


async def _next_result(results: Any, children: list[Any], counter: Any, bar: tqdm) -> Any:
    """The next shard's outcome, moving the bar meanwhile; an error if all died silently."""
    while True:
        bar.update(counter.value - bar.n)
        with contextlib.suppress(queue.Empty):
            return results.get_nowait()
        if not any(child.is_alive() for child in children):
            with contextlib.suppress(queue.Empty):
                return results.get(timeout=1)
            return "every seeding process has exited without a result"
        await asyncio.sleep(0.25)


def _shard_main(
    url: str,
    plan: SeedPlan,
    phase: str,
    shard: int,
    shards: int,
    workers: int,
    counter: Any,
    results: Any,
) -> None:
    """A seeding process: play one shard, put its tally (or the error) on `results`."""

    def done(n: int) -> None:
        with counter.get_lock():
            counter.value += n

    async def run() -> Counter[str]:
        engine = create_engine(url)
        try:
            return await _play_shard(engine, plan.stories(phase, shard, shards), workers, done)
        finally:
            await engine.dispose()

    try:
        results.put(asyncio.run(run()))
    except BaseException as exc:
        results.put(f"{type(exc).__name__}: {exc}")
        raise


async def _play(engine: AsyncEngine, step: Step) -> None:
    """One command in its own transaction, stamped with the step's time and planned id."""

    def new_id() -> str:
        if step.new_id is None:
            raise RuntimeError(f"{type(step.command).__name__} asked for an unplanned id")
        return step.new_id

    await CommandBus(engine, clock=lambda: step.at, new_id=new_id).dispatch(step.command)
