import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from groups.accounts.models import User
from groups.extensions import db
from groups.models import CreatedAtMixin, enum_column
from groups.schedules.models import Meeting


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
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    status: Mapped[RSVPStatus] = enum_column(RSVPStatus, "rsvp_status")
    # Carers or companions who come along; they take seats too.
    companions: Mapped[int] = mapped_column(default=0, server_default="0")

    meeting: Mapped[Meeting] = relationship()
    user: Mapped[User] = relationship()

    @property
    def seats(self) -> int:
        return 1 + self.companions
