"""The recurrence engine: which dates a group meets on, and when each meeting starts in UTC.

The property tests compare the engine with an independent, deliberately plain expectation written
here with day-by-day date arithmetic, and with UTC-to-local conversions (which are never ambiguous).
"""

import calendar
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groups.schedules.recurrence import (
    FREQUENCIES,
    MONTHLY_DAY,
    MONTHLY_WEEKDAY,
    WEEKLY,
    Occurrence,
    RecurrenceError,
    Rule,
    describe,
    local_dates,
    local_instant,
    occurrences,
    rrule_for,
)

ZONES = ("Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata")
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)

property_test = settings(max_examples=150, deadline=None)


def make_rule(**changes) -> Rule:
    """A weekly Tuesday 18:30 meeting in London from the first Tuesday of 2027, with changes."""
    fields = {
        "frequency": WEEKLY,
        "start_time": time(18, 30),
        "duration_minutes": 90,
        "timezone": "Europe/London",
        "first_date": date(2027, 1, 5),
        "weekdays": (TUESDAY,),
    }
    fields.update(changes)
    return Rule(**fields)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def dates_in_2027(*days: int) -> list[date]:
    """One date a month, January to December 2027, given by its day of the month."""
    return [date(2027, month, day) for month, day in enumerate(days, start=1)]


# --- The independent expectation -----------------------------------------------------------------


def expected_dates(rule: Rule, until_date: date) -> list[date]:
    """The rule's dates up to until_date, walking the calendar a day or a month at a time."""
    dates = []
    if rule.frequency == WEEKLY:
        # Weeks start on Monday; the week holding first_date is week 0.
        first_monday = rule.first_date - timedelta(days=rule.first_date.weekday())
        day = rule.first_date
        while day <= until_date:
            week = (day - first_monday).days // 7
            if day.weekday() in rule.weekdays and week % rule.interval == 0:
                dates.append(day)
            day += timedelta(days=1)
    else:
        year, month, months_since_first = rule.first_date.year, rule.first_date.month, 0
        while date(year, month, 1) <= until_date:
            if months_since_first % rule.interval == 0:
                day = meeting_day_in_month(rule, year, month)
                if rule.first_date <= day <= until_date:
                    dates.append(day)
            months_since_first += 1
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    if rule.last_date is not None:
        dates = [day for day in dates if day <= rule.last_date]
    if rule.count is not None:
        dates = dates[: rule.count]
    return dates


def meeting_day_in_month(rule: Rule, year: int, month: int) -> date:
    if rule.frequency == MONTHLY_DAY:
        return date(year, month, rule.day_of_month)
    days_in_month = calendar.monthrange(year, month)[1]
    matching = [
        date(year, month, day)
        for day in range(1, days_in_month + 1)
        if date(year, month, day).weekday() == rule.weekdays[0]
    ]
    return matching[-1] if rule.week_of_month == -1 else matching[rule.week_of_month - 1]


def offsets_around(wall: datetime, zone: ZoneInfo) -> tuple[timedelta, timedelta]:
    """The zone's UTC offset two days before and two days after a local wall time."""
    as_if_utc = wall.replace(tzinfo=UTC)
    before = (as_if_utc - timedelta(days=2)).astimezone(zone).utcoffset()
    after = (as_if_utc + timedelta(days=2)).astimezone(zone).utcoffset()
    return before, after


def instants_showing(wall: datetime, zone: ZoneInfo) -> list[datetime]:
    """Every UTC instant at which the zone's clocks show this wall time, earliest first."""
    candidates = {(wall - offset).replace(tzinfo=UTC) for offset in offsets_around(wall, zone)}
    return sorted(
        instant for instant in candidates if instant.astimezone(zone).replace(tzinfo=None) == wall
    )


def expected_start(wall: datetime, zone: ZoneInfo) -> datetime:
    """Overlap: the earliest instant. Gap: the wall time read with the offset before the change."""
    instants = instants_showing(wall, zone)
    if instants:
        return instants[0]
    before, _ = offsets_around(wall, zone)
    return (wall - before).replace(tzinfo=UTC)


# --- Strategies ----------------------------------------------------------------------------------

# The small hours are drawn far more often than chance, because that is when the clocks change.
start_times = st.one_of(
    st.builds(time, hour=st.integers(0, 3), minute=st.sampled_from([0, 15, 30, 45])),
    st.builds(time, hour=st.integers(0, 23), minute=st.integers(0, 59)),
)
first_dates = st.dates(date(2024, 1, 1), date(2030, 12, 31))


@st.composite
def rules(draw) -> Rule:
    frequency = draw(st.sampled_from(FREQUENCIES))
    first_date = draw(first_dates)
    fields = {
        "frequency": frequency,
        "start_time": draw(start_times),
        "duration_minutes": draw(st.integers(1, 720)),
        "timezone": draw(st.sampled_from(ZONES)),
        "first_date": first_date,
    }
    if frequency == WEEKLY:
        fields["interval"] = draw(st.integers(1, 4))
        fields["weekdays"] = tuple(draw(st.sets(st.integers(0, 6), min_size=1)))
    elif frequency == MONTHLY_WEEKDAY:
        fields["interval"] = draw(st.integers(1, 12))
        fields["weekdays"] = (draw(st.integers(0, 6)),)
        fields["week_of_month"] = draw(st.sampled_from([1, 2, 3, 4, -1]))
    else:
        fields["interval"] = draw(st.integers(1, 12))
        fields["day_of_month"] = draw(st.integers(1, 28))
    ending = draw(st.sampled_from(["open", "count", "last_date"]))
    if ending == "count":
        fields["count"] = draw(st.integers(1, 60))
    elif ending == "last_date":
        fields["last_date"] = first_date + timedelta(days=draw(st.integers(0, 500)))
    return Rule(**fields)


spans_in_days = st.integers(0, 550)


def until_after(rule: Rule, until_date: date) -> datetime:
    """Local midnight at the end of until_date, as an aware bound for occurrences()."""
    next_midnight = datetime.combine(until_date + timedelta(days=1), time(0))
    return next_midnight.replace(tzinfo=ZoneInfo(rule.timezone)).astimezone(UTC)


# --- Properties that hold for every rule ---------------------------------------------------------


@property_test
@given(rule=rules(), span=spans_in_days)
def test_meetings_fall_on_exactly_the_dates_the_rule_names_none_skipped_none_repeated(rule, span):
    until_date = rule.first_date + timedelta(days=span)
    expected = expected_dates(rule, until_date)

    previewed = local_dates(rule, until_date=until_date)
    meetings = occurrences(rule, until=until_after(rule, until_date))

    assert previewed == expected
    assert [meeting.local_date for meeting in meetings] == expected
    assert all(earlier < later for earlier, later in pairwise(previewed))


@property_test
@given(rule=rules(), span=spans_in_days)
def test_meetings_start_at_the_local_wall_time_or_later_by_the_gap_when_it_does_not_exist(
    rule, span
):
    zone = ZoneInfo(rule.timezone)
    meetings = occurrences(rule, until=until_after(rule, rule.first_date + timedelta(days=span)))

    for meeting in meetings:
        wall = datetime.combine(meeting.local_date, rule.start_time)
        shown = meeting.starts_at.astimezone(zone).replace(tzinfo=None)
        if instants_showing(wall, zone):
            assert shown == wall
        else:
            before, after = offsets_around(wall, zone)
            assert shown == wall + (after - before)
        assert meeting.starts_at == expected_start(wall, zone)
        assert meeting.starts_at.utcoffset() == timedelta(0)
        assert meeting.ends_at - meeting.starts_at == timedelta(minutes=rule.duration_minutes)
    assert all(earlier.starts_at < later.starts_at for earlier, later in pairwise(meetings))


@settings(max_examples=60, deadline=None)
@given(
    zone_name=st.sampled_from(ZONES),
    year=st.integers(2024, 2030),
    start_time=st.builds(time, hour=st.integers(0, 3), minute=st.sampled_from([0, 15, 30, 45])),
)
def test_sunday_small_hours_meetings_follow_the_documented_rule_on_every_clock_change(
    zone_name, year, start_time
):
    # London, New York and Sydney all change their clocks in the small hours of a Sunday.
    rule = make_rule(
        timezone=zone_name,
        start_time=start_time,
        first_date=date(year, 1, 1),
        weekdays=(SUNDAY,),
    )
    zone = ZoneInfo(zone_name)

    meetings = occurrences(rule, until=utc(year + 1, 1, 1))

    assert len(meetings) in (52, 53)
    for meeting in meetings:
        wall = datetime.combine(meeting.local_date, start_time)
        assert meeting.starts_at == expected_start(wall, zone)


@property_test
@given(
    zone_name=st.sampled_from(ZONES),
    weekday=st.integers(0, 6),
    start_time=start_times,
    first_date=first_dates,
)
def test_weekly_meetings_on_one_day_are_exactly_7_days_apart_across_dst(
    zone_name, weekday, start_time, first_date
):
    rule = make_rule(
        timezone=zone_name, start_time=start_time, first_date=first_date, weekdays=(weekday,)
    )

    dates = local_dates(rule, until_date=first_date + timedelta(days=400))

    assert len(dates) >= 57
    assert all(later - earlier == timedelta(days=7) for earlier, later in pairwise(dates))


@property_test
@given(
    rule=rules(),
    start_minutes=st.integers(-3 * 24 * 60, 400 * 24 * 60),
    window_minutes=st.integers(0, 200 * 24 * 60),
)
def test_a_window_holds_exactly_the_meetings_starting_inside_it(
    rule, start_minutes, window_minutes
):
    start = datetime.combine(rule.first_date, time(0), tzinfo=UTC) + timedelta(
        minutes=start_minutes
    )
    until = start + timedelta(minutes=window_minutes)
    everything = occurrences(rule, until=until + timedelta(days=2))

    assert occurrences(rule, start=start, until=until) == [
        meeting for meeting in everything if start <= meeting.starts_at < until
    ]
    assert occurrences(rule, until=until) == [
        meeting for meeting in everything if meeting.starts_at < until
    ]


# --- Clock changes, case by case -----------------------------------------------------------------


def test_meeting_at_1830_stays_at_1830_local_across_dst():
    rule = make_rule(first_date=date(2026, 3, 17))

    meetings = occurrences(rule, until=utc(2026, 4, 8))

    assert [meeting.starts_at for meeting in meetings] == [
        utc(2026, 3, 17, 18, 30),  # GMT
        utc(2026, 3, 24, 18, 30),
        utc(2026, 3, 31, 17, 30),  # BST from 29 March
        utc(2026, 4, 7, 17, 30),
    ]
    london = ZoneInfo("Europe/London")
    assert {meeting.starts_at.astimezone(london).time() for meeting in meetings} == {time(18, 30)}


def test_meeting_in_the_london_spring_forward_gap_moves_forward_by_the_gap():
    rule = make_rule(start_time=time(1, 30), first_date=date(2026, 3, 22), weekdays=(SUNDAY,))

    meetings = occurrences(rule, until=utc(2026, 4, 6))

    assert [meeting.starts_at for meeting in meetings] == [
        utc(2026, 3, 22, 1, 30),  # 01:30 GMT
        utc(2026, 3, 29, 1, 30),  # 01:30 does not exist: read as GMT, shown as 02:30 BST
        utc(2026, 4, 5, 0, 30),  # 01:30 BST
    ]
    gap_day = meetings[1]
    assert gap_day.local_date == date(2026, 3, 29)
    assert gap_day.starts_at.astimezone(ZoneInfo("Europe/London")).time() == time(2, 30)


def test_meeting_in_the_london_fall_back_overlap_is_the_earlier_daylight_time_instant():
    starts_at = local_instant(date(2026, 10, 25), time(1, 30), "Europe/London")

    assert starts_at == utc(2026, 10, 25, 0, 30)
    assert starts_at.astimezone(ZoneInfo("Europe/London")).tzname() == "BST"


def test_half_past_two_on_us_spring_forward_day_starts_at_half_past_three_edt():
    starts_at = local_instant(date(2026, 3, 8), time(2, 30), "America/New_York")

    assert starts_at == utc(2026, 3, 8, 7, 30)
    shown = starts_at.astimezone(ZoneInfo("America/New_York"))
    assert (shown.time(), shown.tzname()) == (time(3, 30), "EDT")


def test_half_past_one_on_us_fall_back_day_is_the_edt_instant():
    starts_at = local_instant(date(2026, 11, 1), time(1, 30), "America/New_York")

    assert starts_at == utc(2026, 11, 1, 5, 30)
    assert starts_at.astimezone(ZoneInfo("America/New_York")).tzname() == "EDT"


def test_meeting_lasts_its_duration_in_real_time_when_the_clocks_change_during_it():
    rule = make_rule(
        start_time=time(0, 30),
        duration_minutes=120,
        first_date=date(2026, 3, 29),
        weekdays=(SUNDAY,),
        count=1,
    )

    [meeting] = occurrences(rule, until=utc(2026, 4, 30))

    assert (meeting.starts_at, meeting.ends_at) == (
        utc(2026, 3, 29, 0, 30),
        utc(2026, 3, 29, 2, 30),
    )
    assert meeting.ends_at.astimezone(ZoneInfo("Europe/London")).time() == time(3, 30)


def test_local_time_with_a_zone_attached_is_refused():
    with pytest.raises(ValueError):
        local_instant(date(2027, 1, 5), time(18, 30, tzinfo=UTC), "Europe/London")


# --- Monthly and fortnightly rules ---------------------------------------------------------------


def test_second_tuesday_of_the_month_gives_the_known_dates_of_2027():
    rule = make_rule(
        frequency=MONTHLY_WEEKDAY,
        first_date=date(2027, 1, 1),
        weekdays=(TUESDAY,),
        week_of_month=2,
    )

    assert local_dates(rule, until_date=date(2027, 12, 31)) == dates_in_2027(
        12, 9, 9, 13, 11, 8, 13, 10, 14, 12, 9, 14
    )


def test_last_friday_of_the_month_gives_the_known_dates_of_2027():
    rule = make_rule(
        frequency=MONTHLY_WEEKDAY,
        first_date=date(2027, 1, 1),
        weekdays=(FRIDAY,),
        week_of_month=-1,
    )

    assert local_dates(rule, until_date=date(2027, 12, 31)) == dates_in_2027(
        29, 26, 26, 30, 28, 25, 30, 27, 24, 29, 26, 31
    )


def test_monthly_on_a_date_meets_on_that_day_every_n_months():
    rule = make_rule(
        frequency=MONTHLY_DAY,
        interval=3,
        first_date=date(2027, 1, 20),
        weekdays=(),
        day_of_month=15,
    )

    assert local_dates(rule, until_date=date(2027, 12, 31)) == [
        date(2027, 4, 15),
        date(2027, 7, 15),
        date(2027, 10, 15),
    ]


def test_fortnightly_meetings_are_14_days_apart():
    rule = make_rule(interval=2, first_date=date(2026, 1, 6))

    dates = local_dates(rule, until_date=date(2026, 12, 31))

    assert dates[0] == date(2026, 1, 6)
    assert len(dates) == 26
    assert all(later - earlier == timedelta(days=14) for earlier, later in pairwise(dates))


def test_every_2_weeks_on_two_days_counts_weeks_from_the_week_of_the_first_date():
    # 6 January 2027 is a Wednesday: that week's Monday is already past, its Thursday is not.
    rule = make_rule(interval=2, first_date=date(2027, 1, 6), weekdays=(THURSDAY, MONDAY))

    assert local_dates(rule, until_date=date(2027, 2, 5)) == [
        date(2027, 1, 7),
        date(2027, 1, 18),
        date(2027, 1, 21),
        date(2027, 2, 1),
        date(2027, 2, 4),
    ]


# --- Windows and limits --------------------------------------------------------------------------


def test_window_start_is_inclusive_and_until_is_exclusive():
    rule = make_rule()  # 18:30 GMT every Tuesday from 5 January 2027

    meetings = occurrences(rule, start=utc(2027, 1, 12, 18, 30), until=utc(2027, 1, 26, 18, 30))

    assert [meeting.local_date for meeting in meetings] == [date(2027, 1, 12), date(2027, 1, 19)]


def test_count_is_counted_from_the_first_date_not_from_the_window_start():
    rule = make_rule(count=5)

    meetings = occurrences(rule, start=utc(2027, 1, 19), until=utc(2028, 1, 1))

    assert [meeting.local_date for meeting in meetings] == [
        date(2027, 1, 19),
        date(2027, 1, 26),
        date(2027, 2, 2),
    ]


def test_last_date_is_the_last_day_a_meeting_can_fall_on():
    rule = make_rule(last_date=date(2027, 1, 26))

    meetings = occurrences(rule, until=utc(2028, 1, 1))

    assert meetings[-1] == Occurrence(
        date(2027, 1, 26), utc(2027, 1, 26, 18, 30), utc(2027, 1, 26, 20, 0)
    )
    assert len(meetings) == 4


def test_preview_includes_both_the_from_date_and_the_until_date():
    rule = make_rule()

    dates = local_dates(rule, from_date=date(2027, 1, 12), until_date=date(2027, 1, 26))

    assert dates == [date(2027, 1, 12), date(2027, 1, 19), date(2027, 1, 26)]


def test_window_before_the_first_date_is_empty():
    assert occurrences(make_rule(), until=utc(2027, 1, 5, 18, 0)) == []


@pytest.mark.parametrize(
    "bounds",
    [
        {"until": datetime(2027, 2, 1)},
        {"until": utc(2027, 2, 1), "start": datetime(2027, 1, 1)},
    ],
    ids=["naive until", "naive start"],
)
def test_naive_window_bounds_are_refused(bounds):
    with pytest.raises(ValueError, match="timezone-aware"):
        occurrences(make_rule(), **bounds)


# --- Refusing rules that cannot be a schedule ----------------------------------------------------

MONTHLY_ON_A_TUESDAY = {"frequency": MONTHLY_WEEKDAY, "week_of_month": 2}
MONTHLY_ON_A_DATE = {"frequency": MONTHLY_DAY, "weekdays": (), "day_of_month": 15}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"timezone": "Europe/Londn"}, "timezone", "We do not know the time zone “Europe/Londn”"),
        ({"timezone": "Europe"}, "timezone", "time zone"),
        ({"last_date": date(2027, 1, 4)}, "last_date", "on or after the first meeting date"),
        ({**MONTHLY_ON_A_TUESDAY, "week_of_month": 5}, "week_of_month", "the last Tuesday"),
        (
            {**MONTHLY_ON_A_TUESDAY, "week_of_month": 0},
            "week_of_month",
            "1st, 2nd, 3rd, 4th or last",
        ),
        ({**MONTHLY_ON_A_TUESDAY, "weekdays": (1, 3)}, "weekdays", "exactly one day"),
        ({"interval": 0}, "interval", "Choose a week interval of 1 to 4."),
        ({"interval": 5}, "interval", "Choose a week interval of 1 to 4."),
        ({**MONTHLY_ON_A_DATE, "interval": 13}, "interval", "Choose a month interval of 1 to 12."),
        ({"weekdays": ()}, "weekdays", "at least one day of the week"),
        ({"weekdays": (7,)}, "weekdays", "Monday to Sunday"),
        ({**MONTHLY_ON_A_DATE, "day_of_month": 31}, "day_of_month", "the last Friday"),
        ({**MONTHLY_ON_A_DATE, "day_of_month": 0}, "day_of_month", "from 1 to 28"),
        ({**MONTHLY_ON_A_DATE, "weekdays": (1,)}, "weekdays", "leave it empty"),
        ({"count": 3, "last_date": date(2027, 3, 1)}, "count", "not both"),
        ({"count": 0}, "count", "at least 1 meeting"),
        ({"duration_minutes": 0}, "duration_minutes", "from 1 minute to 12 hours"),
        ({"duration_minutes": 721}, "duration_minutes", "from 1 minute to 12 hours"),
        ({"frequency": "daily"}, "frequency", "how often the group meets"),
        ({"start_time": time(18, 30, tzinfo=UTC)}, "start_time", "local clock time"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_bad_rule_is_refused_with_a_message_for_the_field(changes, field, message):
    with pytest.raises(RecurrenceError) as refused:
        make_rule(**changes)

    assert refused.value.field == field
    assert message in str(refused.value)


def test_unknown_time_zone_is_refused_when_converting_a_single_time():
    with pytest.raises(RecurrenceError) as refused:
        local_instant(date(2027, 1, 5), time(18, 30), "Mars/Olympus_Mons")

    assert refused.value.field == "timezone"


def test_weekdays_are_kept_sorted_without_repeats():
    assert make_rule(weekdays=[THURSDAY, MONDAY, THURSDAY]).weekdays == (MONDAY, THURSDAY)


# --- Describing a rule and handing it to iCalendar -----------------------------------------------


@pytest.mark.parametrize(
    ("changes", "description"),
    [
        ({}, "Every week on Tuesday at 18:30"),
        (
            {"interval": 2, "weekdays": (THURSDAY, MONDAY), "start_time": time(10, 0)},
            "Every 2 weeks on Monday and Thursday at 10:00",
        ),
        (
            {"weekdays": (FRIDAY, MONDAY, WEDNESDAY), "start_time": time(9, 5)},
            "Every week on Monday, Wednesday and Friday at 09:05",
        ),
        (
            {**MONTHLY_ON_A_TUESDAY, "start_time": time(14, 0)},
            "Monthly on the 2nd Tuesday at 14:00",
        ),
        (
            {
                **MONTHLY_ON_A_TUESDAY,
                "week_of_month": -1,
                "weekdays": (FRIDAY,),
                "start_time": time(19),
            },
            "Monthly on the last Friday at 19:00",
        ),
        ({**MONTHLY_ON_A_DATE, "start_time": time(11, 0)}, "Monthly on day 15 at 11:00"),
        ({**MONTHLY_ON_A_DATE, "interval": 3}, "Every 3 months on day 15 at 18:30"),
    ],
)
def test_rule_is_described_in_plain_english(changes, description):
    assert describe(make_rule(**changes)) == description


def test_rrule_for_works_in_naive_local_time_and_writes_an_icalendar_rule():
    rule = make_rule(
        frequency=MONTHLY_WEEKDAY,
        start_time=time(19, 0),
        first_date=date(2027, 1, 1),
        weekdays=(FRIDAY,),
        week_of_month=-1,
        last_date=date(2027, 12, 31),
    )

    recurrence = rrule_for(rule)

    assert (
        str(recurrence)
        == "DTSTART:20270101T190000\nRRULE:FREQ=MONTHLY;UNTIL=20271231T235959;BYDAY=-1FR"
    )
    assert list(recurrence)[-1] == datetime(2027, 12, 31, 19, 0)


def test_rrule_for_ends_after_count_meetings():
    recurrence = rrule_for(make_rule(interval=2, weekdays=(MONDAY, THURSDAY), count=3))

    assert str(recurrence).splitlines()[1] == "RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=3;BYDAY=MO,TH"
    assert list(recurrence) == [
        datetime(2027, 1, 7, 18, 30),
        datetime(2027, 1, 18, 18, 30),
        datetime(2027, 1, 21, 18, 30),
    ]
