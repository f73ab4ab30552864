"""What a schedule will do, shown to staff before they save it.

- The next few dates, in the venue's local time, worked out exactly as saving will create them
  (``recurrence.occurrences`` from now).
- A warning for each date on which the clocks change in the venue's zone, saying what happens to
  the meeting by the documented rule (``recurrence.local_instant``): a time skipped when the clocks
  go forward moves forward by the gap, a time that happens twice when they go back is the first.
- Circles knows no public holidays or close days, so the page always says to check them.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from groups.schedules.logic import horizon_end
from groups.schedules.recurrence import WEEKLY, Occurrence, Rule, occurrences

PREVIEW_SIZE = 8
HOLIDAY_NOTE = "Check the dates against public holidays and close days; Circles doesn't know them."


def day_label(moment: datetime | date) -> str:
    """'Sunday 28 March 2027'."""
    return f"{moment:%A} {moment.day} {moment:%B %Y}"


def when_label(starts_at: datetime, ends_at: datetime, timezone: str) -> str:
    """'Tuesday 8 December 2026, 18:30 to 20:00 (GMT)', in the venue's zone."""
    zone = ZoneInfo(timezone)
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    return f"{day_label(start)}, {start:%H:%M} to {end:%H:%M} ({start.tzname()})"


@dataclass(frozen=True)
class PreviewDate:
    occurrence: Occurrence
    timezone: str
    clock_change: str | None  # what happens that day, if the clocks change

    @property
    def label(self) -> str:
        return when_label(self.occurrence.starts_at, self.occurrence.ends_at, self.timezone)

    @property
    def local_start(self) -> datetime:
        return self.occurrence.starts_at.astimezone(ZoneInfo(self.timezone))


@dataclass(frozen=True)
class SchedulePreview:
    dates: list[PreviewDate]  # the next PREVIEW_SIZE meetings
    clock_changes: list[str]  # one line per meeting on a clock-change day, dated
    created_now: int  # meetings saving creates at once (up to the horizon)
    horizon_weeks: int
    holiday_note: str = HOLIDAY_NOTE


def _offset(day: date, zone: ZoneInfo) -> timedelta:
    return datetime.combine(day, time(0), tzinfo=zone).utcoffset()


def clock_change_warning(occurrence: Occurrence, rule: Rule) -> str | None:
    """What the clocks do on the meeting's local date, and so when it starts; None on other days."""
    zone = ZoneInfo(rule.timezone)
    day = occurrence.local_date
    before, after = _offset(day, zone), _offset(day + timedelta(days=1), zone)
    if before == after:
        return None
    direction = "forward" if after > before else "back"
    wall = datetime.combine(day, rule.start_time)
    usual = f"{rule.start_time:%H:%M}"
    start = occurrence.starts_at.astimezone(zone)
    end = occurrence.ends_at.astimezone(zone)
    if start.replace(tzinfo=None) != wall:
        message = f"The clocks go forward that night: the meeting starts at {start:%H:%M} instead of {usual}."
    elif (
        wall.replace(tzinfo=zone, fold=0).utcoffset()
        != wall.replace(tzinfo=zone, fold=1).utcoffset()
    ):
        message = (
            f"The clocks go back that night and {usual} happens twice: the meeting starts at the "
            f"first {usual} ({start.tzname()})."
        )
    else:
        message = (
            f"The clocks go {direction} that night; the meeting starts at its usual time, {usual}."
        )
    expected_end = wall + timedelta(minutes=rule.duration_minutes)
    if end.replace(tzinfo=None) != expected_end and start.replace(tzinfo=None) == wall:
        message += f" It lasts as long as usual, so by the clock it ends at {end:%H:%M}."
    return message


def next_occurrences(rule: Rule, *, now: datetime, limit: int = PREVIEW_SIZE) -> list[Occurrence]:
    """The next ``limit`` meetings the rule makes from ``now`` (fewer if it ends sooner)."""
    # A window long enough to hold `limit` meetings (each week or month of the interval has at
    # least one), starting where the schedule does.
    first = datetime.combine(rule.first_date, time(0), tzinfo=UTC) - timedelta(days=1)
    start = max(now, first)
    if rule.frequency == WEEKLY:
        window = timedelta(weeks=rule.interval * (limit + 1) + 1)
    else:
        window = timedelta(days=31 * rule.interval * (limit + 1) + 31)
    return occurrences(rule, start=now, until=start + window)[:limit]


def schedule_preview(rule: Rule, *, now: datetime, horizon_weeks: int) -> SchedulePreview:
    """The next dates of ``rule`` and its clock-change warnings, as saving it now would make them."""
    shown = next_occurrences(rule, now=now)
    created = occurrences(rule, start=now, until=horizon_end(now, horizon_weeks))
    warnings = []
    for occurrence in sorted({*shown, *created}, key=lambda occ: occ.starts_at):
        warning = clock_change_warning(occurrence, rule)
        if warning:
            warnings.append(f"{day_label(occurrence.local_date)}: {warning}")
    return SchedulePreview(
        dates=[PreviewDate(occ, rule.timezone, clock_change_warning(occ, rule)) for occ in shown],
        clock_changes=warnings,
        created_now=len(created),
        horizon_weeks=horizon_weeks,
    )
