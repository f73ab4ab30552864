"""A member's own calendar: the meetings they are going to or waiting for.

Going is STATUS:CONFIRMED, on the waiting list STATUS:TENTATIVE, a meeting that was cancelled
STATUS:CANCELLED (so the calendar shows the change rather than the event vanishing). Past meetings
stay. In discreet mode (``User.discreet_calendar``) a meeting is "Tuesday meeting": no group name,
description, venue name or link to the group, only the address. The feed names no one, not even
the member.
"""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from groups.accounts.models import User
from groups.extensions import db
from groups.feeds.ical import finish, meeting_event, new_calendar
from groups.feeds.versions import FeedVersion, groups_version
from groups.rsvps.models import RSVP, RSVPStatus
from groups.schedules.models import Meeting, MeetingStatus, meeting_venue_loaders

LIVE_STATUSES = (RSVPStatus.GOING, RSVPStatus.WAITLISTED)
WAITING_NOTE = "You are on the waiting list. We will email you if a place comes free."


def _live_rsvps():
    return sa.select(RSVP).where(RSVP.status.in_(LIVE_STATUSES))


def personal_version(user: User, *extra) -> FeedVersion:
    answers = db.session.execute(
        _live_rsvps()
        .with_only_columns(RSVP.meeting_id, RSVP.status, Meeting.group_id)
        .join(Meeting, RSVP.meeting_id == Meeting.id)
        .where(RSVP.user_id == user.id)
        .order_by(RSVP.meeting_id)
    ).all()
    group_ids = sorted({row.group_id for row in answers})
    shown = [(row.meeting_id, row.status.value) for row in answers]
    return groups_version(group_ids, "personal", user.discreet_calendar, shown, *extra)


def personal_calendar(user: User) -> bytes:
    rsvps = db.session.scalars(
        _live_rsvps()
        .join(Meeting, RSVP.meeting_id == Meeting.id)
        .where(RSVP.user_id == user.id)
        .order_by(Meeting.starts_at, Meeting.id)
        .options(selectinload(RSVP.meeting).options(*meeting_venue_loaders()))
    ).all()
    discreet = user.discreet_calendar
    events = []
    for rsvp in rsvps:
        waiting = rsvp.status is RSVPStatus.WAITLISTED
        cancelled = rsvp.meeting.status is MeetingStatus.CANCELLED
        status = "CANCELLED" if cancelled else ("TENTATIVE" if waiting else "CONFIRMED")
        events.append(
            meeting_event(
                rsvp.meeting,
                discreet=discreet,
                status=status,
                note=WAITING_NOTE if waiting and not cancelled else "",
            )
        )
    name = "My meetings" if discreet else "My Circles meetings"
    return finish(new_calendar(name), events)
