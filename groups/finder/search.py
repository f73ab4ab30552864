"""Finding public groups near a place, in the database.

A group is found by its next meeting that suits the search (the day, the time of day, a venue with
the access someone needs, free seats): that meeting's venue is where the group is, because it is
where the person would go. (The group's usual venue would be simpler, but wrong the week a meeting
moves.) A group with no meeting coming up is not found: there is nothing to go to.

How it runs, in a fixed few queries whatever the number of groups:
1. venues inside a bounding box around the place (the index on latitude and longitude), with the
   accessibility features asked for; the exact great-circle distance is worked out in Python for
   those rows only, and venues further than the radius are dropped;
2. the upcoming meetings (not cancelled) of public groups at those venues, oldest first, as plain
   rows; the first one of each group on a wanted day and time of day (in the venue's own time
   zone) is that group's meeting;
3. the seats taken at those meetings, in one aggregate;
4. the meetings, groups, organisations and venues to show, loaded together.
"""

import enum
import math
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa

from groups.extensions import db
from groups.finder.logic import public_groups
from groups.organisations.models import Condition, Group, GroupCondition, GroupKind, Venue
from groups.rsvps.models import RSVP, RSVPStatus
from groups.schedules.models import Meeting, MeetingStatus, Schedule, meeting_venue_loaders
from groups.venues.timezones import EARTH_RADIUS_KM, distance_km

KM_PER_MILE = 1.609344
MAX_RESULTS = 50  # the nearest; past that a list is too long to read, and the page says so


class Unit(enum.Enum):
    KM = "km"
    MILES = "mi"

    @property
    def label(self) -> str:
        return "km" if self is Unit.KM else "miles"

    def to_km(self, distance: float) -> float:
        return distance * KM_PER_MILE if self is Unit.MILES else distance

    def from_km(self, distance: float) -> float:
        return distance / KM_PER_MILE if self is Unit.MILES else distance


def default_unit(language: str | None) -> Unit:
    """Miles for British and American English (the browser's first language), else kilometres."""
    tag = (language or "").strip().lower().replace("_", "-")
    return Unit.MILES if tag in {"en-gb", "en-us"} else Unit.KM


class TimeOfDay(enum.Enum):
    MORNING = "morning"  # starts before 12:00, local time
    AFTERNOON = "afternoon"  # 12:00 to 16:59
    EVENING = "evening"  # 17:00 or later

    @classmethod
    def of(cls, local_start: datetime) -> "TimeOfDay":
        if local_start.hour < 12:
            return cls.MORNING
        return cls.AFTERNOON if local_start.hour < 17 else cls.EVENING


# Each accessibility feature someone may need, as a condition on the venue.
ACCESS_FEATURES = {
    "step_free_entrance": Venue.step_free_entrance.is_(True),
    "lift": Venue.lift.is_(True),
    "accessible_toilet": Venue.accessible_toilet.is_(True),
    "seating_with_back_support": Venue.seating_with_back_support.is_(True),
    "space_to_stand_and_move": Venue.space_to_stand_and_move.is_(True),
    "hearing_loop": Venue.hearing_loop.is_(True),
    "quiet_room": Venue.quiet_room.is_(True),
    "parking": Venue.parking_distance_m.is_not(None),
}


@dataclass(frozen=True)
class SearchCriteria:
    """A search: the centre and radius, and filters. An empty filter set lets everything through;
    several days, times, kinds or conditions mean any of them; several features mean all."""

    latitude: float
    longitude: float
    radius_km: float
    weekdays: frozenset[int] = frozenset()  # Monday = 0
    times_of_day: frozenset[TimeOfDay] = frozenset()
    kinds: frozenset[GroupKind] = frozenset()
    conditions: frozenset[Condition] = frozenset()
    access_features: frozenset[str] = frozenset()
    has_spaces: bool = False
    open_to_newcomers: bool = False


@dataclass(frozen=True)
class BoundingBox:
    min_latitude: float
    max_latitude: float
    longitude_ranges: tuple[tuple[float, float], ...]  # two across the 180° line

    def condition(self):
        return sa.and_(
            Venue.latitude.between(self.min_latitude, self.max_latitude),
            sa.or_(*(Venue.longitude.between(low, high) for low, high in self.longitude_ranges)),
        )


# Rounding must never drop a venue on the edge; the exact distance decides anyway.
_BOX_MARGIN_DEGREES = 1e-6


def bounding_box(latitude: float, longitude: float, radius_km: float) -> BoundingBox:
    """The smallest latitude/longitude box holding every point within ``radius_km``: split in two
    where it crosses the 180° line, and every longitude when it reaches a pole."""
    angular = radius_km / EARTH_RADIUS_KM
    degrees = math.degrees(angular) + _BOX_MARGIN_DEGREES
    low, high = latitude - degrees, latitude + degrees
    if low <= -90 or high >= 90 or angular >= math.pi / 2:
        return BoundingBox(max(low, -90.0), min(high, 90.0), ((-180.0, 180.0),))
    # The widest longitude a circle on the sphere reaches (it is not at the centre's latitude).
    spread = math.degrees(math.asin(math.sin(angular) / math.cos(math.radians(latitude))))
    spread += _BOX_MARGIN_DEGREES
    west, east = longitude - spread, longitude + spread
    if spread >= 180:
        ranges = ((-180.0, 180.0),)
    elif west < -180:
        ranges = ((west + 360, 180.0), (-180.0, east))
    elif east > 180:
        ranges = ((west, 180.0), (-180.0, east - 360))
    else:
        ranges = ((west, east),)
    return BoundingBox(low, high, ranges)


@dataclass
class SearchResult:
    group: Group
    meeting: Meeting  # the next meeting that suits the search
    venue: Venue
    distance_km: float
    spaces_left: int | None  # None: no limit

    @property
    def is_full(self) -> bool:
        return self.spaces_left == 0


@dataclass
class SearchOutcome:
    results: list[SearchResult] = field(default_factory=list)
    more_than_shown: bool = False  # there were more than MAX_RESULTS


@dataclass(frozen=True)
class _NearbyVenue:
    distance_km: float
    timezone: ZoneInfo


@dataclass(frozen=True)
class _Candidate:
    meeting_id: int
    group_id: int
    venue_id: int
    starts_at: datetime
    capacity: int | None


def venues_near(criteria: SearchCriteria) -> dict[int, _NearbyVenue]:
    """Venues within the radius that have every feature asked for (archived ones too: they still
    host the meetings already planned there): id -> distance and zone."""
    box = bounding_box(criteria.latitude, criteria.longitude, criteria.radius_km)
    rows = db.session.execute(
        sa.select(Venue.id, Venue.latitude, Venue.longitude, Venue.timezone).where(
            box.condition(), *(ACCESS_FEATURES[name] for name in sorted(criteria.access_features))
        )
    )
    nearby = {}
    for venue_id, latitude, longitude, timezone in rows:
        distance = distance_km(criteria.latitude, criteria.longitude, latitude, longitude)
        if distance <= criteria.radius_km:
            nearby[venue_id] = _NearbyVenue(distance, _zone(timezone))
    return nearby


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):  # venue forms check zones; old rows may not
        return ZoneInfo("UTC")


def _groups_meeting_at(venue_ids):
    """Ids of groups that meet at one of these venues: their usual venue, a schedule's, or a
    meeting's own (past ones too: filtering on the time would steer SQLite off the venue index)."""
    ids = sorted(venue_ids)
    return sa.union(
        sa.select(Group.id).where(Group.default_venue_id.in_(ids)),
        sa.select(Schedule.group_id).where(Schedule.venue_id.in_(ids)),
        sa.select(Meeting.group_id).where(Meeting.venue_id.isnot(None), Meeting.venue_id.in_(ids)),
    )


def _upcoming_meetings_at(venue_ids, criteria: SearchCriteria, now: datetime):
    """Plain rows for the upcoming meetings of public groups that suit the group filters, held
    at these venues (a meeting's own venue, else its schedule's, else its group's), soonest first."""
    venue_id = sa.func.coalesce(Meeting.venue_id, Schedule.venue_id, Group.default_venue_id)
    query = (
        sa.select(
            Meeting.id,
            Meeting.group_id,
            venue_id.label("venue_id"),
            Meeting.starts_at,
            sa.func.coalesce(Meeting.capacity, Group.default_capacity).label("capacity"),
        )
        .join(Group, Meeting.group_id == Group.id)
        .outerjoin(Schedule, Meeting.schedule_id == Schedule.id)
        .where(
            Group.id.in_(public_groups().with_only_columns(Group.id)),
            # Only groups that meet at one of these venues: found through the venue indexes, so
            # the meetings are read through their group's index, not every upcoming meeting.
            Meeting.group_id.in_(_groups_meeting_at(venue_ids)),
            Meeting.starts_at > now,
            Meeting.status != MeetingStatus.CANCELLED,
            venue_id.in_(sorted(venue_ids)),
        )
        .order_by(Meeting.starts_at, Meeting.id)
    )
    if criteria.kinds:
        query = query.where(Group.kind.in_(sorted(criteria.kinds, key=lambda kind: kind.value)))
    if criteria.conditions:
        wanted = sorted(criteria.conditions, key=lambda condition: condition.value)
        query = query.where(
            Group.id.in_(
                sa.select(GroupCondition.group_id).where(GroupCondition.condition.in_(wanted))
            )
        )
    if criteria.open_to_newcomers:
        query = query.where(Group.open_to_newcomers.is_(True))
    return db.session.execute(query)


def _suits(starts_at: datetime, timezone: ZoneInfo, criteria: SearchCriteria) -> bool:
    local = starts_at.astimezone(timezone)
    if criteria.weekdays and local.weekday() not in criteria.weekdays:
        return False
    return not criteria.times_of_day or TimeOfDay.of(local) in criteria.times_of_day


def _seats_taken(meeting_ids) -> dict[int, int]:
    rows = db.session.execute(
        sa.select(RSVP.meeting_id, sa.func.sum(1 + RSVP.companions))
        .where(RSVP.meeting_id.in_(sorted(meeting_ids)), RSVP.status == RSVPStatus.GOING)
        .group_by(RSVP.meeting_id)
    )
    return {meeting_id: int(taken) for meeting_id, taken in rows}


def _load_meetings(meeting_ids) -> dict[int, Meeting]:
    meetings = db.session.scalars(
        sa.select(Meeting)
        .where(Meeting.id.in_(sorted(meeting_ids)))
        .options(*meeting_venue_loaders(with_organisation=True))
    )
    return {meeting.id: meeting for meeting in meetings}


def search_groups(criteria: SearchCriteria, now: datetime) -> SearchOutcome:
    """Public groups whose next suitable meeting is within the radius, nearest first (then
    soonest), at most MAX_RESULTS of them."""
    nearby = venues_near(criteria)
    if not nearby:
        return SearchOutcome()
    chosen: dict[int, _Candidate] = {}
    for meeting_id, group_id, venue_id, starts_at, capacity in _upcoming_meetings_at(
        nearby, criteria, now
    ):
        if group_id not in chosen and _suits(starts_at, nearby[venue_id].timezone, criteria):
            chosen[group_id] = _Candidate(meeting_id, group_id, venue_id, starts_at, capacity)
    if not chosen:
        return SearchOutcome()
    taken = _seats_taken(candidate.meeting_id for candidate in chosen.values())

    def spaces_left(candidate: _Candidate) -> int | None:
        if candidate.capacity is None:
            return None
        return max(0, candidate.capacity - taken.get(candidate.meeting_id, 0))

    candidates = [
        candidate
        for candidate in chosen.values()
        if not criteria.has_spaces or spaces_left(candidate) != 0
    ]
    candidates.sort(key=lambda c: (nearby[c.venue_id].distance_km, c.starts_at, c.meeting_id))
    shown = candidates[:MAX_RESULTS]
    meetings = _load_meetings(candidate.meeting_id for candidate in shown)
    results = []
    for candidate in shown:
        meeting = meetings[candidate.meeting_id]
        results.append(
            SearchResult(
                group=meeting.group,
                meeting=meeting,
                venue=meeting.venue,
                distance_km=nearby[candidate.venue_id].distance_km,
                spaces_left=spaces_left(candidate),
            )
        )
    return SearchOutcome(results, more_than_shown=len(candidates) > MAX_RESULTS)
