"""Attendance reports for a group or a whole organisation over a period: figures only, no names.

What counts (the report page says the same in words):

- A meeting is in the period when it starts in it (and has started). It is *held* unless it was
  cancelled. Figures are for held meetings; cancelled ones are only counted.
- *Attendance* at a meeting = members marked present + the companions they brought + anonymous
  walk-ins counted at the door. Members counted anonymously and people whose records were
  anonymised (retention period over, or account deleted) count here like everyone else.
- *Average attendance* is over the held meetings whose attendance was recorded (a roster was
  saved or walk-ins were counted), so a meeting nobody recorded does not pull it down.
- *Unique attendees* are different people marked present, told apart by their account.
  Attendances no longer linked to a person (anonymised) cannot be told apart, so they are not in
  this figure and are shown on their own. This is the one figure that falls when named
  attendance is purged; the rest stay the same.
- *First-timers*: people at their first meeting with the group (the mark is kept on purged rows).
  *Returning*: attendances by members who had been before (present, not a first meeting).
- *RSVP show-up rate*: of the members still "going" when a meeting started, the share marked
  present; over meetings whose attendance is recorded. The retention purge notes on each row
  whether the person had said they were going before it removes the name, so the rate stays
  the same. (A deleted account takes its RSVPs with it, and its row counts in neither part.)
- *Waiting list demand*: members still on the waiting list when a meeting started, in all and at
  the busiest meeting.

Every figure comes from a fixed few aggregate queries (GROUP BY meeting), whatever the number
of meetings in the period.
"""

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from groups.attendance.models import Attendance, AttendanceStatus, MeetingHeadcount
from groups.attendance.reports_period import Period
from groups.extensions import db
from groups.organisations.models import Group, Organisation, Venue
from groups.rsvps.models import RSVP, RSVPStatus
from groups.schedules.models import Meeting, MeetingStatus


@dataclass(frozen=True)
class ReportScope:
    """Which meetings a report covers, and how its pages and files are named."""

    title: str
    group_condition: sa.ColumnElement[bool]  # on Meeting.group_id
    timezone: str
    file_stem: str
    is_organisation: bool


def group_scope(group: Group) -> ReportScope:
    venue = group.default_venue
    return ReportScope(
        title=group.name,
        group_condition=Meeting.group_id == group.id,
        timezone=venue.timezone if venue else "UTC",
        file_stem=group.slug,
        is_organisation=False,
    )


def organisation_scope(organisation: Organisation) -> ReportScope:
    """All the organisation's groups; dates are read in the zone most of its venues are in."""
    timezone = db.session.scalar(
        sa.select(Venue.timezone)
        .where(Venue.organisation_id == organisation.id)
        .group_by(Venue.timezone)
        .order_by(sa.func.count().desc(), Venue.timezone)
        .limit(1)
    )
    group_ids = sa.select(Group.id).where(Group.organisation_id == organisation.id)
    return ReportScope(
        title=organisation.name,
        group_condition=Meeting.group_id.in_(group_ids.scalar_subquery()),
        timezone=timezone or "UTC",
        file_stem=organisation.slug,
        is_organisation=True,
    )


@dataclass
class MeetingFigures:
    meeting_id: int
    group_id: int
    group_name: str
    starts_at: datetime
    cancelled: bool
    headcount_recorded: bool = False
    walk_ins: int = 0
    rows: int = 0  # attendance rows, present or absent
    named_rows: int = 0  # rows still linked to a person
    members_present: int = 0
    companions: int = 0
    first_timers: int = 0
    counted_anonymously: int = 0
    anonymised: int = 0  # present, no longer linked to a person
    rsvps_going: int = 0
    rsvps_going_present: int = 0
    waitlisted: int = 0

    @property
    def recorded(self) -> bool:
        return self.rows > 0 or self.headcount_recorded

    @property
    def total(self) -> int:
        return self.members_present + self.companions + self.walk_ins

    @property
    def returning(self) -> int:
        return self.members_present - self.first_timers

    @property
    def show_up_counted(self) -> bool:
        """Were the marks recorded? (Named rows are matched with RSVPs; purged rows carry the
        match with them, ``Attendance.had_rsvp``.)"""
        return not self.cancelled and self.rows > 0


@dataclass
class Totals:
    """What a list of meetings adds up to (the whole report, or one group in it)."""

    meetings: list[MeetingFigures]
    unique_attendees: int

    @property
    def held(self) -> list[MeetingFigures]:
        return [meeting for meeting in self.meetings if not meeting.cancelled]

    @property
    def meetings_held(self) -> int:
        return len(self.held)

    @property
    def meetings_cancelled(self) -> int:
        return len(self.meetings) - self.meetings_held

    @property
    def meetings_recorded(self) -> int:
        return sum(1 for meeting in self.held if meeting.recorded)

    def _sum(self, name: str) -> int:
        return sum(getattr(meeting, name) for meeting in self.held)

    @property
    def total_attendance(self) -> int:
        return self._sum("total")

    @property
    def average_attendance(self) -> float | None:
        recorded = self.meetings_recorded
        return self.total_attendance / recorded if recorded else None

    @property
    def members_present(self) -> int:
        return self._sum("members_present")

    @property
    def companions(self) -> int:
        return self._sum("companions")

    @property
    def walk_ins(self) -> int:
        return self._sum("walk_ins")

    @property
    def first_timers(self) -> int:
        return self._sum("first_timers")

    @property
    def returning(self) -> int:
        return self._sum("returning")

    @property
    def counted_anonymously(self) -> int:
        return self._sum("counted_anonymously")

    @property
    def anonymised(self) -> int:
        return self._sum("anonymised")

    @property
    def rsvps_going_counted(self) -> int:
        return sum(m.rsvps_going for m in self.held if m.show_up_counted)

    @property
    def rsvps_going_present(self) -> int:
        return sum(m.rsvps_going_present for m in self.held if m.show_up_counted)

    @property
    def show_up_rate(self) -> float | None:
        going = self.rsvps_going_counted
        return self.rsvps_going_present / going if going else None

    @property
    def waitlisted(self) -> int:
        return self._sum("waitlisted")

    @property
    def waitlisted_peak(self) -> int:
        return max((meeting.waitlisted for meeting in self.held), default=0)


@dataclass
class GroupTotals:
    group_id: int
    group_name: str
    totals: Totals


@dataclass
class AttendanceReport:
    scope: ReportScope
    period: Period
    totals: Totals
    by_group: list[GroupTotals] = field(default_factory=list)  # organisation reports

    @property
    def meetings(self) -> list[MeetingFigures]:
        return self.totals.meetings


def meetings_in_period(scope: ReportScope, period: Period, now: datetime):
    """A subquery of the ids of the meetings the report covers."""
    start, end = period.bounds(now)
    return sa.select(Meeting.id).where(
        scope.group_condition, Meeting.starts_at >= start, Meeting.starts_at < end
    )


def _present(*conditions) -> sa.Case:
    return sa.case(
        (sa.and_(Attendance.status == AttendanceStatus.PRESENT, *conditions), 1), else_=0
    )


def _meetings(scope: ReportScope, period: Period, now: datetime) -> dict[int, MeetingFigures]:
    rows = db.session.execute(
        sa.select(
            Meeting.id,
            Meeting.group_id,
            Group.name.label("group_name"),
            Meeting.starts_at,
            Meeting.status,
            MeetingHeadcount.meeting_id.label("headcount_id"),
            MeetingHeadcount.walk_ins,
        )
        .join(Group, Group.id == Meeting.group_id)
        .outerjoin(MeetingHeadcount, MeetingHeadcount.meeting_id == Meeting.id)
        .where(Meeting.id.in_(meetings_in_period(scope, period, now)))
        .order_by(Meeting.starts_at, Meeting.id)
    ).all()
    return {
        row.id: MeetingFigures(
            meeting_id=row.id,
            group_id=row.group_id,
            group_name=row.group_name,
            starts_at=row.starts_at,
            cancelled=row.status is MeetingStatus.CANCELLED,
            headcount_recorded=row.headcount_id is not None,
            walk_ins=row.walk_ins or 0,
        )
        for row in rows
    }


def _add_attendance(meetings: dict[int, MeetingFigures], in_period) -> None:
    present = Attendance.status == AttendanceStatus.PRESENT
    rows = db.session.execute(
        sa.select(
            Attendance.meeting_id,
            sa.func.count(),
            sa.func.count(Attendance.user_id),
            sa.func.sum(_present()),
            sa.func.sum(sa.case((present, Attendance.companions), else_=0)),
            sa.func.sum(_present(Attendance.first_time)),
            sa.func.sum(_present(Attendance.anonymous)),
            sa.func.sum(_present(Attendance.user_id.is_(None))),
            sa.func.sum(_present(sa.and_(Attendance.user_id.is_(None), Attendance.had_rsvp))),
        )
        .where(Attendance.meeting_id.in_(in_period))
        .group_by(Attendance.meeting_id)
    ).all()
    for (
        meeting_id,
        count,
        named,
        members,
        companions,
        first,
        anonymous,
        anonymised,
        purged_going,
    ) in rows:
        figures = meetings[meeting_id]
        # Purged rows keep whether the person had said they were going (matched by name below).
        figures.rsvps_going_present += purged_going or 0
        figures.rows, figures.named_rows = count, named
        figures.members_present, figures.companions = members or 0, companions or 0
        figures.first_timers, figures.counted_anonymously = first or 0, anonymous or 0
        figures.anonymised = anonymised or 0


def _add_rsvps(meetings: dict[int, MeetingFigures], in_period) -> None:
    # RSVPs stop changing once a meeting starts (no one is promoted after it), so what is left
    # "going" or "waitlisted" is what it was when the meeting started.
    going = RSVP.status == RSVPStatus.GOING
    rows = db.session.execute(
        sa.select(
            RSVP.meeting_id,
            sa.func.sum(sa.case((going, 1), else_=0)),
            sa.func.sum(sa.case((sa.and_(going, Attendance.id.is_not(None)), 1), else_=0)),
            sa.func.sum(sa.case((RSVP.status == RSVPStatus.WAITLISTED, 1), else_=0)),
        )
        .outerjoin(
            Attendance,
            sa.and_(
                Attendance.meeting_id == RSVP.meeting_id,
                Attendance.user_id == RSVP.user_id,
                Attendance.status == AttendanceStatus.PRESENT,
            ),
        )
        .where(RSVP.meeting_id.in_(in_period))
        .group_by(RSVP.meeting_id)
    ).all()
    for meeting_id, going_count, present_count, waitlisted in rows:
        figures = meetings[meeting_id]
        figures.rsvps_going = going_count or 0
        figures.rsvps_going_present += present_count or 0
        figures.waitlisted = waitlisted or 0


def _unique_attendees(in_period) -> tuple[int, dict[int, int]]:
    """Different people present over the whole period, and per group (one person at two
    groups is one person in the first figure)."""
    present_people = sa.and_(
        Attendance.meeting_id.in_(in_period),
        Attendance.status == AttendanceStatus.PRESENT,
        Attendance.user_id.is_not(None),
        Meeting.status != MeetingStatus.CANCELLED,
    )
    people = sa.func.count(sa.distinct(Attendance.user_id))
    per_group = db.session.execute(
        sa.select(Meeting.group_id, people)
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .where(present_people)
        .group_by(Meeting.group_id)
    ).all()
    everyone = db.session.scalar(
        sa.select(people).join(Meeting, Meeting.id == Attendance.meeting_id).where(present_people)
    )
    return everyone or 0, dict(per_group)


def attendance_report(scope: ReportScope, period: Period, now: datetime) -> AttendanceReport:
    """The report's figures for the meetings of ``scope`` that started in ``period``."""
    in_period = meetings_in_period(scope, period, now)
    meetings = _meetings(scope, period, now)
    if meetings:
        _add_attendance(meetings, in_period)
        _add_rsvps(meetings, in_period)
        unique, unique_by_group = _unique_attendees(in_period)
    else:
        unique, unique_by_group = 0, {}
    figures = list(meetings.values())
    report = AttendanceReport(scope, period, Totals(figures, unique))
    if scope.is_organisation:
        names = {m.group_id: m.group_name for m in figures}
        for group_id in sorted(names, key=lambda group_id: names[group_id].casefold()):
            in_group = [m for m in figures if m.group_id == group_id]
            report.by_group.append(
                GroupTotals(
                    group_id, names[group_id], Totals(in_group, unique_by_group.get(group_id, 0))
                )
            )
    return report
