"""Going to every meeting of a schedule: a convenience for regulars.

A standing RSVP is copied onto each meeting of the schedule: the ones already planned when the
member says so, and each one planned later (``copy_standing_rsvps``, called whenever meetings are
created). Each copy is an ordinary RSVP, so it takes a seat or a waitlist place like any other and
can be cancelled on its own.
"""

from datetime import datetime

import sqlalchemy as sa

from groups.accounts.models import User
from groups.extensions import db
from groups.organisations.models import Group
from groups.rsvps.logic import (
    RSVPError,
    RSVPOutcome,
    cancel_rsvp,
    check_companions,
    check_open,
    make_rsvp,
)
from groups.rsvps.models import RSVP, RSVPStatus, StandingRSVP
from groups.schedules.models import Meeting, MeetingStatus, Schedule


def _open_meetings(schedule_id: int, now: datetime) -> list[int]:
    query = sa.select(Meeting.id).where(
        Meeting.schedule_id == schedule_id,
        Meeting.starts_at > now,
        Meeting.status != MeetingStatus.CANCELLED,
    )
    return list(db.session.scalars(query.order_by(Meeting.starts_at)))


def _answered(user_id: int, meeting_ids: list[int]) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(RSVP.meeting_id).where(
                RSVP.user_id == user_id,
                RSVP.meeting_id.in_(meeting_ids),
                RSVP.status != RSVPStatus.CANCELLED,
            )
        )
    )


def has_standing_rsvp(schedule_id: int | None, user: User) -> bool:
    if schedule_id is None:
        return False
    return (
        db.session.scalar(
            sa.select(StandingRSVP.id).where(
                StandingRSVP.schedule_id == schedule_id, StandingRSVP.user_id == user.id
            )
        )
        is not None
    )


def start_going_to_every_meeting(
    schedule: Schedule, user: User, *, companions: int, now: datetime
) -> list[RSVPOutcome]:
    """Record the standing RSVP and make an RSVP for each future meeting the member hasn't
    answered yet. Returns those RSVPs (some may be on a waitlist)."""
    check_companions(companions)
    if not schedule.group.rsvp_open:
        raise RSVPError("This group isn't taking RSVPs: just come along.")
    if has_standing_rsvp(schedule.id, user):
        raise RSVPError("You are already going to every meeting of this group.")
    db.session.add(StandingRSVP(schedule=schedule, user=user, companions=companions))
    meeting_ids = _open_meetings(schedule.id, now)
    answered = _answered(user.id, meeting_ids)
    # One RSVP at a time, each under its meeting's lock, so no seat is given twice.
    return [
        make_rsvp(meeting_id, user, companions=companions, now=now)
        for meeting_id in meeting_ids
        if meeting_id not in answered
    ]


def say_going(
    meeting: Meeting, user: User, *, companions: int, every: bool, now: datetime
) -> list[RSVPOutcome]:
    """The member says they're coming to ``meeting`` (and, with ``every``, to every meeting of its
    schedule). The RSVP to ``meeting`` comes first when one was made; a member already going to
    it may still add "every meeting"."""
    if not every or meeting.schedule_id is None:
        return [make_rsvp(meeting.id, user, companions=companions, now=now)]
    check_open(meeting, now)
    outcomes = start_going_to_every_meeting(meeting.schedule, user, companions=companions, now=now)
    outcomes.sort(key=lambda outcome: outcome.rsvp.meeting_id != meeting.id)
    return outcomes


def stop_going_to_every_meeting(standing: StandingRSVP, *, now: datetime) -> list[RSVP]:
    """End the standing RSVP and cancel the member's RSVPs to the schedule's future meetings.
    Returns the people promoted from waitlists as a result (to be told)."""
    meeting_ids = _open_meetings(standing.schedule_id, now)
    rsvp_ids = db.session.scalars(
        sa.select(RSVP.id).where(
            RSVP.user_id == standing.user_id,
            RSVP.meeting_id.in_(meeting_ids),
            RSVP.status != RSVPStatus.CANCELLED,
        )
    ).all()
    db.session.delete(standing)
    promoted = []
    for rsvp_id in rsvp_ids:
        promoted += cancel_rsvp(rsvp_id, now=now).promoted
    return promoted


def copy_standing_rsvps(meetings: list[Meeting], *, now: datetime) -> list[RSVPOutcome]:
    """Give every member with a standing RSVP to these new meetings' schedules an RSVP to each.
    Called right after meetings are created: nobody has answered them yet. A group that has
    stopped taking RSVPs gets none (its standing RSVPs wait until it takes them again)."""
    if not meetings:
        return []
    db.session.flush()  # the new meetings need their ids
    new_by_schedule: dict[int, list[Meeting]] = {}
    for meeting in meetings:
        if meeting.schedule_id is not None and meeting.starts_at > now:
            new_by_schedule.setdefault(meeting.schedule_id, []).append(meeting)
    if not new_by_schedule:
        return []
    standing = db.session.scalars(
        sa.select(StandingRSVP)
        .join(StandingRSVP.schedule)
        .join(Schedule.group)
        .where(StandingRSVP.schedule_id.in_(new_by_schedule), Group.rsvp_open.is_(True))
        .order_by(StandingRSVP.created_at, StandingRSVP.id)  # regulars of longest standing first
    ).all()
    # One RSVP at a time, each under its meeting's lock, so no seat is given twice.
    return [
        make_rsvp(meeting.id, entry.user, companions=entry.companions, now=now)
        for entry in standing
        for meeting in new_by_schedule[entry.schedule_id]
    ]
