"""VTIMEZONE components worked out from the IANA database (``zoneinfo``), for every TZID a feed uses.

Why not ``icalendar.Timezone.from_tzid``: in icalendar 7.3 it writes the onset of daylight time as
the wall time *after* the change (03:00 for New York's 02:00 -> 03:00), while RFC 5545 (3.8.3.3)
reads DTSTART with TZOFFSETFROM, so a client that uses the VTIMEZONE rather than its own copy of
the database would switch an hour late. Here each onset is the UTC instant of the change written
in the offset in force before it.

The component lists every change from 1 January of ``first_year`` to 31 December of
``last_year`` (DTSTART for the first of each kind, RDATE for the rest), so it depends only on the
years asked for: the same years give the same bytes.
"""

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

# Zones change offset at most a few times a year; six hours is finer than any two changes.
_STEP = timedelta(hours=6)


def _state(zone: ZoneInfo, instant: datetime) -> tuple[timedelta, timedelta, str]:
    local = instant.astimezone(zone)
    return local.utcoffset(), local.dst() or timedelta(0), local.tzname() or ""


def _change_instant(zone: ZoneInfo, before: datetime, after: datetime) -> datetime:
    """The first whole second in (before, after] with the state of ``after`` (bisection)."""
    wanted = _state(zone, after)
    low, high = before, after
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        middle = middle.replace(microsecond=0)
        if middle <= low:
            break
        if _state(zone, middle) == wanted:
            high = middle
        else:
            low = middle
    return high


def _changes(zone: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    found = []
    instant, state = start, _state(zone, start)
    while instant < end:
        following = instant + _STEP
        next_state = _state(zone, following)
        if next_state != state:
            found.append(_change_instant(zone, instant, following))
        instant, state = following, next_state
    return found


@lru_cache(maxsize=128)
def vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """The VTIMEZONE for ``tzid`` covering ``first_year`` to ``last_year`` (cached; treat it as
    read-only)."""
    zone = ZoneInfo(tzid)
    start = datetime(first_year, 1, 1, tzinfo=zone).astimezone(UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=zone).astimezone(UTC)
    # (offset before, offset after, name, is daylight) -> onsets in local time before the change
    observances: dict[tuple[timedelta, timedelta, str, bool], list[datetime]] = defaultdict(list)
    offset, dst, name = _state(zone, start)
    observances[(offset, offset, name, bool(dst))].append((start + offset).replace(tzinfo=None))
    for change in _changes(zone, start, end):
        before = _state(zone, change - timedelta(seconds=1))[0]
        after, dst, name = _state(zone, change)
        observances[(before, after, name, bool(dst))].append((change + before).replace(tzinfo=None))

    component = Timezone()
    component.add("tzid", tzid)
    kinds = sorted(observances.items(), key=lambda item: min(item[1]))
    for (offset_from, offset_to, name, daylight), onsets in kinds:
        observance = TimezoneDaylight() if daylight else TimezoneStandard()
        onsets = sorted(onsets)
        observance.add("dtstart", onsets[0])
        if len(onsets) > 1:
            observance.add("rdate", onsets[1:])
        observance.add("tzname", name)
        observance.add("tzoffsetfrom", offset_from)
        observance.add("tzoffsetto", offset_to)
        component.add_component(observance)
    return component
