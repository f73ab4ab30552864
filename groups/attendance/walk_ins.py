"""Adding a walk-in who has an account to a roster: found by display name among the group's
past attendees (and anyone who answered for the meeting), never a member counted anonymously."""

from collections.abc import Iterable

import sqlalchemy as sa

from groups.accounts.models import User
from groups.attendance.models import AnonymousCounting, Attendance, AttendanceStatus
from groups.extensions import db
from groups.rsvps.models import RSVP
from groups.schedules.models import Meeting


def _past_attendees(meeting: Meeting):
    """People who came to this group by name (not anonymously), as a subquery of user ids."""
    return (
        sa.select(Attendance.user_id)
        .join(Attendance.meeting)
        .where(
            Meeting.group_id == meeting.group_id,
            Attendance.status == AttendanceStatus.PRESENT,
            Attendance.anonymous.is_(False),
            Attendance.user_id.is_not(None),
        )
    )


def _walk_in_condition(meeting: Meeting):
    """Who may be added to a roster by name: the group's past attendees and anyone who answered
    for this meeting; never members counted anonymously (they count as anonymous walk-ins)."""
    answered = sa.select(RSVP.user_id).where(RSVP.meeting_id == meeting.id)
    anonymous = sa.select(AnonymousCounting.user_id).where(
        AnonymousCounting.group_id == meeting.group_id
    )
    return sa.and_(
        sa.or_(User.id.in_(_past_attendees(meeting)), User.id.in_(answered)),
        User.id.not_in(anonymous),
    )


def walk_in_candidates(meeting: Meeting, search: str, limit: int = 20) -> list[User]:
    """People with an account who may be added as walk-ins, whose display name contains
    ``search`` (at least 2 characters)."""
    search = (search or "").strip()
    if len(search) < 2:
        return []
    pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return list(
        db.session.scalars(
            sa.select(User)
            .where(_walk_in_condition(meeting), User.display_name.ilike(pattern, escape="\\"))
            .order_by(User.display_name, User.id)
            .limit(limit)
        )
    )


def eligible_walk_ins(meeting: Meeting, user_ids: Iterable[int]) -> list[User]:
    """Those of ``user_ids`` who may be added to this meeting's roster by name."""
    user_ids = set(user_ids)
    if not user_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(User).where(_walk_in_condition(meeting), User.id.in_(user_ids))
        )
    )
