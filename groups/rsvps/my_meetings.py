"""What a member's "My meetings" page shows, in a fixed few queries."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from groups.accounts.models import User
from groups.attendance.models import Attendance, AttendanceStatus
from groups.extensions import db
from groups.rsvps.logic import waitlist_places
from groups.rsvps.models import RSVP, RSVPStatus, StandingRSVP
from groups.schedules.models import Meeting, Schedule, meeting_venue_loaders

PAST_SHOWN = 50


@dataclass
class MyMeetings:
    upcoming: list[RSVP]  # going or waiting, soonest first (cancelled meetings included, marked)
    waitlist_places: dict[int, int]  # RSVP id -> place
    standing: list[StandingRSVP]
    attended: list[Meeting]  # most recent first


def _meeting_details():
    return meeting_venue_loaders(with_organisation=True)


def my_meetings_page(user: User, now: datetime) -> MyMeetings:
    upcoming = db.session.scalars(
        sa.select(RSVP)
        .join(RSVP.meeting)
        .where(
            RSVP.user_id == user.id,
            RSVP.status != RSVPStatus.CANCELLED,
            Meeting.ends_at > now,
        )
        .options(selectinload(RSVP.meeting).options(*_meeting_details()))
        .order_by(Meeting.starts_at)
    ).all()
    standing = db.session.scalars(
        sa.select(StandingRSVP)
        .where(StandingRSVP.user_id == user.id)
        .options(selectinload(StandingRSVP.schedule).selectinload(Schedule.group))
        .order_by(StandingRSVP.created_at)
    ).all()
    attended = db.session.scalars(
        sa.select(Meeting)
        .join(Attendance, Attendance.meeting_id == Meeting.id)
        .where(
            Attendance.user_id == user.id,
            Attendance.status == AttendanceStatus.PRESENT,
            Meeting.starts_at <= now,
        )
        .options(*_meeting_details())
        .order_by(Meeting.starts_at.desc())
        .limit(PAST_SHOWN)
    ).all()
    return MyMeetings(upcoming, waitlist_places(list(upcoming)), standing, attended)
