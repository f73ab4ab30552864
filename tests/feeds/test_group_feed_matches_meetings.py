"""The group feed, expanded by a calendar library, gives exactly the app's own meetings."""

from datetime import UTC, date, datetime, time

import pytest
from icalendar import Calendar

from groups.extensions import db
from groups.rsvps.logic import make_rsvp
from groups.schedules.logic import (
    add_one_off_meeting,
    apply_schedule_change,
    cancel_meeting,
    move_meeting,
)
from groups.schedules.models import Meeting
from groups.schedules.recurrence import Rule
from tests.feeds.helpers import (
    assert_well_formed,
    expand,
    new_group_with_schedule,
    new_venue,
    rows_between,
    weekly,
)

YEAR_START = datetime(2027, 1, 1, tzinfo=UTC)
YEAR_END = datetime(2028, 1, 1, tzinfo=UTC)
UNTIL = datetime(2028, 1, 8, tzinfo=UTC)


def _meeting_on(schedule, day: date) -> Meeting:
    return db.session.scalar(
        db.select(Meeting).where(Meeting.schedule_id == schedule.id, Meeting.local_date == day)
    )


def _feed(client, slug: str) -> bytes:
    response = client.get(f"/feeds/groups/{slug}.ics")
    assert response.status_code == 200
    assert_well_formed(response.data)
    return response.data


@pytest.fixture
def london(world):
    venue = new_venue(world["organisation"], "Annex", "Europe/London", 53.4, -1.5)
    group, schedule = new_group_with_schedule(
        world["organisation"], venue, "london-circle",
        weekly(1, time(18, 30), "Europe/London", date(2027, 1, 5)), now=YEAR_START, until=UNTIL,
    )  # fmt: skip
    return group, schedule, venue


@pytest.fixture
def new_york(world):
    venue = new_venue(world["organisation"], "Hall", "America/New_York", 40.71, -74.0)
    group, schedule = new_group_with_schedule(
        world["organisation"], venue, "new-york-circle",
        weekly(3, time(19, 0), "America/New_York", date(2027, 1, 7)), now=YEAR_START, until=UNTIL,
    )  # fmt: skip
    return group, schedule, venue


def test_london_feed_over_a_year_with_both_clock_changes_matches_the_meetings(client, london):
    group, schedule, venue = london
    cancel_meeting(_meeting_on(schedule, date(2027, 3, 30)), "Room flooded", now=YEAR_START)
    move_meeting(
        _meeting_on(schedule, date(2027, 11, 2)), local_date=date(2027, 11, 3),
        start_time=time(14, 0), duration_minutes=120, venue=venue, now=YEAR_START,
    )  # fmt: skip
    _meeting_on(schedule, date(2027, 6, 8)).topic = "Pacing"
    add_one_off_meeting(
        group, local_date=date(2027, 7, 15), start_time=time(11, 0), duration_minutes=60,
        venue=venue, now=YEAR_START,
    )  # fmt: skip
    db.session.commit()

    data = _feed(client, "london-circle")

    expected = rows_between(group, YEAR_START, YEAR_END)
    assert len(expected) == 53
    assert expand(data, YEAR_START, YEAR_END) == expected
    # Summer and winter meetings are both at 18:30 on the clock.
    assert (datetime(2027, 7, 6, 17, 30, tzinfo=UTC), datetime(2027, 7, 6, 19, 0, tzinfo=UTC),
            "CONFIRMED") in expected  # fmt: skip
    assert (datetime(2027, 12, 7, 18, 30, tzinfo=UTC), datetime(2027, 12, 7, 20, 0, tzinfo=UTC),
            "CONFIRMED") in expected  # fmt: skip


def test_new_york_feed_matches_the_meetings(client, new_york):
    group, schedule, venue = new_york
    cancel_meeting(_meeting_on(schedule, date(2027, 3, 18)), "Holiday", now=YEAR_START)
    move_meeting(
        _meeting_on(schedule, date(2027, 11, 11)), local_date=date(2027, 11, 12),
        start_time=time(10, 0), duration_minutes=90, venue=venue, now=YEAR_START,
    )  # fmt: skip
    db.session.commit()

    data = _feed(client, "new-york-circle")

    assert expand(data, YEAR_START, YEAR_END) == rows_between(group, YEAR_START, YEAR_END)


def test_exceptions_are_written_in_the_form_of_the_series_start(client, london):
    group, schedule, venue = london
    cancel_meeting(_meeting_on(schedule, date(2027, 3, 30)), "Room flooded", now=YEAR_START)
    db.session.commit()

    calendar = Calendar.from_ical(_feed(client, "london-circle"))

    series, cancelled = [e for e in calendar.walk("VEVENT") if e["UID"].startswith("schedule-")]
    assert series["DTSTART"].params["TZID"] == "Europe/London"
    assert cancelled["RECURRENCE-ID"].params["TZID"] == "Europe/London"
    assert cancelled["RECURRENCE-ID"].dt.replace(tzinfo=None) == datetime(2027, 3, 30, 18, 30)
    assert cancelled["STATUS"] == "CANCELLED"
    assert "Room flooded" in cancelled["DESCRIPTION"]
    assert {tz["TZID"] for tz in calendar.walk("VTIMEZONE")} == {"Europe/London"}


def test_a_rule_with_an_end_has_until_in_utc(client, world):
    venue = new_venue(world["organisation"], "Annex", "America/New_York", 40.7, -74.0)
    rule = Rule(
        frequency="monthly_weekday", weekdays=(2,), week_of_month=-1, start_time=time(19, 0),
        duration_minutes=60, timezone="America/New_York", first_date=date(2027, 1, 1), count=6,
    )  # fmt: skip
    group, _ = new_group_with_schedule(
        world["organisation"], venue, "monthly-circle", rule, now=YEAR_START, until=UNTIL
    )
    db.session.commit()

    data = _feed(client, "monthly-circle")

    assert b"RRULE:FREQ=MONTHLY;UNTIL=20270630T230000Z;BYDAY=-1WE" in data
    assert expand(data, YEAR_START, YEAR_END) == rows_between(group, YEAR_START, YEAR_END)


@pytest.mark.parametrize(
    "new_rule",
    [
        weekly(3, time(19, 0), "Europe/London", date(2027, 1, 5)),  # another day and time
        weekly(1, time(19, 0), "Europe/London", date(2027, 1, 5)),  # the same day, a new time
        weekly(3, time(19, 0), "Europe/London", date(2027, 6, 1)),  # a new first date too
    ],
    ids=["thursdays", "later-on-tuesdays", "from-june"],
)
def test_a_schedule_edit_keeps_past_meetings_where_they_were(client, world, london, new_rule):
    group, schedule, venue = london
    edited_at = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)
    cancel_meeting(_meeting_on(schedule, date(2027, 3, 30)), "Room flooded", now=YEAR_START)
    answered = _meeting_on(schedule, date(2027, 6, 15))
    make_rsvp(answered.id, world["member"], companions=0, now=edited_at)
    db.session.commit()
    before = Calendar.from_ical(_feed(client, "london-circle"))
    past = rows_between(group, YEAR_START, edited_at)

    apply_schedule_change(schedule, new_rule, new_venue=venue, now=edited_at, until=UNTIL)
    db.session.commit()
    data = _feed(client, "london-circle")

    assert expand(data, YEAR_START, YEAR_END) == rows_between(group, YEAR_START, YEAR_END)
    assert expand(data, YEAR_START, edited_at) == past  # history unchanged
    series_before = [e for e in before.walk("VEVENT") if "RRULE" in e][0]
    series_after = [e for e in Calendar.from_ical(data).walk("VEVENT") if "RRULE" in e][0]
    assert series_after["UID"] == series_before["UID"]
    assert series_after["SEQUENCE"] == series_before["SEQUENCE"] + 1
    assert series_after["DTSTART"].dt > edited_at
