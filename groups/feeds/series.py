"""A schedule and its meeting rows as VEVENTs: one recurring series, its exceptions, and the
meetings that stand on their own.

How a schedule edit that changes the rule is written (so past meetings stay where they were):
the schedule keeps one UID for ever, and its series is always the *current* rule. The app keeps
every meeting as a row, and an edit rewrites only future rows, so the rows tell which meetings
the current rule accounts for. The series starts (DTSTART) at the first occurrence of the current
rule after the last occurrence that has no row, or whose row is a scheduled meeting at another
time (one made by an earlier rule). Every row before that, and every row that is not an
occurrence of the current rule (past meetings of an earlier rule; future ones an edit cancelled
because people had answered them), is a VEVENT of its own with the meeting's UID. So after
"Tuesdays at 18:30" becomes "Thursdays at 19:00", the past Tuesdays stay on Tuesdays as single
events, the series (same UID, SEQUENCE and LAST-MODIFIED bumped by the edit) starts at the first
Thursday, and the calendar app, which replaces a subscribed feed's contents on refresh, shows
both. We chose this over "end the old series with UNTIL and start a new one" because the schedule
row keeps no history of its earlier rules (only its rows do), and because a UID per rule would
change the schedule's UID at every edit.

Within the series:
- a cancelled meeting is a RECURRENCE-ID override with STATUS:CANCELLED and the reason, so the
  calendar can show why (apps that hide cancelled events still drop it);
- a moved meeting, or one with its own topic, speaker or venue, is a RECURRENCE-ID override;
- RECURRENCE-ID is the occurrence's wall time in the schedule's TZID, exactly as DTSTART is, and
  the length is DURATION (elapsed time, as the app counts it, across clock changes);
- a rule ending on a date or after a count ends with UNTIL, in UTC: the start of its last meeting.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from icalendar import Event, vRecur

from groups.feeds.ical import (
    add_place,
    local_start,
    meeting_event,
    plain_text_from_markdown,
    stamp,
    text,
    uid_domain,
)
from groups.mail.links import external_url
from groups.schedules.models import Meeting, MeetingStatus, Schedule
from groups.schedules.recurrence import (
    MONTHLY_WEEKDAY,
    WEEKLY,
    Rule,
    local_dates,
    local_instant,
    rrule_for,
)

_DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass
class SeriesPlan:
    """How a schedule's rows are written: the series' first date (None: no series), the rows
    that are the series' exceptions, and the rows that stand on their own."""

    first_date: date | None = None
    exceptions: list[Meeting] = field(default_factory=list)
    standalone: list[Meeting] = field(default_factory=list)


def _rule_times(rule: Rule, day: date) -> tuple[datetime, datetime]:
    starts_at = local_instant(day, rule.start_time, rule.timezone)
    return starts_at, starts_at + timedelta(minutes=rule.duration_minutes)


def _made_by_rule(meeting: Meeting | None, rule: Rule) -> bool:
    """Whether a row can be the current rule's meeting on its date (a scheduled row at another
    time was made by an earlier rule; moved and cancelled rows are exceptions either way)."""
    if meeting is None:
        return False
    if meeting.status is not MeetingStatus.SCHEDULED:
        return True
    return (meeting.starts_at, meeting.ends_at) == _rule_times(rule, meeting.local_date)


def _is_exception(meeting: Meeting, schedule: Schedule) -> bool:
    return (
        meeting.status is not MeetingStatus.SCHEDULED
        or (meeting.starts_at, meeting.ends_at) != _rule_times(schedule.rule, meeting.local_date)
        or bool(meeting.topic or meeting.guest_speaker)
        or (meeting.venue_id is not None and meeting.venue_id != schedule.venue_id)
    )


def plan_series(schedule: Schedule, meetings: list[Meeting]) -> SeriesPlan:
    """Split ``schedule``'s meeting rows into series, exceptions and single events (the rule
    is in the module docstring)."""
    if not meetings:
        return SeriesPlan()
    rule = schedule.rule
    by_date = {meeting.local_date: meeting for meeting in meetings}
    occurrences = local_dates(rule, until_date=max(by_date))
    first_in_series = 0
    for index, day in enumerate(occurrences):
        if not _made_by_rule(by_date.get(day), rule):
            first_in_series = index + 1
    series_dates = occurrences[first_in_series:]
    if not series_dates:
        return SeriesPlan(standalone=sorted(meetings, key=_order))
    in_series = {by_date[day].id for day in series_dates}
    return SeriesPlan(
        first_date=series_dates[0],
        exceptions=[by_date[day] for day in series_dates if _is_exception(by_date[day], schedule)],
        standalone=sorted((m for m in meetings if m.id not in in_series), key=_order),
    )


def _order(meeting: Meeting) -> tuple[datetime, int]:
    return meeting.starts_at, meeting.id


def recurrence_rule(rule: Rule) -> vRecur:
    """The rule as an RRULE, with UNTIL in UTC when it ends."""
    parts: dict[str, object] = {}
    if rule.frequency == WEEKLY:
        parts["FREQ"] = "WEEKLY"
        parts["BYDAY"] = [_DAY_CODES[day] for day in rule.weekdays]
        parts["WKST"] = "MO"
    elif rule.frequency == MONTHLY_WEEKDAY:
        parts["FREQ"] = "MONTHLY"
        parts["BYDAY"] = [f"{rule.week_of_month}{_DAY_CODES[rule.weekdays[0]]}"]
    else:
        parts["FREQ"] = "MONTHLY"
        parts["BYMONTHDAY"] = [rule.day_of_month]
    if rule.interval != 1:
        parts["INTERVAL"] = rule.interval
    if rule.last_date is not None or rule.count is not None:
        last = list(rrule_for(rule))[-1] if rule.count else None
        last_day = last.date() if last else local_dates(rule, until_date=rule.last_date)[-1]
        parts["UNTIL"] = local_instant(last_day, rule.start_time, rule.timezone)
    return vRecur(parts)


def schedule_uid(schedule: Schedule) -> str:
    return f"schedule-{schedule.id}@{uid_domain()}"


def _series_event(schedule: Schedule, first_date: date) -> Event:
    rule, group = schedule.rule, schedule.group
    event = Event()
    event.add("uid", schedule_uid(schedule))
    event.add("sequence", schedule.sequence)
    stamp(event, schedule.updated_at)
    event.add("dtstart", local_start(first_date, rule.start_time, rule.timezone))
    event.add("duration", timedelta(minutes=rule.duration_minutes))
    event.add("rrule", recurrence_rule(rule))
    event.add("summary", text(group.name))
    description = plain_text_from_markdown(group.description)
    if description:
        event.add("description", text(description))
    add_place(event, schedule.venue)
    event.add("url", external_url("finder.group_page", slug=group.slug))
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def _exception_event(schedule: Schedule, meeting: Meeting) -> Event:
    event = meeting_event(meeting)
    # An override shares the series' UID and SEQUENCE, and names the occurrence it replaces.
    event["uid"] = text(schedule_uid(schedule))
    event.pop("sequence")
    event.add("sequence", schedule.sequence)
    event.add(
        "recurrence-id", local_start(meeting.local_date, schedule.start_time, schedule.timezone)
    )
    return event


def schedule_events(schedule: Schedule, meetings: list[Meeting]) -> list[Event]:
    """The VEVENTs for one schedule: its series, the series' exceptions, then single events."""
    plan = plan_series(schedule, meetings)
    events = []
    if plan.first_date is not None:
        events.append(_series_event(schedule, plan.first_date))
        events.extend(_exception_event(schedule, meeting) for meeting in plan.exceptions)
    events.extend(meeting_event(meeting) for meeting in plan.standalone)
    return events
