"""Accounts: the rules for signing up, confirming an address, resetting and changing passwords,
changing email, and deleting an account. Plain functions; the view commits.

No answer here tells a stranger whether an email address has an account: sign-up and reset
behave the same on the outside, and the difference only reaches the address's own inbox.
"""

import hashlib
from datetime import datetime

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import selectinload
from werkzeug.security import generate_password_hash

from groups.accounts.models import User, normalise_email
from groups.attendance.models import AnonymousCounting, Attendance
from groups.extensions import db
from groups.mail.models import OutboxMessage
from groups.mail.outbox import queue_email
from groups.organisations.models import Group, MemberRole, OrganisationMember
from groups.rsvps.models import RSVP, StandingRSVP
from groups.schedules.models import Meeting, Schedule
from groups.security import TokenError, is_safe_next, read_token, sign_token

VERIFY_MAX_AGE = 3 * 24 * 3600
RESET_MAX_AGE = 2 * 3600
CHANGE_EMAIL_MAX_AGE = 24 * 3600
# Spent on unknown addresses so that both answers take about as long.
_DUMMY_PASSWORD = "circles-timing-equaliser"


class AccountError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def _password_fingerprint(user: User) -> str:
    """Changes whenever the password does, so a reset link works once."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def _send_verification(user: User, email: str | None = None, next_page: str | None = None) -> None:
    email = email or user.email
    payload = {"user": user.id, "email": email}
    if is_safe_next(next_page):
        payload["next"] = (
            next_page  # back to what they were doing (a meeting's RSVP) after confirming
        )
    token = sign_token("verify", payload)
    queue_email(
        email, "Confirm your email address for Circles", "verify_email",
        user=user, link=url_for("accounts.confirm_email", token=token, _external=True),
    )  # fmt: skip


def sign_up(
    email: str, password: str, display_name: str, next_page: str | None = None
) -> User | None:
    """Create an unconfirmed account and send a confirmation link (which leads on to
    ``next_page``); for an address that already has an account, send that address a note
    instead (and create nothing)."""
    existing = find_user_by_email(email)
    if existing is not None:
        generate_password_hash(_DUMMY_PASSWORD)
        queue_email(
            existing.email, "Someone tried to sign up with your email", "sign_up_existing",
            user=existing, sign_in=url_for("accounts.sign_in", _external=True),
            reset=url_for("accounts.forgot_password", _external=True),
        )  # fmt: skip
        return None
    user = User(email=email, display_name=display_name.strip())
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    _send_verification(user, next_page=next_page)
    return user


def resend_verification(user: User) -> None:
    if not user.is_verified:
        _send_verification(user)


def confirm_email(token: str, now: datetime) -> tuple[User, str | None]:
    """Confirm the address a sign-up link was sent to; returns the user and the page they were
    on when they signed up (a safe path, or None)."""
    data = read_token("verify", token, VERIFY_MAX_AGE)
    user = db.session.get(User, data.get("user"))
    if user is None or user.email != data.get("email"):
        raise TokenError("This link is for an address that is no longer on the account.")
    if user.email_verified_at is None:
        user.email_verified_at = now
    next_page = data.get("next")
    return user, next_page if is_safe_next(next_page) else None


def request_password_reset(email: str) -> None:
    user = find_user_by_email(email)
    if user is None:
        generate_password_hash(_DUMMY_PASSWORD)
        return
    token = sign_token("reset", {"user": user.id, "password": _password_fingerprint(user)})
    queue_email(
        user.email, "Reset your Circles password", "reset_password",
        user=user, link=url_for("accounts.reset_password", token=token, _external=True),
    )  # fmt: skip


def user_for_reset(token: str) -> User:
    data = read_token("reset", token, RESET_MAX_AGE)
    user = db.session.get(User, data.get("user"))
    if user is None or data.get("password") != _password_fingerprint(user):
        raise TokenError("This link has already been used. Ask for a new one below.")
    return user


def reset_password(token: str, new_password: str, now: datetime) -> User:
    """Set a new password from an emailed link: the link then stops working, and so do all
    sessions. The email was received, so the address is confirmed too."""
    user = user_for_reset(token)
    _set_new_password(user, new_password)
    if user.email_verified_at is None:
        user.email_verified_at = now
    return user


def _set_new_password(user: User, new_password: str) -> None:
    user.set_password(new_password)
    user.end_all_sessions()
    queue_email(user.email, "Your Circles password was changed", "password_changed", user=user)


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not user.check_password(current_password):
        raise AccountError("That isn't your current password.", "current_password")
    _set_new_password(user, new_password)


def request_email_change(user: User, new_email: str, current_password: str) -> None:
    """Send a link to the new address; the change happens only when it is opened."""
    if not user.check_password(current_password):
        raise AccountError("That isn't your current password.", "current_password")
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise AccountError("That is already your email address.", "email")
    token = sign_token("change-email", {"user": user.id, "email": new_email, "from": user.email})
    queue_email(
        new_email, "Confirm your new email address for Circles", "change_email",
        user=user, link=url_for("accounts.confirm_email_change", token=token, _external=True),
    )  # fmt: skip


def confirm_email_change(token: str, now: datetime) -> User:
    data = read_token("change-email", token, CHANGE_EMAIL_MAX_AGE)
    user = db.session.get(User, data.get("user"))
    if user is None or user.email != data.get("from"):
        raise TokenError("This link has already been used or is out of date.")
    if find_user_by_email(data["email"]) is not None:
        raise TokenError("Another account already uses that address.")
    old_email = user.email
    user.email = data["email"]
    user.email_verified_at = now
    queue_email(
        old_email, "Your Circles email address was changed", "email_changed",
        user=user, new_email=user.email,
    )  # fmt: skip
    return user


def organisations_needing_a_new_admin(user: User) -> list[str]:
    """Names of organisations where ``user`` is the only admin."""
    admin_counts = (
        sa.select(OrganisationMember.organisation_id, sa.func.count().label("admins"))
        .where(OrganisationMember.role == MemberRole.ADMIN)
        .group_by(OrganisationMember.organisation_id)
        .subquery()
    )
    memberships = db.session.scalars(
        sa.select(OrganisationMember)
        .join(admin_counts, admin_counts.c.organisation_id == OrganisationMember.organisation_id)
        .where(
            OrganisationMember.user_id == user.id,
            OrganisationMember.role == MemberRole.ADMIN,
            admin_counts.c.admins == 1,
        )
    ).all()
    return [membership.organisation.name for membership in memberships]


def delete_account(user: User, current_password: str) -> None:
    """Erase the person: their account, RSVPs, memberships, feed tokens and unsent emails go;
    their past attendance stays as anonymous rows so group figures stay right."""
    if not user.check_password(current_password):
        raise AccountError("That isn't your password.", "current_password")
    sole_admin_of = organisations_needing_a_new_admin(user)
    if sole_admin_of:
        raise AccountError(
            "You are the only admin of "
            + ", ".join(sole_admin_of)
            + ". Make someone else an admin first, so the organisation isn't left without one."
        )
    db.session.execute(
        sa.update(Attendance).where(Attendance.user_id == user.id).values(user_id=None)
    )
    db.session.execute(
        sa.update(Attendance)
        .where(Attendance.recorded_by_id == user.id)
        .values(recorded_by_id=None)
    )
    db.session.execute(
        sa.delete(OutboxMessage).where(
            OutboxMessage.recipient == user.email, OutboxMessage.sent_at.is_(None)
        )
    )
    db.session.delete(user)


def export_my_data(user: User) -> dict:
    """Everything Circles holds about a person, in one JSON-ready dict."""
    with_group = selectinload(RSVP.meeting).selectinload(Meeting.group)
    rsvps = db.session.scalars(
        sa.select(RSVP).where(RSVP.user_id == user.id).order_by(RSVP.created_at).options(with_group)
    ).all()
    attendance = db.session.scalars(
        sa.select(Attendance)
        .where(Attendance.user_id == user.id)
        .order_by(Attendance.recorded_at)
        .options(selectinload(Attendance.meeting).selectinload(Meeting.group))
    ).all()
    memberships = db.session.scalars(
        sa.select(OrganisationMember)
        .where(OrganisationMember.user_id == user.id)
        .options(selectinload(OrganisationMember.organisation))
    ).all()
    facilitating = db.session.scalars(
        sa.select(Group).where(Group.facilitators.any(User.id == user.id)).order_by(Group.name)
    ).all()
    every_meeting = db.session.scalars(
        sa.select(Group.name)
        .join(Schedule, Schedule.group_id == Group.id)
        .join(StandingRSVP, StandingRSVP.schedule_id == Schedule.id)
        .where(StandingRSVP.user_id == user.id)
        .order_by(Group.name)
    ).all()
    counted_anonymously_at = db.session.scalars(
        sa.select(Group.name)
        .join(AnonymousCounting, AnonymousCounting.group_id == Group.id)
        .where(AnonymousCounting.user_id == user.id)
        .order_by(Group.name)
    ).all()
    return {
        "profile": {
            "email": user.email,
            "display_name": user.display_name,
            "created_at": user.created_at.isoformat(),
            "email_confirmed_at": user.email_verified_at.isoformat()
            if user.email_verified_at
            else None,
            "email_reminders": user.email_reminders,
            "discreet_calendar": user.discreet_calendar,
        },
        "rsvps": [
            {
                "group": rsvp.meeting.group.name,
                "meeting_starts_at": rsvp.meeting.starts_at.isoformat(),
                "status": rsvp.status.value,
                "companions": rsvp.companions,
                "created_at": rsvp.created_at.isoformat(),
            }
            for rsvp in rsvps
        ],
        "attendance": [
            {
                "group": row.meeting.group.name,
                "meeting_starts_at": row.meeting.starts_at.isoformat(),
                "status": row.status.value,
                "companions": row.companions,
            }
            for row in attendance
        ],
        "memberships": [
            {"organisation": member.organisation.name, "role": member.role.value}
            for member in memberships
        ],
        "facilitating": [group.name for group in facilitating],
        "going_to_every_meeting_of": list(every_meeting),
        "counted_anonymously_at": list(counted_anonymously_at),
    }
