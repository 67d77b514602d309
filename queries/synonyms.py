"""Search-time synonyms: the English names of large European cities (docs/ARCHITECTURE.md §4).

Orders store a city as the shop's customer wrote it, in its own language ("München",
"Köln", "Wien"); support staff often type the English name. The list is applied when
the request is built, not by an analyzer, so extending it needs no reindex: add a line
(the English name folded and lower case, then the local names) and deploy.

A key may be two words ("the hague"); it then stands for both of them. Local names are
matched as phrases on `shippingAddress.city` (folded), at the same tier as the city typed
as written, so "munich" finds exactly what "münchen" finds.
"""

from __future__ import annotations

from dataclasses import dataclass

CITY_NAMES: dict[str, tuple[str, ...]] = {
    "munich": ("München",),
    "cologne": ("Köln",),
    "vienna": ("Wien",),
    "warsaw": ("Warszawa",),
    "prague": ("Praha",),
    "lisbon": ("Lisboa",),
    "copenhagen": ("København",),
    "gothenburg": ("Göteborg",),
    "the hague": ("Den Haag", "'s-Gravenhage"),
    "florence": ("Firenze",),
    "turin": ("Torino",),
    "naples": ("Napoli",),
    "rome": ("Roma",),
    "milan": ("Milano",),
    "venice": ("Venezia",),
    "genoa": ("Genova",),
    "seville": ("Sevilla",),
    "cracow": ("Kraków",),
    "brussels": ("Bruxelles", "Brussel"),
    "antwerp": ("Antwerpen",),
    "athens": ("Athína", "Athina"),
    "bucharest": ("București", "Bucuresti"),
    "belgrade": ("Beograd",),
    "nuremberg": ("Nürnberg",),
    "hanover": ("Hannover",),
    "zurich": ("Zürich",),
    "geneva": ("Genève", "Genf"),
}
LONGEST_KEY = max(len(key.split()) for key in CITY_NAMES)


@dataclass(frozen=True)
class Unit:
    """One thing the text names: a word, or the words of a synonym key with its cities."""

    words: tuple[str, ...]
    cities: tuple[str, ...] = ()


def units(words: list[str]) -> list[Unit]:
    """The words grouped into units, longest synonym key first ("the hague" is one)."""
    found: list[Unit] = []
    at = 0
    while at < len(words):
        for size in range(min(LONGEST_KEY, len(words) - at), 0, -1):
            key = " ".join(word.lower() for word in words[at : at + size])
            if key in CITY_NAMES:
                found.append(Unit(tuple(words[at : at + size]), CITY_NAMES[key]))
                at += size
                break
        else:
            found.append(Unit((words[at],)))
            at += 1
    return found
