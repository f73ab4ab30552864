"""When a group meets: expand a schedule's rule into meeting dates and UTC instants.

Plain functions, no Flask or database. A schedule is stored as a local wall-clock time plus an IANA
time zone ("18:30 in Europe/London"), never as a UTC time, so the meeting stays at 18:30 for the
people who go to it when the clocks change.

How the dates are made:

- ``dateutil.rrule`` expands the rule over *naive* local datetimes (dtstart = first_date at
  start_time); only then is the zone attached and the instant converted to UTC. No date arithmetic
  for the rule is written by hand here.
- The first meeting is the first date on or after ``first_date`` that fits the rule (``first_date``
  itself only if it fits). ``count`` counts meetings from there, whatever window is asked for later;
  ``last_date`` is inclusive.
- Weeks start on Monday (RFC 5545's default WKST), which decides which weeks "every 2 weeks on
  Monday and Thursday" uses: the week holding ``first_date``, then every second week after it.
- "Monthly on the 2nd Tuesday" is ``rrule(MONTHLY, byweekday=TU(2))`` and "the last Friday" is
  ``FR(-1)``. Only the 1st to 4th and the last are offered, and a day of the month only up to the
  28th, because a 5th weekday or a 31st is missing from many months and the group would silently
  skip them.

When the clocks change (``local_instant``; PEP 495 ``fold=0``, which ``zoneinfo`` implements):

- Gap, clocks go forward: a wall time that does not exist that day (01:30 on 2026-03-29 in
  Europe/London) is read with the UTC offset in force *before* the change, so the meeting moves
  forward by the length of the gap: 01:30 GMT, which the clocks show as 02:30 BST.
- Overlap, clocks go back: a wall time that happens twice (01:30 on 2026-10-25 in Europe/London)
  means the first, earlier one, still on daylight time: 01:30 BST, which is 00:30 UTC.
- ``ends_at`` is ``starts_at`` plus the duration in real elapsed time, so a two-hour meeting lasts
  two hours even when the clocks change during it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import FR, MO, SA, SU, TH, TU, WE, rrule
from dateutil.rrule import MONTHLY as RRULE_MONTHLY
from dateutil.rrule import WEEKLY as RRULE_WEEKLY

WEEKLY = "weekly"
MONTHLY_WEEKDAY = "monthly_weekday"
MONTHLY_DAY = "monthly_day"
FREQUENCIES = (WEEKLY, MONTHLY_WEEKDAY, MONTHLY_DAY)

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_RRULE_WEEKDAYS = (MO, TU, WE, TH, FR, SA, SU)
_WEEK_OF_MONTH_NAMES = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", -1: "last"}
_LONGEST_MEETING_MINUTES = 12 * 60
_LAST_DAY_OFFERED = 28


class RecurrenceError(ValueError):
    """A rule a clinic worker entered that cannot be a schedule; the message says what to change.

    ``field`` names the offending field so a form can show the message next to it.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _is_whole_number(value: object) -> bool:
    # bool is an int subclass; True must not pass as "1 week".
    return isinstance(value, int) and not isinstance(value, bool)


def _zone(name: str) -> ZoneInfo:
    """The IANA zone called ``name``; anything zoneinfo cannot load is a RecurrenceError."""
    try:
        return ZoneInfo(name)
    # ZoneInfo raises KeyError (unknown), ValueError (bad key), OSError (a folder such as "Europe")
    # and TypeError (not a string); to a clinic worker they are all "no such time zone".
    except (ZoneInfoNotFoundError, ValueError, OSError, TypeError):
        raise RecurrenceError(
            f"We do not know the time zone “{name}”. "
            "Choose one from the list, such as Europe/London.",
            field="timezone",
        ) from None


@dataclass(frozen=True)
class Rule:
    """How often a group meets, at what local time, in which zone, from when and until when.

    Checked when built; ``weekdays`` is stored sorted without repeats (0 = Monday ... 6 = Sunday).
    """

    frequency: str
    start_time: time
    duration_minutes: int
    timezone: str
    first_date: date
    interval: int = 1
    weekdays: tuple[int, ...] = ()
    week_of_month: int | None = None
    day_of_month: int | None = None
    last_date: date | None = None
    count: int | None = None

    def __post_init__(self) -> None:
        if self.frequency not in FREQUENCIES:
            raise RecurrenceError(
                "Choose how often the group meets: every week, monthly on a weekday, "
                "or monthly on a date.",
                field="frequency",
            )
        _zone(self.timezone)
        if self.start_time.tzinfo is not None:
            raise RecurrenceError(
                "Give the start time as the local clock time, without a time zone.",
                field="start_time",
            )
        if not (
            _is_whole_number(self.duration_minutes)
            and 1 <= self.duration_minutes <= _LONGEST_MEETING_MINUTES
        ):
            raise RecurrenceError(
                "Choose a meeting length from 1 minute to 12 hours.", field="duration_minutes"
            )
        self._check_interval()
        self._check_weekdays()
        self._check_week_of_month()
        self._check_day_of_month()
        self._check_end()

    def _check_interval(self) -> None:
        if self.frequency == WEEKLY:
            unit, most = "week", 4
        else:
            unit, most = "month", 12
        if not (_is_whole_number(self.interval) and 1 <= self.interval <= most):
            raise RecurrenceError(f"Choose a {unit} interval of 1 to {most}.", field="interval")

    def _check_weekdays(self) -> None:
        days = tuple(self.weekdays)
        if not all(_is_whole_number(day) and 0 <= day <= 6 for day in days):
            raise RecurrenceError(
                "Choose days of the week from Monday to Sunday.", field="weekdays"
            )
        days = tuple(sorted(set(days)))
        if self.frequency == WEEKLY and not days:
            raise RecurrenceError("Choose at least one day of the week.", field="weekdays")
        if self.frequency == MONTHLY_WEEKDAY and len(days) != 1:
            raise RecurrenceError(
                "Choose exactly one day of the week for a monthly meeting.", field="weekdays"
            )
        if self.frequency == MONTHLY_DAY and days:
            raise RecurrenceError(
                "A meeting on a date of the month takes no day of the week; leave it empty.",
                field="weekdays",
            )
        object.__setattr__(self, "weekdays", days)

    def _check_week_of_month(self) -> None:
        week = self.week_of_month
        if self.frequency != MONTHLY_WEEKDAY:
            if week is not None:
                raise RecurrenceError(
                    "Only a monthly meeting on a weekday takes a week of the month.",
                    field="week_of_month",
                )
            return
        if _is_whole_number(week) and week == 5:
            day = DAY_NAMES[self.weekdays[0]]
            raise RecurrenceError(
                f"Not every month has a 5th {day}. Choose the last {day} instead.",
                field="week_of_month",
            )
        # The whole-number test first: True == 1 would otherwise pass as "1st".
        if not _is_whole_number(week) or week not in _WEEK_OF_MONTH_NAMES:
            raise RecurrenceError(
                "Choose the 1st, 2nd, 3rd, 4th or last week of the month.", field="week_of_month"
            )

    def _check_day_of_month(self) -> None:
        day = self.day_of_month
        if self.frequency != MONTHLY_DAY:
            if day is not None:
                raise RecurrenceError(
                    "Only a monthly meeting on a date takes a day of the month.",
                    field="day_of_month",
                )
            return
        if _is_whole_number(day) and _LAST_DAY_OFFERED < day <= 31:
            raise RecurrenceError(
                f"Not every month has a day {day}. Choose a day from 1 to 28, or meet on the "
                "last weekday of the month instead, such as the last Friday.",
                field="day_of_month",
            )
        if not (_is_whole_number(day) and 1 <= day <= _LAST_DAY_OFFERED):
            raise RecurrenceError("Choose a day of the month from 1 to 28.", field="day_of_month")

    def _check_end(self) -> None:
        if self.last_date is not None and self.count is not None:
            raise RecurrenceError(
                "Choose either a number of meetings or a last date, not both.", field="count"
            )
        if self.last_date is not None and self.last_date < self.first_date:
            raise RecurrenceError(
                "The last meeting date must be on or after the first meeting date.",
                field="last_date",
            )
        if self.count is not None and not (_is_whole_number(self.count) and self.count >= 1):
            raise RecurrenceError("Choose at least 1 meeting.", field="count")


@dataclass(frozen=True)
class Occurrence:
    """One meeting the rule makes: the local date it was made for, and when it starts and ends."""

    local_date: date
    starts_at: datetime
    ends_at: datetime


def rrule_for(rule: Rule) -> rrule:
    """The rule as a dateutil rrule over naive local datetimes, ending after last_date or count.

    dtstart is first_date at start_time even when first_date does not fit the rule.
    """
    dtstart = datetime.combine(rule.first_date, rule.start_time)
    end: dict[str, object] = {}
    if rule.last_date is not None:
        # Whole seconds: the value also becomes UNTIL= in iCalendar feeds.
        end["until"] = datetime.combine(rule.last_date, time(23, 59, 59))
    elif rule.count is not None:
        end["count"] = rule.count
    if rule.frequency == WEEKLY:
        return rrule(
            RRULE_WEEKLY,
            dtstart=dtstart,
            interval=rule.interval,
            byweekday=rule.weekdays,
            # dateutil defaults to calendar.firstweekday(), process-wide state; pin it to Monday.
            wkst=MO,
            **end,
        )
    if rule.frequency == MONTHLY_WEEKDAY:
        nth_weekday = _RRULE_WEEKDAYS[rule.weekdays[0]](rule.week_of_month)
        return rrule(
            RRULE_MONTHLY, dtstart=dtstart, interval=rule.interval, byweekday=nth_weekday, **end
        )
    return rrule(
        RRULE_MONTHLY, dtstart=dtstart, interval=rule.interval, bymonthday=rule.day_of_month, **end
    )


def _to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    # fold=0 is the whole DST rule (see the module docstring): in a gap it reads the wall time with
    # the offset from before the change, in an overlap it picks the earlier instant.
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def local_instant(local_date: date, local_time: time, timezone: str) -> datetime:
    """The UTC instant of a local date and wall time in ``timezone``.

    A time skipped when the clocks go forward moves forward by the gap; a time that happens twice
    when they go back is the earlier one.
    """
    if local_time.tzinfo is not None:
        raise ValueError("local_time must be a naive wall-clock time")
    return _to_utc(datetime.combine(local_date, local_time), _zone(timezone))


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {moment!r}")


def occurrences(rule: Rule, *, until: datetime, start: datetime | None = None) -> list[Occurrence]:
    """The meetings starting at or after ``start`` (if given) and before ``until``, in order.

    Both bounds are aware datetimes. first_date, last_date and count always apply.
    """
    _require_aware(until, "until")
    if start is not None:
        _require_aware(start, "start")
    zone = _zone(rule.timezone)
    length = timedelta(minutes=rule.duration_minutes)
    found = []
    # rrule always iterates from dtstart, so count is counted from first_date, not from `start`.
    for local in rrule_for(rule):
        starts_at = _to_utc(local, zone)
        # Meetings are at least a day apart and clock changes are shorter than that, so instants
        # rise with the local dates: the first one at or past `until` ends the search.
        if starts_at >= until:
            break
        if start is None or starts_at >= start:
            found.append(Occurrence(local.date(), starts_at, starts_at + length))
    return found


def local_dates(rule: Rule, *, until_date: date, from_date: date | None = None) -> list[date]:
    """The local dates the rule meets on from ``from_date`` to ``until_date``, both inclusive."""
    dates = []
    for local in rrule_for(rule):
        day = local.date()
        if day > until_date:
            break
        if from_date is None or day >= from_date:
            dates.append(day)
    return dates


def _join_names(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def describe(rule: Rule) -> str:
    """The rule in plain English, e.g. "Every 2 weeks on Monday and Thursday at 10:00"."""
    at = rule.start_time.strftime("%H:%M")
    if rule.frequency == WEEKLY:
        every = "Every week" if rule.interval == 1 else f"Every {rule.interval} weeks"
        days = _join_names([DAY_NAMES[day] for day in rule.weekdays])
        return f"{every} on {days} at {at}"
    every = "Monthly" if rule.interval == 1 else f"Every {rule.interval} months"
    if rule.frequency == MONTHLY_WEEKDAY:
        week = _WEEK_OF_MONTH_NAMES[rule.week_of_month]
        return f"{every} on the {week} {DAY_NAMES[rule.weekdays[0]]} at {at}"
    return f"{every} on day {rule.day_of_month} at {at}"
