"""Shared pieces for the feed tests: parsing, line checks, and groups with fixed-date schedules."""

import re
from datetime import UTC, date, datetime, time

import recurring_ical_events
from icalendar import Calendar

from groups.extensions import db
from groups.organisations.models import Group, GroupKind, Venue
from groups.schedules.logic import extend_meetings
from groups.schedules.models import Meeting, MeetingStatus, Schedule
from groups.schedules.recurrence import Rule

FEED_STATUS = {
    MeetingStatus.SCHEDULED: "CONFIRMED",
    MeetingStatus.MOVED: "CONFIRMED",
    MeetingStatus.CANCELLED: "CANCELLED",
}


def assert_well_formed(data: bytes) -> Calendar:
    """Every line ends in CRLF, is at most 75 octets, holds no bare CR or LF; the file parses."""
    assert data.endswith(b"\r\n")
    lines = data[:-2].split(b"\r\n")
    for line in lines:
        assert b"\r" not in line and b"\n" not in line, line
        assert len(line) <= 75, (len(line), line)
        line.decode("utf-8")  # folding never splits a UTF-8 sequence
    names = {line.split(":", 1)[0].split(";", 1)[0] for line in unfolded(data)}
    assert not names & {"ATTENDEE", "ORGANIZER"}
    return Calendar.from_ical(data)


def unfolded(data: bytes) -> list[str]:
    return re.sub(r"\r\n[ \t]", "", data.decode()).split("\r\n")


def expand(data: bytes, start: datetime, end: datetime) -> set[tuple[datetime, datetime, str]]:
    calendar = Calendar.from_ical(data)
    return {
        (
            event["DTSTART"].dt.astimezone(UTC),
            event["DTEND"].dt.astimezone(UTC),
            str(event.get("STATUS", "CONFIRMED")),
        )
        for event in recurring_ical_events.of(calendar).between(start, end)
    }


def rows_between(
    group: Group, start: datetime, end: datetime
) -> set[tuple[datetime, datetime, str]]:
    meetings = db.session.scalars(
        db.select(Meeting).where(
            Meeting.group_id == group.id, Meeting.starts_at >= start, Meeting.starts_at < end
        )
    )
    return {(m.starts_at, m.ends_at, FEED_STATUS[m.status]) for m in meetings}


def new_venue(organisation, name: str, timezone: str, latitude: float, longitude: float) -> Venue:
    venue = Venue(
        organisation=organisation, name=name, address_line1="1 Main Street", town="Town",
        country="GB" if timezone.startswith("Europe") else "US", latitude=latitude,
        longitude=longitude, timezone=timezone,
    )  # fmt: skip
    db.session.add(venue)
    return venue


def new_group_with_schedule(
    organisation, venue: Venue, slug: str, rule: Rule, *, now: datetime, until: datetime
) -> tuple[Group, Schedule]:
    group = Group(
        organisation=organisation, name=slug.replace("-", " ").title(), slug=slug,
        kind=GroupKind.PEER_SUPPORT, default_venue=venue,
    )  # fmt: skip
    schedule = Schedule(group=group, venue=venue, rule=rule)
    db.session.add_all([group, schedule])
    db.session.flush()
    extend_meetings(schedule, now=now, until=until)
    db.session.flush()
    return group, schedule


def weekly(weekday: int, at: time, timezone: str, first: date, minutes: int = 90) -> Rule:
    return Rule(
        frequency="weekly", weekdays=(weekday,), start_time=at, duration_minutes=minutes,
        timezone=timezone, first_date=first,
    )  # fmt: skip
