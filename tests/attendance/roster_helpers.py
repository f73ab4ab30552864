"""Builders the roster, facilitator home and consent tests share: meetings at a time relative to
now, RSVPs and attendance rows made directly (the RSVP rules refuse meetings that have started)."""

from datetime import timedelta

import sqlalchemy as sa

from groups.attendance.models import AnonymousCounting, Attendance, AttendanceStatus
from groups.audit.models import AuditEvent
from groups.extensions import db
from groups.rsvps.models import RSVP, RSVPStatus
from groups.schedules.models import Meeting
from tests.support import make_user


def meeting_at(group, starts_at, minutes: int = 90) -> Meeting:
    """A one-off meeting of ``group`` starting at ``starts_at`` (UTC)."""
    meeting = Meeting(
        group=group,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        local_date=starts_at.date(),
    )
    db.session.add(meeting)
    db.session.flush()
    return meeting


def answered(meeting, name_or_user, status=RSVPStatus.GOING, companions: int = 0):
    """A user (made from a name, or given) with an RSVP for ``meeting``."""
    user = make_user(name_or_user) if isinstance(name_or_user, str) else name_or_user
    db.session.add(RSVP(meeting=meeting, user=user, status=status, companions=companions))
    db.session.flush()
    return user


def came(meeting, user, status=AttendanceStatus.PRESENT, anonymous=False) -> Attendance:
    row = Attendance(meeting=meeting, user=user, status=status, anonymous=anonymous)
    db.session.add(row)
    db.session.flush()
    return row


def counted_anonymously(group, user) -> None:
    db.session.add(AnonymousCounting(group_id=group.id, user_id=user.id))
    db.session.flush()


def attendance_of(meeting) -> dict:
    """{user_id: (status value, companions, first_time, anonymous)} as stored."""
    db.session.expire_all()
    rows = db.session.scalars(sa.select(Attendance).where(Attendance.meeting_id == meeting.id))
    return {
        row.user_id: (row.status.value, row.companions, row.first_time, row.anonymous)
        for row in rows
    }


def attendance_events(meeting) -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(
                AuditEvent.action == "attendance.changed",
                AuditEvent.object_type == "meeting",
                AuditEvent.object_id == meeting.id,
            )
            .order_by(AuditEvent.id)
        )
    )
