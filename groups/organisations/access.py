"""Who may manage what: decided here, used by every management route.

- An organisation's workspace is for its members (admins and staff). Anyone else gets 404: they
  may not know the workspace exists. Admin-only pages answer 403 to staff.
- A group is managed by its organisation's admins and staff. Its facilitators may manage its
  single meetings (cancel, move, topic, capacity, extra meetings) and, when the organisation
  allows it, its schedules; other group edits answer them 403. Anyone else gets 404.
- Site admins approve organisations; that gives them no role inside one.
"""

import enum

import sqlalchemy as sa
from flask import abort, g
from flask_login import current_user

from groups.extensions import db
from groups.organisations.models import (
    Group,
    MemberRole,
    Organisation,
    OrganisationMember,
    group_facilitator,
)
from groups.schedules.models import Meeting, Schedule, meeting_venue_loaders


class GroupPermission(enum.Enum):
    EDIT_GROUP = "edit_group"  # name, description, facilitators, listing: staff and admins
    SCHEDULES = "schedules"  # staff and admins; facilitators if the organisation allows
    MEETINGS = "meetings"  # single meetings: staff, admins and the group's facilitators


def _role(user, organisation_id: int):
    return sa.select(OrganisationMember.role).where(
        OrganisationMember.organisation_id == organisation_id,
        OrganisationMember.user_id == user.id,
    )


def organisation_role(user, organisation_id: int) -> MemberRole | None:
    if not user.is_authenticated:
        return None
    return db.session.scalar(_role(user, organisation_id))


def group_permissions(user, group: Group) -> set[GroupPermission]:
    if not user.is_authenticated:
        return set()
    # The user's role in the organisation and whether they facilitate the group, in one query.
    role = _role(user, group.organisation_id)
    facilitates = sa.exists().where(
        group_facilitator.c.group_id == group.id, group_facilitator.c.user_id == user.id
    )
    member_role, facilitator = db.session.execute(
        sa.select(role.scalar_subquery(), facilitates)
    ).one()
    if member_role is not None:
        return set(GroupPermission)
    if facilitator:
        allowed = {GroupPermission.MEETINGS}
        if group.organisation.facilitators_manage_schedules:
            allowed.add(GroupPermission.SCHEDULES)
        return allowed
    return set()


def require_organisation(slug: str, *, admin: bool = False) -> Organisation:
    """The organisation whose workspace the current user is a member of (404 otherwise)."""
    organisation = db.session.scalar(sa.select(Organisation).where(Organisation.slug == slug))
    if organisation is None:
        abort(404)
    role = organisation_role(current_user, organisation.id)
    if role is None:
        abort(404)
    if admin and role is not MemberRole.ADMIN:
        abort(403, "Only the organisation's admins can do this.")
    return organisation


def require_group(group_id: int, permission: GroupPermission) -> Group:
    group = db.session.get(Group, group_id)
    if group is None:
        abort(404)
    allowed = group_permissions(current_user, group)
    if not allowed:
        abort(404)
    g.manages_something = True  # the page's "Manage" link needs no query of its own
    if permission not in allowed:
        abort(403, "You can manage this group's meetings, but not this.")
    return group


def require_schedule(schedule_id: int) -> Schedule:
    schedule = db.session.get(Schedule, schedule_id)
    if schedule is None:
        abort(404)
    require_group(schedule.group_id, GroupPermission.SCHEDULES)
    return schedule


def require_meeting(meeting_id: int) -> Meeting:
    # The group, its organisation and the venue come in the same query, and stay referenced
    # from the meeting, so later uses (the access check included) cost no query.
    meeting = db.session.get(
        Meeting, meeting_id, options=meeting_venue_loaders(with_organisation=True)
    )
    if meeting is None:
        abort(404)
    require_group(meeting.group_id, GroupPermission.MEETINGS)
    return meeting


def require_site_admin() -> None:
    if not (current_user.is_authenticated and current_user.is_site_admin):
        abort(403, "This page is for site admins.")


def managed_organisations(user) -> list[Organisation]:
    """Organisations the user is an admin or staff member of."""
    return db.session.scalars(
        sa.select(Organisation)
        .join(OrganisationMember)
        .where(OrganisationMember.user_id == user.id)
        .order_by(Organisation.name)
    ).all()


def manages_anything(user) -> bool:
    """Is the user an organisation member or a facilitator (shows the "Manage" link)?"""
    if not user.is_authenticated:
        return False
    member = sa.select(OrganisationMember.id).where(OrganisationMember.user_id == user.id)
    facilitates = sa.select(group_facilitator.c.group_id).where(
        group_facilitator.c.user_id == user.id
    )
    return bool(db.session.scalar(sa.select(sa.exists(member.union_all(facilitates).subquery()))))
