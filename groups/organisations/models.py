import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from groups.accounts.models import User
from groups.extensions import db
from groups.models import CreatedAtMixin, UTCDateTime, enum_column, utcnow


class OrganisationKind(enum.Enum):
    CLINIC = "clinic"
    HOSPITAL = "hospital"
    COMMUNITY_CENTRE = "community_centre"
    CHARITY = "charity"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class MemberRole(enum.Enum):
    ADMIN = "admin"
    STAFF = "staff"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class InvitationRole(enum.Enum):
    ADMIN = "admin"
    STAFF = "staff"
    FACILITATOR = "facilitator"  # facilitates one group, no role in the organisation


class Organisation(CreatedAtMixin, db.Model):
    __tablename__ = "organisation"
    __table_args__ = (
        sa.CheckConstraint(
            "attendance_correction_days BETWEEN 1 AND 90", name="attendance_correction_days_range"
        ),
        sa.CheckConstraint(
            "attendance_retention_months BETWEEN 1 AND 120", name="attendance_retention_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    kind: Mapped[OrganisationKind] = enum_column(OrganisationKind, "organisation_kind")
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    contact_phone: Mapped[str | None] = mapped_column(sa.String(40))
    website: Mapped[str | None] = mapped_column(sa.String(300))
    # Unlisted until a site admin approves it; a suspended one is hidden again.
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rejection_reason: Mapped[str | None] = mapped_column(sa.Text)
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Facilitators may edit their groups' schedules too, not only single meetings.
    facilitators_manage_schedules: Mapped[bool] = mapped_column(
        default=False, server_default=sa.false()
    )
    # Attendance can be corrected this many days after a meeting starts.
    attendance_correction_days: Mapped[int] = mapped_column(default=14, server_default="14")
    # Named attendance older than this becomes anonymous counts (`flask attendance purge`).
    attendance_retention_months: Mapped[int] = mapped_column(default=24, server_default="24")
    # Feeds' Last-Modified: what they show of it changed.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    members: Mapped[list["OrganisationMember"]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )
    venues: Mapped[list["Venue"]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )
    groups: Mapped[list["Group"]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None

    @property
    def is_public(self) -> bool:
        """Its listed groups appear on public pages and in feeds."""
        return self.approved_at is not None and self.suspended_at is None

    @property
    def status_label(self) -> str:
        if self.suspended_at:
            return "Suspended"
        if self.approved_at:
            return "Approved"
        if self.rejected_at:
            return "Not approved"
        return "Awaiting approval"

    @classmethod
    def public_condition(cls):
        """SQL condition for organisations whose groups may be shown publicly."""
        return sa.and_(cls.approved_at.is_not(None), cls.suspended_at.is_(None))


class OrganisationMember(CreatedAtMixin, db.Model):
    __tablename__ = "organisation_member"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[MemberRole] = enum_column(MemberRole, "member_role")

    organisation: Mapped[Organisation] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class Venue(CreatedAtMixin, db.Model):
    __tablename__ = "venue"
    __table_args__ = (
        sa.CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude_range"),
        sa.CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude_range"),
        sa.CheckConstraint("parking_distance_m >= 0", name="parking_distance_not_negative"),
        # The finder's bounding-box prefilter reads this index.
        sa.Index("ix_venue_latitude_longitude", "latitude", "longitude"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(160))
    address_line1: Mapped[str] = mapped_column(sa.String(160))
    address_line2: Mapped[str | None] = mapped_column(sa.String(160))
    town: Mapped[str] = mapped_column(sa.String(100))
    postcode: Mapped[str | None] = mapped_column(sa.String(20))
    country: Mapped[str] = mapped_column(sa.String(2))  # ISO 3166-1 alpha-2
    latitude: Mapped[float] = mapped_column(sa.Float)
    longitude: Mapped[float] = mapped_column(sa.Float)
    timezone: Mapped[str] = mapped_column(sa.String(64))  # IANA name, e.g. Europe/London

    # Accessibility, described by the venue's own staff.
    step_free_entrance: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    lift: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    accessible_toilet: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    seating_with_back_support: Mapped[bool] = mapped_column(
        default=False, server_default=sa.false()
    )
    space_to_stand_and_move: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    hearing_loop: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    quiet_room: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    parking_distance_m: Mapped[int | None] = mapped_column()  # None: no parking nearby / unknown
    public_transport_notes: Mapped[str | None] = mapped_column(sa.Text)
    accessibility_notes: Mapped[str | None] = mapped_column(sa.Text)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="venues")

    @property
    def address(self) -> str:
        parts = [self.address_line1, self.address_line2, self.town, self.postcode]
        return ", ".join(part for part in parts if part)


class GroupKind(enum.Enum):
    PEER_SUPPORT = "peer_support"
    THERAPY = "therapy"
    WORKSHOP = "workshop"

    @property
    def label(self) -> str:
        return {
            "peer_support": "Peer support group",
            "therapy": "Professional-led therapy group",
            "workshop": "Workshop or seminar",
        }[self.value]


class Condition(enum.Enum):
    CHRONIC_PAIN = "chronic_pain"
    BACK_PAIN = "back_pain"
    FIBROMYALGIA = "fibromyalgia"
    ARTHRITIS = "arthritis"
    MIGRAINE = "migraine"
    CRPS = "crps"
    NEUROPATHIC_PAIN = "neuropathic_pain"
    ENDOMETRIOSIS = "endometriosis"
    OTHER = "other"

    @property
    def label(self) -> str:
        special = {"chronic_pain": "Chronic pain in general", "crps": "CRPS"}
        return special.get(self.value, self.value.replace("_", " ").capitalize())


group_facilitator = sa.Table(
    "group_facilitator",
    db.metadata,
    sa.Column("group_id", sa.ForeignKey("group.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class GroupCondition(db.Model):
    """One condition a group focuses on (a group may have several)."""

    __tablename__ = "group_condition"

    group_id: Mapped[int] = mapped_column(
        sa.ForeignKey("group.id", ondelete="CASCADE"), primary_key=True
    )
    condition: Mapped[Condition] = enum_column(Condition, "condition", primary_key=True)


class Group(CreatedAtMixin, db.Model):
    __tablename__ = "group"
    __table_args__ = (sa.CheckConstraint("default_capacity > 0", name="default_capacity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(160))
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")  # Markdown, sanitised on render
    kind: Mapped[GroupKind] = enum_column(GroupKind, "group_kind")
    who_it_is_for: Mapped[str] = mapped_column(sa.Text, default="")
    first_time_expectations: Mapped[str] = mapped_column(sa.Text, default="")
    default_venue_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("venue.id", ondelete="SET NULL"), index=True
    )
    default_capacity: Mapped[int | None] = mapped_column()  # None: no limit
    rsvp_open: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    is_listed: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # False for a closed course that people should join only at its start.
    open_to_newcomers: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="groups")
    default_venue: Mapped[Venue | None] = relationship()
    condition_rows: Mapped[list[GroupCondition]] = relationship(
        cascade="all, delete-orphan", order_by=GroupCondition.condition
    )
    facilitators: Mapped[list[User]] = relationship(
        secondary=group_facilitator, order_by=User.display_name
    )

    @property
    def conditions(self) -> list[Condition]:
        return [row.condition for row in self.condition_rows]

    @conditions.setter
    def conditions(self, values) -> None:
        wanted = {Condition(value) for value in values}
        kept = [row for row in self.condition_rows if row.condition in wanted]
        have = {row.condition for row in kept}
        added = [GroupCondition(condition=c) for c in sorted(wanted - have, key=lambda c: c.value)]
        self.condition_rows = kept + added


class GroupSlugRedirect(db.Model):
    """A slug a group had before it was renamed: old links keep working."""

    __tablename__ = "group_slug_redirect"

    slug: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("group.id", ondelete="CASCADE"), index=True)


class Invitation(CreatedAtMixin, db.Model):
    """An emailed invitation to join an organisation (admin or staff) or to facilitate one of
    its groups. The link is signed and expires; ``accepted_at`` makes it single-use."""

    __tablename__ = "invitation"
    __table_args__ = (
        sa.CheckConstraint(
            "(role = 'facilitator') = (group_id IS NOT NULL)", name="facilitator_has_group"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(sa.String(254))
    role: Mapped[InvitationRole] = enum_column(InvitationRole, "invitation_role")
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("group.id", ondelete="CASCADE"))
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation] = relationship()
    group: Mapped[Group | None] = relationship()
    invited_by: Mapped[User | None] = relationship()
