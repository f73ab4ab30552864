"""Small builders the RSVP tests share."""

import sqlalchemy as sa

from groups.extensions import db
from groups.rsvps.models import RSVP
from groups.schedules.models import Meeting


def upcoming_meetings(world) -> list[Meeting]:
    return db.session.scalars(
        sa.select(Meeting)
        .where(Meeting.schedule_id == world["schedule"].id, Meeting.starts_at > sa.func.now())
        .order_by(Meeting.starts_at)
    ).all()


def next_meeting(world, now) -> Meeting:
    return db.session.scalars(
        sa.select(Meeting)
        .where(Meeting.schedule_id == world["schedule"].id, Meeting.starts_at > now)
        .order_by(Meeting.starts_at)
    ).first()


def past_meeting(world, now) -> Meeting:
    return db.session.scalars(
        sa.select(Meeting)
        .where(Meeting.schedule_id == world["schedule"].id, Meeting.starts_at < now)
        .order_by(Meeting.starts_at.desc())
    ).first()


def rsvps_of(meeting: Meeting) -> list[RSVP]:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(RSVP).where(RSVP.meeting_id == meeting.id).order_by(RSVP.id)
    ).all()
