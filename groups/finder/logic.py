from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from groups.extensions import db
from groups.organisations.models import Group, Organisation
from groups.schedules.models import Meeting, MeetingStatus, meeting_venue_loaders
from groups.support_groups.logic import group_for_old_slug


@dataclass
class GroupListing:
    group: Group
    next_meeting: Meeting | None


def public_groups():
    """Groups anyone may see: listed, of an approved organisation that is not suspended. The
    query joins the organisation: ``contains_eager(Group.organisation)`` loads it from there."""
    return (
        sa.select(Group)
        .join(Group.organisation)
        .where(Group.is_listed.is_(True), Organisation.public_condition())
    )


def listed_groups_with_next_meeting(now: datetime) -> list[GroupListing]:
    """Every public group with its next meeting that is going ahead, in two queries."""
    groups = db.session.scalars(
        public_groups()
        .options(contains_eager(Group.organisation), joinedload(Group.default_venue))
        .order_by(Group.name)
    ).all()
    next_start = (
        sa.select(Meeting.group_id, sa.func.min(Meeting.starts_at).label("starts_at"))
        .where(Meeting.starts_at > now, Meeting.status != MeetingStatus.CANCELLED)
        .group_by(Meeting.group_id)
        .subquery()
    )
    meetings = db.session.scalars(
        sa.select(Meeting)
        .join(
            next_start,
            sa.and_(
                Meeting.group_id == next_start.c.group_id,
                Meeting.starts_at == next_start.c.starts_at,
            ),
        )
        .where(Meeting.status != MeetingStatus.CANCELLED)
        .options(*meeting_venue_loaders(groups_loaded=True))
    ).all()
    next_by_group = {meeting.group_id: meeting for meeting in meetings}
    return [GroupListing(group, next_by_group.get(group.id)) for group in groups]


def public_group(slug: str) -> Group | None:
    """A group anyone may see, by its slug; None for unknown, unlisted or unapproved ones."""
    return db.session.scalar(
        public_groups()
        .where(Group.slug == slug)
        .options(
            contains_eager(Group.organisation),
            joinedload(Group.default_venue),
            selectinload(Group.facilitators),
            selectinload(Group.condition_rows),
        )
    )


def upcoming_meetings(group: Group, now: datetime, limit: int = 8) -> list[Meeting]:
    """The group's next meetings, cancelled ones included so members see what changed."""
    return db.session.scalars(
        sa.select(Meeting)
        .where(Meeting.group_id == group.id, Meeting.starts_at > now)
        .order_by(Meeting.starts_at)
        .limit(limit)
        .options(*meeting_venue_loaders(groups_loaded=True))
    ).all()


def public_meeting(meeting_id: int) -> Meeting | None:
    """A meeting of a group anyone may see (what members RSVP to), or None."""
    return db.session.scalar(
        sa.select(Meeting)
        .join(Meeting.group)
        .join(Group.organisation)
        .where(Meeting.id == meeting_id, Group.is_listed.is_(True), Organisation.public_condition())
        .options(*meeting_venue_loaders(with_organisation=True))
    )


def renamed_public_group_slug(old_slug: str) -> str | None:
    """Where a public group lives now that was at ``old_slug`` before a rename (old links 301
    there); None when no public group ever had it."""
    renamed = group_for_old_slug(old_slug)
    if renamed is None:
        return None
    return db.session.scalar(
        public_groups().where(Group.id == renamed.id).with_only_columns(Group.slug)
    )
