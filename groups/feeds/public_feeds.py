"""Public calendar feeds: one group, an organisation's listed groups, or the groups a search finds.

Only public groups (listed, of an approved organisation that is not suspended) ever get here:
the callers find them with ``finder.logic.public_groups``. A feed is built from its rows in a fixed
few queries however many groups and meetings it holds.
"""

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload

from groups.extensions import db
from groups.feeds.ical import finish, meeting_event, new_calendar
from groups.feeds.series import schedule_events
from groups.finder.logic import public_groups
from groups.organisations.models import Group, Organisation
from groups.schedules.models import Meeting, Schedule


def public_group_ids_of(organisation: Organisation) -> list[int]:
    """The organisation's groups that appear in public feeds."""
    return list(
        db.session.scalars(
            public_groups()
            .with_only_columns(Group.id)
            .where(Group.organisation_id == organisation.id)
            .order_by(Group.id)
        )
    )


def public_group_by_slug(slug: str) -> Group | None:
    """A public group by slug with its organisation (which the query joins anyway), in one query."""
    return db.session.scalar(
        public_groups().where(Group.slug == slug).options(contains_eager(Group.organisation))
    )


def public_organisation(slug: str) -> Organisation | None:
    """An approved organisation that is not suspended, by slug; None otherwise."""
    return db.session.scalar(
        sa.select(Organisation).where(Organisation.slug == slug, Organisation.public_condition())
    )


def group_events(group_ids: list[int]):
    """Every VEVENT of these groups, groups by name, each group's schedules by id, then its
    one-off meetings by start: a stable order, so the same data gives the same bytes."""
    if not group_ids:
        return []
    groups = db.session.scalars(
        sa.select(Group)
        .where(Group.id.in_(group_ids))
        .options(joinedload(Group.organisation), joinedload(Group.default_venue))
        .order_by(Group.name, Group.id)
    ).all()
    schedules = db.session.scalars(
        sa.select(Schedule)
        .where(Schedule.group_id.in_(group_ids))
        .options(joinedload(Schedule.venue))
        .order_by(Schedule.id)
    ).all()
    meetings = db.session.scalars(
        sa.select(Meeting)
        .where(Meeting.group_id.in_(group_ids))
        .options(joinedload(Meeting.venue_override))
        .order_by(Meeting.starts_at, Meeting.id)
    ).all()
    by_schedule: dict[int | None, list[Meeting]] = {}
    for meeting in meetings:
        by_schedule.setdefault(meeting.schedule_id, []).append(meeting)
    events = []
    for group in groups:
        for schedule in (s for s in schedules if s.group_id == group.id):
            events.extend(schedule_events(schedule, by_schedule.get(schedule.id, [])))
        one_offs = (m for m in by_schedule.get(None, []) if m.group_id == group.id)
        events.extend(meeting_event(meeting) for meeting in one_offs)
    return events


def groups_calendar(name: str, description: str, group_ids: list[int]) -> bytes:
    return finish(new_calendar(name, description), group_events(group_ids))


def group_calendar(group: Group) -> bytes:
    return groups_calendar(
        group.name,
        f"Meetings of {group.name} ({group.organisation.name}), from Circles.",
        [group.id],
    )


def organisation_calendar(organisation: Organisation) -> bytes:
    return groups_calendar(
        f"{organisation.name}: all groups",
        f"Meetings of every group {organisation.name} runs, from Circles.",
        public_group_ids_of(organisation),
    )
