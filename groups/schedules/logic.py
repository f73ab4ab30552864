"""Turning schedules into meetings, and the exceptions staff make to single meetings.

Rules (plain functions; the caller commits):
- meetings are materialised for a rolling horizon; doing it twice creates nothing new;
- editing a schedule never loses an RSVP or an attendance row: a future meeting that no longer
  fits the rule is deleted only when nobody has answered it, otherwise it is cancelled, and the
  people going are to be told (a ``MeetingChange`` row records what must be sent);
- past meetings are history and are never changed by a schedule edit.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from groups.attendance.models import Attendance
from groups.extensions import db
from groups.models import utcnow
from groups.organisations.models import Group, Venue
from groups.rsvps.models import RSVP, RSVPStatus
from groups.rsvps.standing import copy_standing_rsvps
from groups.schedules.models import (
    Meeting,
    MeetingChange,
    MeetingChangeKind,
    MeetingStatus,
    Schedule,
)
from groups.schedules.recurrence import Occurrence, Rule, local_instant, occurrences

DEFAULT_HORIZON_WEEKS = 26
SCHEDULE_EDIT_CANCEL_REASON = (
    "The group's regular meeting times changed, so this meeting won't take place."
)


class MeetingError(ValueError):
    """A change to a meeting that can't be made, with a message for the person making it."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def horizon_end(now: datetime, weeks: int = DEFAULT_HORIZON_WEEKS) -> datetime:
    return now + timedelta(weeks=weeks)


def _new_meeting(schedule: Schedule, occurrence: Occurrence) -> Meeting:
    return Meeting(
        group_id=schedule.group_id,
        schedule=schedule,
        starts_at=occurrence.starts_at,
        ends_at=occurrence.ends_at,
        local_date=occurrence.local_date,
        status=MeetingStatus.SCHEDULED,
    )


def extend_meetings(schedule: Schedule, *, now: datetime, until: datetime) -> list[Meeting]:
    """Create the schedule's meetings that start between ``now`` and ``until`` and don't exist yet."""
    wanted = occurrences(schedule.rule, start=now, until=until)
    if not wanted:
        return []
    existing = (
        set(
            db.session.scalars(
                sa.select(Meeting.local_date).where(
                    Meeting.schedule_id == schedule.id,
                    Meeting.local_date >= wanted[0].local_date,
                )
            )
        )
        if schedule.id is not None
        else set()
    )
    created = [_new_meeting(schedule, occ) for occ in wanted if occ.local_date not in existing]
    db.session.add_all(created)
    copy_standing_rsvps(created, now=now)
    return created


def extend_all_meetings(*, now: datetime | None = None, weeks: int = DEFAULT_HORIZON_WEEKS) -> int:
    """Materialise every schedule's meetings up to the horizon; returns how many were created."""
    now = now or utcnow()
    until = horizon_end(now, weeks)
    schedules = db.session.scalars(
        sa.select(Schedule)
        .where(
            sa.or_(
                Schedule.last_date.is_(None), Schedule.last_date >= (now - timedelta(days=1)).date()
            )
        )
        .order_by(Schedule.id)
    ).all()
    return sum(len(extend_meetings(schedule, now=now, until=until)) for schedule in schedules)


@dataclass
class ScheduleChange:
    """What an edit to a schedule does to its future meetings (shown to staff before saving)."""

    added: list[Occurrence] = field(default_factory=list)
    deleted: list[Meeting] = field(default_factory=list)  # nobody had answered them
    cancelled: list[Meeting] = field(default_factory=list)  # kept, with their RSVPs, as cancelled
    retimed: list[tuple[Meeting, Occurrence]] = field(default_factory=list)
    reinstated: list[tuple[Meeting, Occurrence]] = field(default_factory=list)
    rsvps_affected: dict[int, int] = field(default_factory=dict)  # meeting id -> people going

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.deleted or self.cancelled or self.retimed or self.reinstated)


def _answered_meeting_ids(meeting_ids: list[int]) -> set[int]:
    """Meetings with any RSVP (even a cancelled one) or any attendance row."""
    if not meeting_ids:
        return set()
    with_rsvps = sa.select(RSVP.meeting_id).where(RSVP.meeting_id.in_(meeting_ids))
    with_attendance = sa.select(Attendance.meeting_id).where(Attendance.meeting_id.in_(meeting_ids))
    return set(db.session.scalars(sa.union(with_rsvps, with_attendance)))


def _people_going(meeting_ids: list[int]) -> dict[int, int]:
    if not meeting_ids:
        return {}
    rows = db.session.execute(
        sa.select(RSVP.meeting_id, sa.func.count())
        .where(RSVP.meeting_id.in_(meeting_ids), RSVP.status != RSVPStatus.CANCELLED)
        .group_by(RSVP.meeting_id)
    )
    return dict(rows.all())


def plan_schedule_change(
    schedule: Schedule, new_rule: Rule, *, new_venue_id: int, now: datetime, until: datetime
) -> ScheduleChange:
    """Work out, without changing anything, what saving ``new_rule`` would do."""
    future = db.session.scalars(
        sa.select(Meeting)
        .where(Meeting.schedule_id == schedule.id, Meeting.starts_at > now)
        .order_by(Meeting.starts_at)
    ).all()
    by_date = {meeting.local_date: meeting for meeting in future}
    wanted = {occ.local_date: occ for occ in occurrences(new_rule, start=now, until=until)}
    # A meeting generated earlier whose date is now past the horizon still exists: compare against
    # every future date the new rule has up to the furthest existing meeting too.
    if future and future[-1].starts_at >= until:
        extra = occurrences(new_rule, start=until, until=future[-1].starts_at + timedelta(days=1))
        wanted_beyond = {occ.local_date: occ for occ in extra}
    else:
        wanted_beyond = {}
    all_wanted = wanted | wanted_beyond

    ids = [meeting.id for meeting in future]
    answered = _answered_meeting_ids(ids)
    change = ScheduleChange(rsvps_affected=_people_going(ids))
    venue_changes = new_venue_id != schedule.venue_id

    for local_date, meeting in by_date.items():
        occurrence = all_wanted.get(local_date)
        if occurrence is None:
            if meeting.status is MeetingStatus.CANCELLED:
                continue
            (change.cancelled if meeting.id in answered else change.deleted).append(meeting)
        elif meeting.status is MeetingStatus.CANCELLED:
            if meeting.cancelled_by_schedule_edit:
                change.reinstated.append((meeting, occurrence))
        elif meeting.status is MeetingStatus.SCHEDULED and (
            (meeting.starts_at, meeting.ends_at) != (occurrence.starts_at, occurrence.ends_at)
            or (venue_changes and meeting.venue_id is None)
        ):
            change.retimed.append((meeting, occurrence))
        # A meeting staff moved by hand keeps its own time and place.
    # Any meeting of the schedule holds its date, even a past one that was moved earlier.
    taken = set(
        db.session.scalars(
            sa.select(Meeting.local_date).where(
                Meeting.schedule_id == schedule.id, Meeting.local_date.in_(list(wanted))
            )
        )
    )
    change.added = [occ for local_date, occ in wanted.items() if local_date not in taken]
    return change


def apply_schedule_change(
    schedule: Schedule, new_rule: Rule, *, new_venue: Venue, now: datetime, until: datetime
) -> ScheduleChange:
    """Save a new rule (and venue) for ``schedule`` and bring its future meetings in line."""
    change = plan_schedule_change(
        schedule, new_rule, new_venue_id=new_venue.id, now=now, until=until
    )
    schedule.rule = new_rule
    schedule.venue = new_venue
    schedule.sequence += 1

    for meeting in change.deleted:
        db.session.delete(meeting)

    def tell(meeting: Meeting, kind: MeetingChangeKind, detail: str) -> None:
        if change.rsvps_affected.get(meeting.id):
            _tell_people_going(meeting, kind, detail)

    for meeting in change.cancelled:
        meeting.status = MeetingStatus.CANCELLED
        meeting.cancel_reason = SCHEDULE_EDIT_CANCEL_REASON
        meeting.cancelled_by_schedule_edit = True
        tell(meeting, MeetingChangeKind.CANCELLED, SCHEDULE_EDIT_CANCEL_REASON)
    for meeting, occurrence in change.retimed:
        meeting.starts_at, meeting.ends_at = occurrence.starts_at, occurrence.ends_at
        tell(meeting, MeetingChangeKind.SCHEDULE_CHANGED, "New time or place.")
    for meeting, occurrence in change.reinstated:
        meeting.status = MeetingStatus.SCHEDULED
        meeting.cancel_reason = None
        meeting.cancelled_by_schedule_edit = False
        meeting.starts_at, meeting.ends_at = occurrence.starts_at, occurrence.ends_at
        tell(meeting, MeetingChangeKind.SCHEDULE_CHANGED, "This meeting is on again.")
    db.session.flush()
    added = [_new_meeting(schedule, occ) for occ in change.added]
    db.session.add_all(added)
    copy_standing_rsvps(added, now=now)
    return change


def _tell_people_going(meeting: Meeting, kind: MeetingChangeKind, detail: str) -> None:
    db.session.add(MeetingChange(meeting=meeting, kind=kind, detail=detail))


def _require_future(meeting: Meeting, now: datetime) -> None:
    if meeting.starts_at <= now:
        raise MeetingError(
            "This meeting has already started or taken place, so it can't be changed."
        )


def cancel_meeting(meeting: Meeting, reason: str, *, now: datetime) -> None:
    """Cancel one meeting; the reason is shown to members and sent to the people going."""
    reason = (reason or "").strip()
    if not reason:
        raise MeetingError("Say why the meeting is cancelled; members will see it.", "reason")
    _require_future(meeting, now)
    if meeting.status is MeetingStatus.CANCELLED:
        raise MeetingError("This meeting is already cancelled.")
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancel_reason = reason
    _tell_people_going(meeting, MeetingChangeKind.CANCELLED, reason)


def move_meeting(
    meeting: Meeting,
    *,
    local_date: date,
    start_time: time,
    duration_minutes: int,
    venue: Venue,
    now: datetime,
) -> None:
    """Move one meeting to another time and/or venue (its generated date is kept)."""
    _require_future(meeting, now)
    if meeting.status is MeetingStatus.CANCELLED:
        raise MeetingError("A cancelled meeting can't be moved. Add an extra meeting instead.")
    if venue.organisation is not meeting.group.organisation:
        raise MeetingError("Choose one of your organisation's venues.", "venue")
    starts_at, ends_at = _instants(local_date, start_time, duration_minutes, venue.timezone)
    if starts_at <= now:
        raise MeetingError(
            "The new time is in the past. Choose a later date or time.", "local_date"
        )
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    meeting.venue_override = venue
    meeting.status = MeetingStatus.MOVED
    _tell_people_going(meeting, MeetingChangeKind.MOVED, f"Now at {venue.name}.")


def add_one_off_meeting(
    group: Group,
    *,
    local_date: date,
    start_time: time,
    duration_minutes: int,
    venue: Venue,
    now: datetime,
    topic: str | None = None,
) -> Meeting:
    """An extra meeting outside any schedule."""
    if venue.organisation is not group.organisation:
        raise MeetingError("Choose one of your organisation's venues.", "venue")
    starts_at, ends_at = _instants(local_date, start_time, duration_minutes, venue.timezone)
    if starts_at <= now:
        raise MeetingError("That time is in the past. Choose a later date or time.", "local_date")
    meeting = Meeting(
        group=group,
        schedule=None,
        starts_at=starts_at,
        ends_at=ends_at,
        local_date=local_date,
        venue_override=venue,
        topic=topic,
        status=MeetingStatus.SCHEDULED,
    )
    db.session.add(meeting)
    return meeting


def _instants(
    local_date: date, start_time: time, duration_minutes: int, timezone: str
) -> tuple[datetime, datetime]:
    if not 1 <= duration_minutes <= 720:
        raise MeetingError("A meeting lasts between 1 minute and 12 hours.", "duration_minutes")
    starts_at = local_instant(local_date, start_time, timezone)
    return starts_at, starts_at + timedelta(minutes=duration_minutes)
