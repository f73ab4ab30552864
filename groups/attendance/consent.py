"""A member's choice, per group, to be counted anonymously: rosters show "1 member (counted
anonymously)" instead of their name and reports only numbers."""

import sqlalchemy as sa

from groups.accounts.models import User
from groups.attendance.models import AnonymousCounting, Attendance
from groups.extensions import db
from groups.finder.logic import public_groups
from groups.organisations.models import Group
from groups.rsvps.models import RSVP
from groups.schedules.models import Meeting


def group_for_member(slug: str, user: User) -> Group | None:
    """A group the member may set this for: any public group, or one they have been to or
    answered for (an unlisted course, say). None otherwise."""
    group = db.session.scalar(sa.select(Group).where(Group.slug == slug))
    if group is None:
        return None
    public = db.session.scalar(sa.select(sa.exists(public_groups().where(Group.id == group.id))))
    if public:
        return group
    in_group = sa.select(Meeting.id).where(Meeting.group_id == group.id)
    answered = sa.select(RSVP.id).where(RSVP.user_id == user.id, RSVP.meeting_id.in_(in_group))
    came = sa.select(Attendance.id).where(
        Attendance.user_id == user.id, Attendance.meeting_id.in_(in_group)
    )
    known = db.session.scalar(sa.select(sa.exists(answered.union_all(came).subquery())))
    return group if known else None


def is_counted_anonymously(user: User, group: Group) -> bool:
    return db.session.get(AnonymousCounting, (group.id, user.id)) is not None


def set_anonymous_counting(user: User, group: Group, anonymous: bool) -> bool:
    """Record the member's choice; True if it changed. Turning it on also makes their past
    attendance at the group anonymous; turning it off leaves past rows as they are (only
    meetings recorded from now on carry their name)."""
    choice = db.session.get(AnonymousCounting, (group.id, user.id))
    if anonymous == (choice is not None):
        return False
    if anonymous:
        db.session.add(AnonymousCounting(group_id=group.id, user_id=user.id))
        db.session.execute(
            sa.update(Attendance)
            .where(
                Attendance.user_id == user.id,
                Attendance.meeting_id.in_(
                    sa.select(Meeting.id).where(Meeting.group_id == group.id)
                ),
            )
            .values(anonymous=True)
        )
    else:
        db.session.delete(choice)
    return True
