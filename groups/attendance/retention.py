"""Retention: named attendance is kept for the organisation's retention period (default 24
months), then turned into anonymous counts.

An anonymised row keeps what the reports need (status, companions, first_time, anonymous,
had_rsvp) and loses who it was about and who recorded it. So that the names can't be pieced back
together from elsewhere, the same purge removes who made the RSVPs to those meetings and the
people in the attendance audit events about them (who recorded stays: that is staff's own
action). Reports stay the same, except that the people of anonymised rows can no longer be told
apart (see ``groups.attendance.reports``).
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from groups.attendance.models import Attendance
from groups.audit.models import AuditEvent
from groups.extensions import db
from groups.organisations.models import Group, Organisation
from groups.rsvps.models import RSVP, RSVPStatus
from groups.schedules.models import Meeting

# What an attendance audit event says once its people are purged (who saved, and when, stay).
PURGED_DETAIL = {"changes": "removed after the retention period"}


@dataclass(frozen=True)
class Purged:
    organisation: str
    cutoff: datetime
    rows: int
    rsvps: int = 0


def retention_cutoff(organisation: Organisation, now: datetime) -> datetime:
    """Meetings that started before this instant are past the retention period."""
    return now - relativedelta(months=organisation.attendance_retention_months)


def purge_named_attendance(now: datetime) -> list[Purged]:
    """Anonymise the attendance of meetings past each organisation's retention period: one bulk
    UPDATE per organisation (running it again changes nothing). The caller commits."""
    purged = []
    for organisation in db.session.scalars(sa.select(Organisation).order_by(Organisation.id)):
        cutoff = retention_cutoff(organisation, now)
        old_meetings = (
            sa.select(Meeting.id)
            .join(Group, Group.id == Meeting.group_id)
            .where(Group.organisation_id == organisation.id, Meeting.starts_at < cutoff)
        )
        had_said_going = (
            sa.select(RSVP.id)
            .where(
                RSVP.meeting_id == Attendance.meeting_id,
                RSVP.user_id == Attendance.user_id,
                RSVP.status == RSVPStatus.GOING,
            )
            .exists()
        )
        result = db.session.execute(
            sa.update(Attendance)
            .where(
                Attendance.meeting_id.in_(old_meetings),
                sa.or_(Attendance.user_id.is_not(None), Attendance.recorded_by_id.is_not(None)),
            )
            .values(
                # Kept from the named row (a purged row has no user to match any more).
                had_rsvp=sa.case(
                    (Attendance.user_id.is_(None), Attendance.had_rsvp), else_=had_said_going
                ),
                user_id=None,
                recorded_by_id=None,
            )
            .execution_options(synchronize_session=False)
        )
        rsvps = db.session.execute(
            sa.update(RSVP)
            .where(RSVP.meeting_id.in_(old_meetings), RSVP.user_id.is_not(None))
            .values(user_id=None)
            .execution_options(synchronize_session=False)
        )
        db.session.execute(
            sa.update(AuditEvent)
            .where(
                AuditEvent.object_type == Meeting.__tablename__,
                AuditEvent.object_id.in_(old_meetings),
                AuditEvent.action == "attendance.changed",
            )
            .values(detail=PURGED_DETAIL)
            .execution_options(synchronize_session=False)
        )
        purged.append(Purged(organisation.name, cutoff, result.rowcount, rsvps.rowcount))
    return purged
