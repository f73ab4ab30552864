"""Working out a venue's time zone offline: the nearest town of 15,000 people or more to its
coordinates, or its town by name, quickly."""

import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from groups.venues import timezones
from groups.venues.timezones import (
    AmbiguousTown,
    distance_km,
    nearest_town,
    timezone_for,
    town_centre,
)


def test_coordinates_give_the_zone_of_the_nearest_town():
    assert timezone_for(53.38, -1.47, None, None) == "Europe/London"  # Sheffield
    assert timezone_for(40.71, -74.0, None, None) == "America/New_York"
    assert timezone_for(-33.87, 151.21, None, None) == "Australia/Sydney"
    assert timezone_for(28.12, -15.43, None, "ES") == "Atlantic/Canary"  # not Madrid's zone
    assert timezone_for(0.0, 179.99, None, None) == "Pacific/Tarawa"  # across the date line


def test_coordinates_win_over_the_town_name():
    assert timezone_for(53.38, -1.47, "Sydney", "AU") == "Europe/London"


def test_without_coordinates_the_town_name_gives_the_zone():
    assert timezone_for(None, None, "Sheffield", "GB") == "Europe/London"
    assert timezone_for(None, None, "  zürich ", None) == "Europe/Zurich"
    assert timezone_for(None, None, "Perth", "AU") == "Australia/Perth"
    assert timezone_for(None, None, "Perth", "GB") == "Europe/London"  # Perth in Scotland
    # A village too small for the gazetteer, in a country with one zone.
    assert timezone_for(None, None, "Hathersage", "GB") == "Europe/London"
    assert timezone_for(None, None, "Nowhere At All", "US") is None  # several zones: can't tell
    assert timezone_for(None, None, None, None) is None
    assert timezone_for(53.38, None, "", None) is None


def test_a_town_centre_is_only_given_when_the_name_is_clear():
    sheffield = town_centre("Sheffield", "GB")
    assert (round(sheffield.latitude, 1), round(sheffield.longitude, 1)) == (53.4, -1.5)
    assert town_centre("Little Snoring", "GB") is None
    try:
        town_centre("Newport", "GB")  # Wales and the Isle of Wight
    except AmbiguousTown:
        pass
    else:
        raise AssertionError("Newport, GB is ambiguous")


def brute_force_nearest(latitude, longitude):
    towns = [row[3] for band in timezones._gazetteer().bands.values() for row in band]
    return min(towns, key=lambda t: distance_km(latitude, longitude, t.latitude, t.longitude))


@settings(max_examples=100, deadline=None)
@given(
    latitude=st.floats(min_value=-90, max_value=90, allow_nan=False),
    longitude=st.floats(min_value=-180, max_value=180, allow_nan=False),
)
@example(latitude=17.75, longitude=43.0)  # the nearest town is in the band above, not the one below
def test_the_banded_search_finds_the_same_town_as_looking_at_all_of_them(latitude, longitude):
    found = nearest_town(latitude, longitude)
    expected = brute_force_nearest(latitude, longitude)
    assert distance_km(latitude, longitude, found.latitude, found.longitude) == pytest.approx(
        distance_km(latitude, longitude, expected.latitude, expected.longitude), abs=1e-6
    )


def test_lookups_are_fast_once_the_gazetteer_is_loaded():
    timezone_for(0, 0, None, None)  # loads it
    points = [(lat, lon) for lat in range(-80, 81, 20) for lon in range(-180, 180, 30)]
    started = time.perf_counter()
    for latitude, longitude in points:
        timezone_for(latitude, longitude, None, None)
    per_lookup = (time.perf_counter() - started) / len(points)
    assert per_lookup < 0.02, f"{per_lookup * 1000:.1f} ms per lookup"


def test_the_gazetteer_is_not_read_when_the_app_starts():
    # Starting the app must not read 30,000 towns: the cache fills on first use.
    script = (
        "from groups import create_app; from groups.venues import timezones; "
        "create_app({'SQLALCHEMY_DATABASE_URI': 'sqlite://', 'SECRET_KEY': 'x'}); "
        "print(timezones._gazetteer.cache_info().currsize, timezones.valid_timezones.cache_info().currsize)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.stdout.split() == ["0", "0"]
