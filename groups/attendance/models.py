import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from groups.accounts.models import User
from groups.extensions import db
from groups.models import UTCDateTime, enum_column, utcnow
from groups.schedules.models import Meeting


class AttendanceStatus(enum.Enum):
    PRESENT = "present"
    ABSENT = "absent"


class Attendance(db.Model):
    """Whether one person came to one meeting. Health information: only a group's facilitators
    and its organisation's admins and staff may see these rows by name.

    ``user_id`` is NULL once the person is anonymised (account deleted or retention period over):
    the row still counts in the group's figures.
    """

    __tablename__ = "attendance"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[AttendanceStatus] = enum_column(AttendanceStatus, "attendance_status")
    companions: Mapped[int] = mapped_column(default=0, server_default="0")
    # The person's first meeting with this group, worked out when recorded (kept after purging).
    first_time: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The member asked to be counted anonymously at this group: reports show only numbers.
    anonymous: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Set when the retention purge unlinks the row: the person had said they were going, so the
    # report's RSVP show-up rate stays the same once names are gone.
    had_rsvp: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    meeting: Mapped[Meeting] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])


class MeetingHeadcount(db.Model):
    """What is counted for a meeting as a whole: anonymous walk-ins and the facilitator's note."""

    __tablename__ = "meeting_headcount"
    __table_args__ = (sa.CheckConstraint("walk_ins >= 0", name="walk_ins_not_negative"),)

    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True
    )
    walk_ins: Mapped[int] = mapped_column(default=0, server_default="0")
    note: Mapped[str | None] = mapped_column(sa.Text)  # for staff, never shown to members
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    meeting: Mapped[Meeting] = relationship()


class AnonymousCounting(db.Model):
    """A member's choice to be counted anonymously at one group: rosters show "1 member
    (counted anonymously)" instead of the name, and reports only numbers."""

    __tablename__ = "anonymous_counting"

    group_id: Mapped[int] = mapped_column(
        sa.ForeignKey("group.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
