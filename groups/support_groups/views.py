from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from groups.accounts.models import User
from groups.extensions import db
from groups.organisations.access import GroupPermission, require_group, require_organisation
from groups.organisations.logic import create_invitation
from groups.organisations.models import Condition, Group, GroupKind, InvitationRole
from groups.security import render_markdown
from groups.support_groups import logic
from groups.support_groups.forms import (
    FacilitatorForm,
    GroupForm,
    InviteFacilitatorForm,
    RemoveFacilitatorForm,
)
from groups.venues.logic import active_venues

blueprint = Blueprint("support_groups", __name__, url_prefix="/manage")
NO_VENUE = 0


def _group_form(organisation, group: Group | None = None) -> GroupForm:
    form = (
        GroupForm(obj=group)
        if group
        else GroupForm(rsvp_open=True, is_listed=True, open_to_newcomers=True)
    )
    if group is not None and request.method == "GET":
        form.kind.data = group.kind.value
        form.conditions.data = [condition.value for condition in group.conditions]
        form.default_venue_id.data = group.default_venue_id or NO_VENUE
    keep = group.default_venue_id if group else None
    form.default_venue_id.choices = [(NO_VENUE, "Choose later")] + [
        (venue.id, f"{venue.name}, {venue.town}") for venue in active_venues(organisation, keep)
    ]
    return form


def _fields(form: GroupForm) -> dict:
    return {
        "name": form.name.data,
        "kind": GroupKind(form.kind.data),
        "conditions": [Condition(value) for value in form.conditions.data],
        "description": form.description.data or "",
        "who_it_is_for": form.who_it_is_for.data or "",
        "first_time_expectations": form.first_time_expectations.data or "",
        "default_venue_id": form.default_venue_id.data or None,
        "default_capacity": form.default_capacity.data,
        "rsvp_open": form.rsvp_open.data,
        "open_to_newcomers": form.open_to_newcomers.data,
        "is_listed": form.is_listed.data,
    }


def _previewing() -> bool:
    return "preview" in request.form


@blueprint.route("/<slug>/groups/new", methods=["GET", "POST"])
@login_required
def create(slug: str):
    organisation = require_organisation(slug)
    form = _group_form(organisation)
    if not _previewing() and form.validate_on_submit():
        group = logic.create_group(organisation, current_user, **_fields(form))
        db.session.commit()
        flash(f"{group.name} is created. Now add when it meets.")
        return redirect(url_for("schedules.group_meetings", group_id=group.id))
    return render_template(
        "support_groups/form.html", form=form, organisation=organisation, group=None,
        preview=render_markdown(form.description.data) if _previewing() else None,
    )  # fmt: skip


@blueprint.route("/groups/<int:group_id>/edit", methods=["GET", "POST"])
@login_required
def edit(group_id: int):
    group = require_group(group_id, GroupPermission.EDIT_GROUP)
    form = _group_form(group.organisation, group)
    if not _previewing() and form.validate_on_submit():
        logic.update_group(group, current_user, **_fields(form))
        db.session.commit()
        flash("The group is saved.")
        return redirect(url_for("support_groups.edit", group_id=group.id))
    return render_template(
        "support_groups/form.html", form=form, organisation=group.organisation, group=group,
        preview=render_markdown(form.description.data) if _previewing() else None,
    )  # fmt: skip


def _facilitator_page(group: Group, add_form=None, invite_form=None, status=200):
    add_form = add_form or FacilitatorForm(formdata=None)
    choices = [
        (person.id, person.display_name)
        for person in logic.organisation_people(group.organisation)
        if person not in group.facilitators
    ]
    add_form.user_id.choices = choices
    return render_template(
        "support_groups/facilitators.html", group=group, add_form=add_form,
        invite_form=invite_form or InviteFacilitatorForm(formdata=None),
        remove_form=RemoveFacilitatorForm(formdata=None), can_add=bool(choices),
    ), status  # fmt: skip


@blueprint.get("/groups/<int:group_id>/facilitators")
@login_required
def facilitators(group_id: int):
    return _facilitator_page(require_group(group_id, GroupPermission.EDIT_GROUP))


@blueprint.post("/groups/<int:group_id>/facilitators")
@login_required
def add_facilitator(group_id: int):
    group = require_group(group_id, GroupPermission.EDIT_GROUP)
    form = FacilitatorForm()
    form.user_id.choices = [
        (p.id, p.display_name) for p in logic.organisation_people(group.organisation)
    ]
    if form.validate_on_submit():
        try:
            logic.add_facilitator(group, db.session.get(User, form.user_id.data), current_user)
        except logic.FacilitatorError as error:
            form.user_id.errors.append(str(error))
        else:
            db.session.commit()
            flash("Facilitator added.")
            return redirect(url_for("support_groups.facilitators", group_id=group.id))
    return _facilitator_page(group, add_form=form, status=400)


@blueprint.post("/groups/<int:group_id>/facilitators/<int:user_id>/remove")
@login_required
def remove_facilitator(group_id: int, user_id: int):
    group = require_group(group_id, GroupPermission.EDIT_GROUP)
    user = db.session.get(User, user_id)
    if user is None or not RemoveFacilitatorForm().validate_on_submit():
        abort(404)
    try:
        logic.remove_facilitator(group, user, current_user)
    except logic.FacilitatorError:
        abort(404)
    db.session.commit()
    flash(f"{user.display_name} no longer facilitates {group.name}.")
    return redirect(url_for("support_groups.facilitators", group_id=group.id))


@blueprint.post("/groups/<int:group_id>/facilitators/invite")
@login_required
def invite_facilitator(group_id: int):
    group = require_group(group_id, GroupPermission.EDIT_GROUP)
    form = InviteFacilitatorForm()
    if not form.validate_on_submit():
        return _facilitator_page(group, invite_form=form, status=400)
    create_invitation(
        group.organisation, form.email.data, InvitationRole.FACILITATOR, current_user, group=group
    )
    db.session.commit()
    flash(f"We have emailed an invitation to facilitate {group.name}.")
    return redirect(url_for("support_groups.facilitators", group_id=group.id))
