"""Organisations: registering one, approval by site admins, members and their roles, emailed
invitations, and the dashboard's figures. Plain functions; the view commits.

An organisation always keeps at least one admin, and every change to who may manage it goes to
the audit log.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import url_for
from itsdangerous import SignatureExpired
from sqlalchemy.orm import selectinload

from groups.accounts.models import User, normalise_email
from groups.audit.logic import record_event
from groups.extensions import db
from groups.mail.outbox import queue_email
from groups.models import slugify as shared_slugify
from groups.organisations.models import (
    Group,
    Invitation,
    InvitationRole,
    MemberRole,
    Organisation,
    OrganisationKind,
    OrganisationMember,
    group_facilitator,
)
from groups.rsvps.models import RSVP, RSVPStatus
from groups.schedules.models import Meeting, MeetingStatus, meeting_venue_loaders
from groups.security import TokenError, read_token, sign_token

SLUG_LENGTH = 60
INVITATION_MAX_AGE = 7 * 24 * 3600  # read at call time, so tests can shorten it
THIS_WEEK = timedelta(days=7)
ATTENTION_WINDOW = timedelta(weeks=4)


class OrganisationError(ValueError):
    """A change that breaks a rule, with the reason a person can act on."""


class InvitationError(ValueError):
    """An invitation that can't be used, with what to do about it."""


class AlreadyJoined(InvitationError):
    """The person already has what the invitation offers: nothing changes."""


# Registering and editing ------------------------------------------------------------------


def slugify(text: str) -> str:
    return shared_slugify(text, "organisation", SLUG_LENGTH)


def unique_organisation_slug(name: str) -> str:
    base = slugify(name)
    taken = set(
        db.session.scalars(
            sa.select(Organisation.slug).where(
                sa.or_(Organisation.slug == base, Organisation.slug.like(f"{base}-%"))
            )
        )
    )
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def register_organisation(
    user: User, *, name: str, kind: OrganisationKind, **contact
) -> Organisation:
    """A new organisation, unlisted until a site admin approves it; ``user`` becomes its admin.
    Its slug is made once, here, and never changes (links to it keep working)."""
    organisation = Organisation(
        name=name, slug=unique_organisation_slug(name), kind=kind, **contact
    )
    db.session.add(organisation)
    db.session.add(OrganisationMember(organisation=organisation, user=user, role=MemberRole.ADMIN))
    db.session.flush()
    record_event(user, "organisation.registered", organisation, organisation_id=organisation.id)
    for admin in db.session.scalars(sa.select(User).where(User.is_site_admin.is_(True))):
        queue_email(
            admin.email, f"New organisation to approve: {organisation.name}",
            "organisation_registered", organisation=organisation, registered_by=user,
            link=url_for("organisations.admin_list", _external=True),
        )  # fmt: skip
    return organisation


def update_organisation(organisation: Organisation, actor: User, **fields) -> None:
    """Save the settings; the slug stays as it is."""
    changed = sorted(key for key, value in fields.items() if getattr(organisation, key) != value)
    for key, value in fields.items():
        setattr(organisation, key, value)
    if changed:
        record_event(
            actor, "organisation.updated", organisation, organisation_id=organisation.id,
            fields=changed,
        )  # fmt: skip


# Approval by site admins ------------------------------------------------------------------


def _tell_admins(organisation: Organisation, subject: str, **context) -> None:
    emails = db.session.scalars(
        sa.select(User.email)
        .join(OrganisationMember, OrganisationMember.user_id == User.id)
        .where(
            OrganisationMember.organisation_id == organisation.id,
            OrganisationMember.role == MemberRole.ADMIN,
        )
    ).all()
    link = url_for("organisations.dashboard", slug=organisation.slug, _external=True)
    for email in emails:
        queue_email(
            email, subject, "organisation_status", organisation=organisation, link=link, **context
        )


def approve_organisation(organisation: Organisation, actor: User, now: datetime) -> None:
    """List the organisation: its listed groups appear on public pages."""
    if organisation.is_approved and not organisation.suspended_at:
        raise OrganisationError(f"{organisation.name} is already approved.")
    organisation.approved_at = now
    organisation.rejected_at = organisation.rejection_reason = organisation.suspended_at = None
    record_event(actor, "organisation.approved", organisation, organisation_id=organisation.id)
    _tell_admins(organisation, f"{organisation.name} is approved on Circles", outcome="approved")


def reject_organisation(
    organisation: Organisation, actor: User, reason: str, now: datetime
) -> None:
    """Refuse (or withdraw) approval, with a reason its admins are sent."""
    organisation.approved_at = organisation.suspended_at = None
    organisation.rejected_at = now
    organisation.rejection_reason = reason
    record_event(
        actor, "organisation.rejected", organisation, organisation_id=organisation.id,
        reason=reason,
    )  # fmt: skip
    _tell_admins(
        organisation, f"{organisation.name} was not approved on Circles", outcome="rejected",
        reason=reason,
    )  # fmt: skip


def suspend_organisation(organisation: Organisation, actor: User, now: datetime) -> None:
    """Hide an approved organisation's groups again, keeping everything else."""
    if not organisation.is_approved:
        raise OrganisationError(f"{organisation.name} is not approved, so it can't be suspended.")
    if organisation.suspended_at:
        raise OrganisationError(f"{organisation.name} is already suspended.")
    organisation.suspended_at = now
    record_event(actor, "organisation.suspended", organisation, organisation_id=organisation.id)
    _tell_admins(organisation, f"{organisation.name} is suspended on Circles", outcome="suspended")


def reinstate_organisation(organisation: Organisation, actor: User) -> None:
    if not organisation.suspended_at:
        raise OrganisationError(f"{organisation.name} is not suspended.")
    organisation.suspended_at = None
    record_event(actor, "organisation.reinstated", organisation, organisation_id=organisation.id)
    _tell_admins(
        organisation, f"{organisation.name} is listed on Circles again", outcome="reinstated"
    )


def organisations_for_review() -> list[Organisation]:
    """Every organisation, those awaiting a decision first, each with its members loaded."""
    pending = sa.and_(Organisation.approved_at.is_(None), Organisation.rejected_at.is_(None))
    return list(
        db.session.scalars(
            sa.select(Organisation)
            .options(selectinload(Organisation.members).selectinload(OrganisationMember.user))
            .order_by(sa.case((pending, 0), else_=1), Organisation.created_at, Organisation.id)
        )
    )


# Members ----------------------------------------------------------------------------------


def members_of(organisation: Organisation) -> list[OrganisationMember]:
    return list(
        db.session.scalars(
            sa.select(OrganisationMember)
            .join(OrganisationMember.user)
            .where(OrganisationMember.organisation_id == organisation.id)
            .options(selectinload(OrganisationMember.user))
            .order_by(User.display_name, OrganisationMember.id)
        )
    )


def member_of(organisation: Organisation, member_id: int) -> OrganisationMember | None:
    """The membership ``member_id`` if it belongs to this organisation (None otherwise)."""
    return db.session.scalar(
        sa.select(OrganisationMember).where(
            OrganisationMember.id == member_id,
            OrganisationMember.organisation_id == organisation.id,
        )
    )


def _admin_count(organisation_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).where(
            OrganisationMember.organisation_id == organisation_id,
            OrganisationMember.role == MemberRole.ADMIN,
        )
    )


def _keep_an_admin(member: OrganisationMember, doing: str) -> None:
    if member.role is MemberRole.ADMIN and _admin_count(member.organisation_id) <= 1:
        raise OrganisationError(
            f"{member.user.display_name} is the only admin, so we can't {doing}. "
            "Make someone else an admin first."
        )


def change_role(member: OrganisationMember, role: MemberRole, actor: User) -> None:
    """Make a member admin or staff; the last admin can't be made staff."""
    if member.role is role:
        return
    if role is not MemberRole.ADMIN:
        _keep_an_admin(member, "make them staff")
    record_event(
        actor, "member.role_changed", member, organisation_id=member.organisation_id,
        user_id=member.user_id, old=member.role.value, new=role.value,
    )  # fmt: skip
    member.role = role


def remove_member(member: OrganisationMember, actor: User) -> None:
    """Take someone out of the organisation; the last admin can't be removed."""
    _keep_an_admin(member, "remove them")
    record_event(
        actor, "member.removed", member, organisation_id=member.organisation_id,
        user_id=member.user_id, role=member.role.value,
    )  # fmt: skip
    db.session.delete(member)


def member_with_email(organisation: Organisation, email: str) -> OrganisationMember | None:
    return db.session.scalar(
        sa.select(OrganisationMember)
        .join(OrganisationMember.user)
        .where(
            OrganisationMember.organisation_id == organisation.id,
            User.email == normalise_email(email),
        )
    )


def facilitated_groups(user: User) -> list[Group]:
    """Groups ``user`` facilitates, with their organisations."""
    return list(
        db.session.scalars(
            sa.select(Group)
            .join(group_facilitator, group_facilitator.c.group_id == Group.id)
            .where(group_facilitator.c.user_id == user.id)
            .options(selectinload(Group.organisation))
            .order_by(Group.name, Group.id)
        )
    )


# Invitations ------------------------------------------------------------------------------


def create_invitation(
    organisation: Organisation,
    email: str,
    role: InvitationRole,
    invited_by: User,
    group: Group | None = None,
) -> Invitation:
    """Add an invitation and queue an email with its signed link (valid 7 days); the caller
    commits. A facilitator invitation names one of the organisation's groups; the others none."""
    if (role is InvitationRole.FACILITATOR) != (group is not None):
        raise ValueError("A facilitator invitation needs a group; other invitations have none.")
    if group is not None and group.organisation_id != organisation.id:
        raise ValueError("The group belongs to another organisation.")
    invitation = Invitation(
        organisation=organisation, email=normalise_email(email), role=role, group=group,
        invited_by=invited_by,
    )  # fmt: skip
    db.session.add(invitation)
    db.session.flush()
    record_event(
        invited_by, "invitation.created", invitation, organisation_id=organisation.id,
        email=invitation.email, role=role.value, group_id=invitation.group_id,
    )  # fmt: skip
    token = sign_token("invitation", {"invitation": invitation.id})
    subject = (
        f"Would you facilitate {group.name}?"
        if group is not None
        else f"Join {organisation.name} on Circles"
    )
    queue_email(
        invitation.email, subject, "invitation", invitation=invitation,
        organisation=organisation, group=group, invited_by=invited_by,
        role_text=invitation_role_text(invitation), days=INVITATION_MAX_AGE // 86400,
        link=url_for("organisations.accept_invitation", token=token, _external=True),
    )  # fmt: skip
    return invitation


def invitation_role_text(invitation: Invitation) -> str:
    """What accepting gives, in words: 'facilitate Tuesday Circle', 'join as staff'."""
    if invitation.role is InvitationRole.FACILITATOR:
        return f"facilitate {invitation.group.name}"
    return f"join {invitation.organisation.name} as {invitation.role.value}"


def mask_email(email: str) -> str:
    """'jo@example.org' -> 'j***@example.org': enough to recognise, not to harvest."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def invitation_for_token(token: str) -> Invitation:
    """The invitation a link names, if the link is genuine and less than 7 days old."""
    try:
        payload = read_token("invitation", token, INVITATION_MAX_AGE)
    except TokenError as error:
        if isinstance(error.__cause__, SignatureExpired):
            raise InvitationError(
                "This invitation has expired: invitations work for 7 days. "
                "Ask the person who invited you to send a new one."
            ) from error
        raise InvitationError(
            "This invitation link is not valid. Check it was copied whole from the email."
        ) from error
    invitation = db.session.get(Invitation, payload.get("invitation"))
    if invitation is None:
        raise InvitationError("This invitation no longer exists. Ask for a new one.")
    return invitation


def check_invitation(invitation: Invitation, user: User | None) -> None:
    """Raise InvitationError if the invitation can't be used (by ``user``, when signed in)."""
    if invitation.revoked_at is not None:
        raise InvitationError(
            f"{invitation.organisation.name} has withdrawn this invitation. "
            "If that is a mistake, ask them to send a new one."
        )
    if invitation.accepted_at is not None:
        raise InvitationError(
            "This invitation has already been used. Each invitation works once; "
            "if you need another, ask the person who invited you."
        )
    if user is not None and normalise_email(user.email) != invitation.email:
        raise InvitationError(
            f"This invitation was sent to {mask_email(invitation.email)}; "
            "sign in with that address to accept it."
        )


def accept_invitation(invitation: Invitation, user: User, now: datetime) -> None:
    """``user`` joins as the invitation says (admin, staff, or facilitator of its group); the
    invitation is then used up. Raises InvitationError (AlreadyJoined: nothing changed)."""
    check_invitation(invitation, user)
    if invitation.role is InvitationRole.FACILITATOR:
        if user in invitation.group.facilitators:
            raise AlreadyJoined(f"You already facilitate {invitation.group.name}.")
        invitation.group.facilitators.append(user)
    else:
        existing = db.session.scalar(
            sa.select(OrganisationMember).where(
                OrganisationMember.organisation_id == invitation.organisation_id,
                OrganisationMember.user_id == user.id,
            )
        )
        if existing is not None:
            raise AlreadyJoined(
                f"You are already a member of {invitation.organisation.name} "
                f"({existing.role.label.lower()}); nothing has changed."
            )
        db.session.add(
            OrganisationMember(
                organisation=invitation.organisation,
                user=user,
                role=MemberRole(invitation.role.value),
            )  # fmt: skip
        )
    invitation.accepted_at = now
    record_event(
        user, "invitation.accepted", invitation, organisation_id=invitation.organisation_id,
        role=invitation.role.value, group_id=invitation.group_id,
    )  # fmt: skip


def pending_invitations(organisation: Organisation) -> list[Invitation]:
    return list(
        db.session.scalars(
            sa.select(Invitation)
            .where(
                Invitation.organisation_id == organisation.id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
            .options(selectinload(Invitation.group), selectinload(Invitation.invited_by))
            .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        )
    )


def invitation_expires_at(invitation: Invitation) -> datetime:
    return invitation.created_at + timedelta(seconds=INVITATION_MAX_AGE)


def revoke_invitation(invitation: Invitation, actor: User, now: datetime) -> None:
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise OrganisationError("This invitation has already been used or withdrawn.")
    invitation.revoked_at = now
    record_event(
        actor, "invitation.revoked", invitation, organisation_id=invitation.organisation_id,
        email=invitation.email,
    )  # fmt: skip


# The dashboard ----------------------------------------------------------------------------


@dataclass
class MeetingLoad:
    meeting: Meeting
    seats_taken: int
    waitlisted: int

    @property
    def capacity(self) -> int | None:
        return self.meeting.effective_capacity

    @property
    def spaces_left(self) -> int | None:
        """None when the meeting has no limit."""
        return None if self.capacity is None else max(self.capacity - self.seats_taken, 0)


@dataclass
class Dashboard:
    groups: list[Group]
    this_week: list[MeetingLoad]
    without_facilitator: list[MeetingLoad] = field(default_factory=list)
    groups_without_meetings: list[Group] = field(default_factory=list)
    full_with_waitlist: list[MeetingLoad] = field(default_factory=list)

    @property
    def needs_attention(self) -> bool:
        return bool(
            self.without_facilitator or self.groups_without_meetings or self.full_with_waitlist
        )


def dashboard_for(organisation: Organisation, now: datetime) -> Dashboard:
    """The organisation's groups, this week's meetings with seats taken, and what needs a
    person's attention, in a fixed number of queries however many groups and meetings."""
    groups = db.session.scalars(
        sa.select(Group)
        .where(Group.organisation_id == organisation.id)
        .options(selectinload(Group.facilitators), selectinload(Group.default_venue))
        .order_by(Group.name, Group.id)
    ).all()
    in_organisation = Meeting.group_id.in_(
        sa.select(Group.id).where(Group.organisation_id == organisation.id)
    )
    soon = sa.and_(
        in_organisation, Meeting.starts_at > now, Meeting.starts_at < now + ATTENTION_WINDOW
    )
    meetings = db.session.scalars(
        sa.select(Meeting)
        .where(soon)
        .options(*meeting_venue_loaders())
        .order_by(Meeting.starts_at, Meeting.id)
    ).all()
    counts = {
        meeting_id: (seats or 0, waitlisted or 0)
        for meeting_id, seats, waitlisted in db.session.execute(
            sa.select(
                RSVP.meeting_id,
                sa.func.sum(1 + RSVP.companions).filter(RSVP.status == RSVPStatus.GOING),
                sa.func.count().filter(RSVP.status == RSVPStatus.WAITLISTED),
            )
            .where(RSVP.meeting_id.in_(sa.select(Meeting.id).where(soon)))
            .group_by(RSVP.meeting_id)
        )
    }
    with_meetings_ahead = set(
        db.session.scalars(
            sa.select(Meeting.group_id)
            .where(
                in_organisation,
                Meeting.starts_at > now,
                Meeting.status != MeetingStatus.CANCELLED,
            )
            .distinct()
        )
    )
    loads = [MeetingLoad(meeting, *counts.get(meeting.id, (0, 0))) for meeting in meetings]
    going_ahead = [load for load in loads if not load.meeting.is_cancelled]
    return Dashboard(
        groups=list(groups),
        this_week=[load for load in loads if load.meeting.starts_at < now + THIS_WEEK],
        without_facilitator=[load for load in going_ahead if not load.meeting.group.facilitators],
        groups_without_meetings=[group for group in groups if group.id not in with_meetings_ahead],
        full_with_waitlist=[load for load in going_ahead if load.waitlisted],
    )
