"""Builders the finder's search tests share: groups meeting at exact coordinates and times."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from groups.extensions import db
from groups.finder.search import SearchCriteria
from groups.organisations.models import Group, GroupKind, Organisation, Venue
from groups.schedules.models import Meeting
from groups.venues.timezones import KM_PER_DEGREE_OF_LATITUDE

# Far from the `world` fixture's venues (Sheffield, Leeds): at sea off Cornwall.
CENTRE = (50.0, -6.0)


def north_of(latitude: float, km: float) -> float:
    """The latitude ``km`` due north (negative: south); along a meridian the great-circle
    distance is exactly this many km (1° = 111.195 km with R = 6371.0088 km)."""
    return latitude + km / KM_PER_DEGREE_OF_LATITUDE


def next_local(now: datetime, weekday: int, hour: int, timezone: str = "Europe/London"):
    """The next ``weekday`` (Monday = 0) at ``hour``:00 local time, as a UTC instant."""
    zone = ZoneInfo(timezone)
    day = now.astimezone(zone).date() + timedelta(days=1)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return datetime.combine(day, time(hour), zone).astimezone(UTC)


def add_venue(organisation: Organisation, latitude: float, longitude: float, **fields) -> Venue:
    fields.setdefault("timezone", "Europe/London")
    venue = Venue(
        organisation=organisation, name=fields.pop("name", "Test Venue"),
        address_line1="1 Test Road", town=fields.pop("town", "Testtown"), country="GB",
        latitude=latitude, longitude=longitude, **fields,
    )  # fmt: skip
    db.session.add(venue)
    return venue


def add_meeting(group: Group, starts_at: datetime, venue: Venue | None = None) -> Meeting:
    """A one-off meeting; without ``venue`` it is held at the group's usual venue."""
    meeting = Meeting(
        group=group, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1),
        local_date=starts_at.date(), venue_override=venue,
    )  # fmt: skip
    db.session.add(meeting)
    return meeting


def group_at(
    organisation: Organisation,
    name: str,
    latitude: float,
    longitude: float,
    *,
    starts_at: datetime,
    kind: GroupKind = GroupKind.PEER_SUPPORT,
    capacity: int | None = None,
    conditions=(),
    open_to_newcomers: bool = True,
    **venue_fields,
) -> Group:
    """A public group whose usual venue is at the coordinates, with one meeting there."""
    venue = add_venue(organisation, latitude, longitude, name=f"{name} Hall", **venue_fields)
    group = Group(
        organisation=organisation, name=name, slug=name.lower().replace(" ", "-"), kind=kind,
        default_venue=venue, default_capacity=capacity, open_to_newcomers=open_to_newcomers,
    )  # fmt: skip
    group.conditions = list(conditions)
    db.session.add(group)
    add_meeting(group, starts_at)
    db.session.flush()
    return group


def near_centre(radius_km: float = 10, **filters) -> SearchCriteria:
    return SearchCriteria(latitude=CENTRE[0], longitude=CENTRE[1], radius_km=radius_km, **filters)


def meetings_of(group: Group) -> list[Meeting]:
    return db.session.scalars(
        sa.select(Meeting).where(Meeting.group_id == group.id).order_by(Meeting.starts_at)
    ).all()
