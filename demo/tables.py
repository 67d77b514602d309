"""The demo data's raw material (`orders seed`): people and places of fourteen countries,
a catalogue of 71 products and carriers' tracking-number formats, as compact text tables,
with the small parsers and pattern fillers that turn them into values."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass


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
