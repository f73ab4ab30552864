"""The facilitator's home: their groups, today's and the next meetings, and the one to take
attendance for now. A fixed few queries however many groups and meetings."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from groups.accounts.models import User
from groups.attendance.models import Attendance, MeetingHeadcount
from groups.extensions import db
from groups.organisations.models import Group, OrganisationMember, group_facilitator
from groups.schedules.display import in_zone
from groups.schedules.models import Meeting, MeetingStatus, meeting_venue_loaders

# "On now or just ended": the meeting to take attendance for.
TAKE_ATTENDANCE_FROM = timedelta(minutes=30)  # before the start
TAKE_ATTENDANCE_UNTIL = timedelta(hours=3)  # after the start
RECENT = timedelta(days=8)  # past meetings listed, to record or correct late
NEXT_SHOWN = 2  # upcoming meetings per group, after today's
LOOK_AROUND = timedelta(days=1)


@dataclass
class GroupDay:
    group: Group
    on_now: list[Meeting] = field(default_factory=list)
    today: list[Meeting] = field(default_factory=list)  # the rest of today's, local time
    next: list[Meeting] = field(default_factory=list)
    recent: list[Meeting] = field(default_factory=list)  # newest first


@dataclass
class FacilitatorHome:
    groups: list[GroupDay]
    recorded: set[int]  # ids of recent meetings with attendance already taken

    @property
    def on_now(self) -> list[Meeting]:
        return [meeting for day in self.groups for meeting in day.on_now]


def is_on_now(meeting: Meeting, now: datetime) -> bool:
    opens, closes = (
        meeting.starts_at - TAKE_ATTENDANCE_FROM,
        meeting.starts_at + TAKE_ATTENDANCE_UNTIL,
    )
    return not meeting.is_cancelled and opens <= now <= closes


def managed_groups(user: User) -> list[Group]:
    """Groups the user facilitates, and every group of the organisations they are admin or
    staff of."""
    facilitated = sa.select(group_facilitator.c.group_id).where(
        group_facilitator.c.user_id == user.id
    )
    organisations = sa.select(OrganisationMember.organisation_id).where(
        OrganisationMember.user_id == user.id
    )
    return list(
        db.session.scalars(
            sa.select(Group)
            .where(sa.or_(Group.id.in_(facilitated), Group.organisation_id.in_(organisations)))
            .options(selectinload(Group.organisation))
            .order_by(Group.name, Group.id)
        )
    )


def _meetings_from(group_ids: list[int], since: datetime, until: datetime) -> list[Meeting]:
    return list(
        db.session.scalars(
            sa.select(Meeting)
            .where(
                Meeting.group_id.in_(group_ids),
                Meeting.starts_at >= since,
                Meeting.starts_at <= until,
            )
            .options(*meeting_venue_loaders())
            .order_by(Meeting.starts_at, Meeting.id)
        )
    )


def _next_meetings(group_ids: list[int], after: datetime) -> list[Meeting]:
    """The next NEXT_SHOWN meetings of each group going ahead, in one query."""
    ranked = (
        sa.select(
            Meeting.id,
            sa.func.row_number()
            .over(partition_by=Meeting.group_id, order_by=(Meeting.starts_at, Meeting.id))
            .label("place"),
        )
        .where(
            Meeting.group_id.in_(group_ids),
            Meeting.starts_at > after,
            Meeting.status != MeetingStatus.CANCELLED,
        )
        .subquery()
    )
    return list(
        db.session.scalars(
            sa.select(Meeting)
            .join(ranked, ranked.c.id == Meeting.id)
            .where(ranked.c.place <= NEXT_SHOWN)
            .options(*meeting_venue_loaders())
            .order_by(Meeting.starts_at, Meeting.id)
        )
    )


def _recorded(meeting_ids: list[int]) -> set[int]:
    if not meeting_ids:
        return set()
    rows = sa.select(Attendance.meeting_id).where(Attendance.meeting_id.in_(meeting_ids))
    counts = sa.select(MeetingHeadcount.meeting_id).where(
        MeetingHeadcount.meeting_id.in_(meeting_ids)
    )
    return set(db.session.scalars(sa.union(rows, counts)))


def facilitator_home(user: User, now: datetime) -> FacilitatorHome:
    groups = managed_groups(user)
    days = {group.id: GroupDay(group) for group in groups}
    if not groups:
        return FacilitatorHome([], set())
    group_ids = list(days)
    # Today's meetings, in each venue's own zone, lie within a day of now.
    around = _meetings_from(group_ids, now - RECENT, now + LOOK_AROUND)
    for meeting in around:
        day = days[meeting.group_id]
        local_today = in_zone(now, meeting.timezone).date()
        if is_on_now(meeting, now):
            day.on_now.append(meeting)
        elif meeting.starts_at <= now:
            if not meeting.is_cancelled:
                day.recent.insert(0, meeting)
        elif in_zone(meeting.starts_at, meeting.timezone).date() == local_today:
            day.today.append(meeting)
        elif not meeting.is_cancelled:
            day.next.append(meeting)
    for meeting in _next_meetings(group_ids, now + LOOK_AROUND):
        day = days[meeting.group_id]
        if len(day.next) < NEXT_SHOWN:
            day.next.append(meeting)
    recent_ids = [meeting.id for day in days.values() for meeting in day.recent + day.on_now]
    return FacilitatorHome(list(days.values()), _recorded(recent_ids))
