from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from groups.accounts.models import User
from groups.extensions import db
from groups.models import UTCDateTime, utcnow


class AuditEvent(db.Model):
    """Who did what, when, to which object: kept for attendance and role changes."""

    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(
        sa.String(60)
    )  # e.g. "attendance.marked", "member.role_changed"
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int] = mapped_column()
    detail: Mapped[dict] = mapped_column(
        sa.JSON, default=dict
    )  # e.g. {"old": "absent", "new": "present"}
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    actor: Mapped[User | None] = relationship()
