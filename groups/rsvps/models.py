import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from groups.accounts.models import User
from groups.extensions import db
from groups.models import CreatedAtMixin, UTCDateTime, enum_column
from groups.schedules.models import Meeting, Schedule


class RSVPStatus(enum.Enum):
    GOING = "going"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class RSVP(CreatedAtMixin, db.Model):
    __tablename__ = "rsvp"
    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "user_id"),
        sa.CheckConstraint("companions BETWEEN 0 AND 2", name="companions_range"),
        sa.Index("ix_rsvp_meeting_id_status", "meeting_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"))
    # NULL once the retention purge has removed who it was (the meeting is long past; the row
    # still counts in the group's figures).
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[RSVPStatus] = enum_column(RSVPStatus, "rsvp_status")
    # Carers or companions who come along; they take seats too.
    companions: Mapped[int] = mapped_column(default=0, server_default="0")
    # Set when the day-before reminder was queued: `meetings remind` sends it once.
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    meeting: Mapped[Meeting] = relationship()
    user: Mapped[User | None] = relationship()

    @property
    def seats(self) -> int:
        return 1 + self.companions


class StandingRSVP(CreatedAtMixin, db.Model):
    """A member going to every meeting of a schedule: an RSVP is made for each meeting already
    planned and for each one planned later, until the member stops it."""

    __tablename__ = "standing_rsvp"
    __table_args__ = (
        sa.UniqueConstraint("schedule_id", "user_id"),
        sa.CheckConstraint("companions BETWEEN 0 AND 2", name="companions_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(sa.ForeignKey("schedule.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    companions: Mapped[int] = mapped_column(default=0, server_default="0")

    schedule: Mapped[Schedule] = relationship()
    user: Mapped[User] = relationship()
