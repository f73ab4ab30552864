"""The report as CSV files: the figures (no names, for anyone who may see the report) and the
named attendance list (organisation admins only; the view audits each download).

Every cell that a spreadsheet could read as a formula (starting with = + - @, a tab or a
carriage return) is prefixed with ' so that a group or person's name can't run as one.
"""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from groups.accounts.models import User
from groups.attendance.models import Attendance, AttendanceStatus
from groups.attendance.reports import AttendanceReport, MeetingFigures, meetings_in_period
from groups.extensions import db
from groups.organisations.models import Group
from groups.schedules.models import Meeting, MeetingStatus

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ANONYMOUS = "Anonymous"
ANONYMISED = "Anonymised (no longer linked to a person)"

FIGURE_COLUMNS = [
    "Date", "Time", "Group", "Meeting", "Members present", "Companions", "Anonymous walk-ins",
    "Total attendance", "First-timers", "Returning", "Counted anonymously",
    "No longer linked to a person", "RSVPs going", "RSVPs going who came", "Still waiting",
]  # fmt: skip
NAMED_COLUMNS = ["Date", "Time", "Group", "Person", "Marked", "Companions", "First meeting"]


def csv_safe(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv(rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_safe(value) for value in row])
    return buffer.getvalue()


def _local(instant: datetime, timezone: str) -> tuple[str, str]:
    local = instant.astimezone(ZoneInfo(timezone))
    return local.date().isoformat(), f"{local:%H:%M}"


def _meeting_row(meeting: MeetingFigures, timezone: str) -> list:
    day, clock = _local(meeting.starts_at, timezone)
    if meeting.cancelled:
        return [day, clock, meeting.group_name, "Cancelled"] + [""] * (len(FIGURE_COLUMNS) - 4)
    return [
        day, clock, meeting.group_name, "Held" if meeting.recorded else "Held, not recorded",
        meeting.members_present, meeting.companions, meeting.walk_ins, meeting.total,
        meeting.first_timers, meeting.returning, meeting.counted_anonymously, meeting.anonymised,
        meeting.rsvps_going, meeting.rsvps_going_present, meeting.waitlisted,
    ]  # fmt: skip


def figures_csv(report: AttendanceReport) -> str:
    """One row per meeting, then the totals: numbers only."""
    totals = report.totals
    timezone = report.scope.timezone
    rows = [FIGURE_COLUMNS]
    rows += [_meeting_row(meeting, timezone) for meeting in report.meetings]
    rows.append([
        "Totals", "", report.scope.title,
        f"{totals.meetings_held} held, {totals.meetings_cancelled} cancelled",
        totals.members_present, totals.companions, totals.walk_ins, totals.total_attendance,
        totals.first_timers, totals.returning, totals.counted_anonymously, totals.anonymised,
        totals.rsvps_going_counted, totals.rsvps_going_present, totals.waitlisted,
    ])  # fmt: skip
    rows.append(["Unique attendees", "", "", "", totals.unique_attendees])
    return _csv(rows)


def named_attendance_csv(report: AttendanceReport, now: datetime) -> str:
    """Who was marked at each held meeting of the report: members counted anonymously appear as
    "Anonymous" (their name is not even read), anonymised rows as such."""
    person = sa.case(
        (Attendance.anonymous, sa.literal(ANONYMOUS)),
        (Attendance.user_id.is_(None), sa.literal(ANONYMISED)),
        else_=User.display_name,
    )
    rows = db.session.execute(
        sa.select(
            Meeting.starts_at,
            Group.name,
            person,
            Attendance.status,
            Attendance.companions,
            Attendance.first_time,
        )
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .join(Group, Group.id == Meeting.group_id)
        .outerjoin(User, sa.and_(User.id == Attendance.user_id, Attendance.anonymous.is_(False)))
        .where(
            Attendance.meeting_id.in_(meetings_in_period(report.scope, report.period, now)),
            Meeting.status != MeetingStatus.CANCELLED,
        )
        .order_by(Meeting.starts_at, Meeting.id, Attendance.anonymous, person, Attendance.id)
    ).all()
    timezone = report.scope.timezone
    lines = [NAMED_COLUMNS]
    for starts_at, group_name, name, status, companions, first_time in rows:
        day, clock = _local(starts_at, timezone)
        marked = "Present" if status is AttendanceStatus.PRESENT else "Absent"
        lines.append(
            [day, clock, group_name, name, marked, companions, "Yes" if first_time else "No"]
        )
    return _csv(lines)
