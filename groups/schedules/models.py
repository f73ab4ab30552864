import enum
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from groups.extensions import db
from groups.models import CreatedAtMixin, UTCDateTime, enum_column, utcnow
from groups.organisations.models import Group, Venue
from groups.schedules.recurrence import Rule


class Schedule(CreatedAtMixin, db.Model):
    """A recurring pattern of meetings, in local wall-clock time and an IANA zone."""

    __tablename__ = "schedule"
    __table_args__ = (
        sa.CheckConstraint(
            "frequency IN ('weekly', 'monthly_weekday', 'monthly_day')", name="frequency_known"
        ),
        sa.CheckConstraint("repeat_interval >= 1", name="repeat_interval_positive"),
        sa.CheckConstraint("duration_minutes BETWEEN 1 AND 720", name="duration_range"),
        sa.CheckConstraint("week_of_month IN (-1, 1, 2, 3, 4)", name="week_of_month_known"),
        sa.CheckConstraint("day_of_month BETWEEN 1 AND 28", name="day_of_month_range"),
        sa.CheckConstraint("last_date IS NULL OR last_date >= first_date", name="dates_in_order"),
        sa.CheckConstraint(
            "occurrence_count IS NULL OR occurrence_count >= 1", name="occurrence_count_positive"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("group.id", ondelete="CASCADE"), index=True)
    venue_id: Mapped[int] = mapped_column(
        sa.ForeignKey("venue.id", ondelete="RESTRICT"), index=True
    )
    frequency: Mapped[str] = mapped_column(sa.String(20))
    # Every N weeks (weekly) or N months (monthly).
    repeat_interval: Mapped[int] = mapped_column(default=1)
    # Weekdays as digits, Monday=0: "1" is Tuesday, "03" Monday and Thursday.
    weekdays: Mapped[str] = mapped_column(sa.String(7), default="")
    week_of_month: Mapped[int | None] = mapped_column()
    day_of_month: Mapped[int | None] = mapped_column()
    start_time: Mapped[time] = mapped_column(sa.Time)
    duration_minutes: Mapped[int] = mapped_column()
    timezone: Mapped[str] = mapped_column(sa.String(64))
    first_date: Mapped[date] = mapped_column(sa.Date)
    last_date: Mapped[date | None] = mapped_column(sa.Date)
    occurrence_count: Mapped[int | None] = mapped_column()  # stop after this many meetings
    # Feeds bump SEQUENCE and LAST-MODIFIED when the rule changes.
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    group: Mapped[Group] = relationship()
    venue: Mapped[Venue] = relationship()

    @property
    def rule(self) -> Rule:
        return Rule(
            frequency=self.frequency,
            interval=self.repeat_interval,
            weekdays=tuple(int(day) for day in self.weekdays),
            week_of_month=self.week_of_month,
            day_of_month=self.day_of_month,
            start_time=self.start_time,
            duration_minutes=self.duration_minutes,
            timezone=self.timezone,
            first_date=self.first_date,
            last_date=self.last_date,
            count=self.occurrence_count,
        )

    @rule.setter
    def rule(self, rule: Rule) -> None:
        self.frequency = rule.frequency
        self.repeat_interval = rule.interval
        self.weekdays = "".join(str(day) for day in rule.weekdays)
        self.week_of_month = rule.week_of_month
        self.day_of_month = rule.day_of_month
        self.start_time = rule.start_time
        self.duration_minutes = rule.duration_minutes
        self.timezone = rule.timezone
        self.first_date = rule.first_date
        self.last_date = rule.last_date
        self.occurrence_count = rule.count


class MeetingStatus(enum.Enum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    MOVED = "moved"


class Meeting(CreatedAtMixin, db.Model):
    """One concrete meeting: generated from a schedule, or a one-off (schedule is None)."""

    __tablename__ = "meeting"
    __table_args__ = (
        # One meeting per schedule and generated date: what makes extending idempotent.
        sa.UniqueConstraint("schedule_id", "local_date"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        sa.CheckConstraint(
            "status != 'cancelled' OR cancel_reason IS NOT NULL", name="cancel_has_reason"
        ),
        # A group's upcoming meetings, read as one range (search, group pages, feeds).
        sa.Index("ix_meeting_group_id_starts_at", "group_id", "starts_at"),
        # The few meetings held away from their usual venue, for search by place: most rows
        # have no venue of their own, which steers planners off a plain index on the column.
        sa.Index(
            "ix_meeting_own_venue_id",
            "venue_id",
            sqlite_where=sa.text("venue_id IS NOT NULL"),
            postgresql_where=sa.text("venue_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("group.id", ondelete="CASCADE"), index=True)
    schedule_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("schedule.id", ondelete="SET NULL"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The local date the schedule generated this meeting for (kept when the meeting is moved).
    local_date: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[MeetingStatus] = enum_column(
        MeetingStatus, "meeting_status", default=MeetingStatus.SCHEDULED, index=True
    )
    venue_id: Mapped[int | None] = mapped_column(  # None: the schedule's or group's venue
        sa.ForeignKey("venue.id", ondelete="RESTRICT"), index=True
    )
    capacity: Mapped[int | None] = mapped_column()  # None: the group's default capacity
    topic: Mapped[str | None] = mapped_column(sa.String(200))
    guest_speaker: Mapped[str | None] = mapped_column(sa.String(200))
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)
    # True when a schedule edit (not a person) cancelled it: the meeting comes back if the rule
    # is edited to include its date again.
    cancelled_by_schedule_edit: Mapped[bool] = mapped_column(
        default=False, server_default=sa.false()
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    group: Mapped[Group] = relationship()
    schedule: Mapped[Schedule | None] = relationship()
    venue_override: Mapped[Venue | None] = relationship(foreign_keys=[venue_id])

    @property
    def venue(self) -> Venue | None:
        if self.venue_override is not None:
            return self.venue_override
        if self.schedule is not None:
            return self.schedule.venue
        return self.group.default_venue

    @property
    def effective_capacity(self) -> int | None:
        return self.capacity if self.capacity is not None else self.group.default_capacity

    @property
    def timezone(self) -> str:
        venue = self.venue
        if venue is not None:
            return venue.timezone
        return self.schedule.timezone if self.schedule else "UTC"

    @property
    def is_cancelled(self) -> bool:
        return self.status is MeetingStatus.CANCELLED


def meeting_venue_loaders(groups_loaded: bool = False, with_organisation: bool = False) -> tuple:
    """Loader options for ``Meeting.venue`` wherever it comes from (the meeting's own venue, its
    schedule's, or the group's usual one), joined into the meetings' own query: each is one row
    per meeting, so the page costs one query however many meetings it lists.
    ``groups_loaded``: the query already loaded the groups with their usual venue;
    ``with_organisation``: also join each meeting's group's organisation."""
    loaders = (
        joinedload(Meeting.venue_override),
        joinedload(Meeting.schedule).joinedload(Schedule.venue),
    )
    if groups_loaded:
        return loaders
    group = joinedload(Meeting.group)
    loaders = (*loaders, group.joinedload(Group.default_venue))
    if with_organisation:
        loaders = (*loaders, group.joinedload(Group.organisation))
    return loaders


class MeetingChangeKind(enum.Enum):
    CANCELLED = "cancelled"
    MOVED = "moved"
    SCHEDULE_CHANGED = "schedule_changed"


class MeetingChange(db.Model):
    """A change that the people going to a meeting must be told about.

    Rows are written with the change; the mail feature turns unsent ones into emails.
    """

    __tablename__ = "meeting_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[MeetingChangeKind] = enum_column(MeetingChangeKind, "meeting_change_kind")
    detail: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    meeting: Mapped[Meeting] = relationship()
