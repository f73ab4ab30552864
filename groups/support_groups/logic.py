"""Creating and editing groups: slugs that never break old links, and facilitators."""

import sqlalchemy as sa

from groups.accounts.models import User
from groups.audit.logic import record_event
from groups.extensions import db
from groups.models import slugify as shared_slugify
from groups.organisations.models import (
    Group,
    GroupSlugRedirect,
    Organisation,
    OrganisationMember,
)

SLUG_LENGTH = 60


def slugify(text: str) -> str:
    return shared_slugify(text, "group", SLUG_LENGTH)


def _slug_taken(slug: str) -> bool:
    in_use = sa.select(Group.slug).where(Group.slug == slug)
    redirected = sa.select(GroupSlugRedirect.slug).where(GroupSlugRedirect.slug == slug)
    return db.session.scalar(sa.select(sa.exists(in_use.union(redirected).subquery()))) or False


def unique_group_slug(name: str) -> str:
    """A slug no group has or had: old links must keep pointing at the group that had them."""
    base = slugify(name)
    slug, number = base, 2
    while _slug_taken(slug):
        slug, number = f"{base}-{number}", number + 1
    return slug


def create_group(organisation: Organisation, actor: User, **fields) -> Group:
    conditions = fields.pop("conditions", [])
    group = Group(organisation=organisation, slug=unique_group_slug(fields["name"]), **fields)
    group.conditions = conditions
    db.session.add(group)
    db.session.flush()
    record_event(actor, "group.created", group, organisation_id=organisation.id, name=group.name)
    return group


def update_group(group: Group, actor: User, **fields) -> None:
    """Save edits; a new name gets a new slug and the old one keeps redirecting."""
    conditions = fields.pop("conditions", None)
    if fields.get("name") and slugify(fields["name"]) != slugify(group.name):
        _change_slug(group, fields["name"])
    for key, value in fields.items():
        setattr(group, key, value)
    if conditions is not None:
        group.conditions = conditions
    record_event(actor, "group.updated", group, organisation_id=group.organisation_id)


def _change_slug(group: Group, new_name: str) -> None:
    wanted = slugify(new_name)
    own_old = db.session.get(GroupSlugRedirect, wanted)
    db.session.add(GroupSlugRedirect(slug=group.slug, group_id=group.id))
    if own_old is not None and own_old.group_id == group.id:
        db.session.delete(own_old)  # renamed back: take the old slug back
        db.session.flush()
        group.slug = wanted
    else:
        db.session.flush()
        group.slug = unique_group_slug(new_name)


def group_for_old_slug(slug: str) -> Group | None:
    return db.session.scalar(
        sa.select(Group)
        .join(GroupSlugRedirect, GroupSlugRedirect.group_id == Group.id)
        .where(GroupSlugRedirect.slug == slug)
    )


def organisation_people(organisation: Organisation) -> list[User]:
    """Admins and staff of the organisation, who can be made facilitators at once."""
    return db.session.scalars(
        sa.select(User)
        .join(OrganisationMember, OrganisationMember.user_id == User.id)
        .where(OrganisationMember.organisation_id == organisation.id)
        .order_by(User.display_name)
    ).all()


class FacilitatorError(ValueError):
    pass


def add_facilitator(group: Group, user: User, actor: User) -> None:
    if user not in organisation_people(group.organisation):
        raise FacilitatorError("Choose a member of your organisation, or invite them by email.")
    if user in group.facilitators:
        raise FacilitatorError(f"{user.display_name} already facilitates this group.")
    group.facilitators.append(user)
    record_event(
        actor, "group.facilitator_added", group, organisation_id=group.organisation_id,
        user_id=user.id,
    )  # fmt: skip


def remove_facilitator(group: Group, user: User, actor: User) -> None:
    if user not in group.facilitators:
        raise FacilitatorError("That person doesn't facilitate this group.")
    group.facilitators.remove(user)
    record_event(
        actor, "group.facilitator_removed", group, organisation_id=group.organisation_id,
        user_id=user.id,
    )  # fmt: skip
