"""Organisations: register one, its dashboard, members and invitations, settings, and the site
admins' approval pages. Access is decided by groups.organisations.access."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from groups.extensions import db
from groups.models import utcnow
from groups.organisations import logic
from groups.organisations.access import (
    managed_organisations,
    organisation_role,
    require_organisation,
    require_site_admin,
)
from groups.organisations.forms import (
    ButtonForm,
    InviteForm,
    OrganisationForm,
    RejectForm,
    RoleForm,
    SettingsForm,
)
from groups.organisations.models import (
    Invitation,
    InvitationRole,
    MemberRole,
    Organisation,
)

blueprint = Blueprint("organisations", __name__)


def _user():
    return current_user._get_current_object()


# Registering and the organisation's home -------------------------------------------------


@blueprint.route("/organisations/new", methods=["GET", "POST"])
@login_required
def register():
    form = OrganisationForm()
    if form.validate_on_submit():
        organisation = logic.register_organisation(_user(), **form.fields())
        db.session.commit()
        flash(
            f"{organisation.name} is registered and awaiting approval. We will email you when a "
            "site admin has looked at it; until then its groups are not shown publicly."
        )
        return redirect(url_for("organisations.dashboard", slug=organisation.slug))
    return render_template("organisations/register.html", form=form), 400 if form.errors else 200


@blueprint.get("/manage/")
@login_required
def my_organisations():
    return render_template(
        "organisations/my_organisations.html",
        organisations=managed_organisations(current_user),
        facilitated=logic.facilitated_groups(current_user),
    )


@blueprint.get("/manage/<slug>/")
@login_required
def dashboard(slug: str):
    organisation = require_organisation(slug)
    return render_template(
        "organisations/dashboard.html",
        organisation=organisation,
        is_admin=organisation_role(current_user, organisation.id) is MemberRole.ADMIN,
        dashboard=logic.dashboard_for(organisation, utcnow()),
    )


@blueprint.route("/manage/<slug>/settings", methods=["GET", "POST"])
@login_required
def settings(slug: str):
    organisation = require_organisation(slug, admin=True)
    form = SettingsForm(obj=organisation)
    if request.method == "GET":
        form.kind.data = organisation.kind.value
    if form.validate_on_submit():
        logic.update_organisation(organisation, _user(), **form.fields())
        db.session.commit()
        flash("The settings are saved.")
        return redirect(url_for("organisations.dashboard", slug=organisation.slug))
    return render_template(
        "organisations/settings.html", form=form, organisation=organisation
    ), 400 if form.errors else 200


# Members and invitations -----------------------------------------------------------------


def _members_page(organisation: Organisation, problem: tuple[int, str] | None = None):
    is_admin = organisation_role(current_user, organisation.id) is MemberRole.ADMIN
    return render_template(
        "organisations/members.html",
        organisation=organisation,
        members=logic.members_of(organisation),
        invitations=logic.pending_invitations(organisation) if is_admin else [],
        is_admin=is_admin,
        problem=problem,
        now=utcnow(),
        expires_at=logic.invitation_expires_at,
    ), 400 if problem else 200


def _member_or_404(organisation: Organisation, member_id: int):
    member = logic.member_of(organisation, member_id)
    if member is None:
        abort(404)
    return member


@blueprint.get("/manage/<slug>/members")
@login_required
def members(slug: str):
    return _members_page(require_organisation(slug))


@blueprint.route("/manage/<slug>/members/invite", methods=["GET", "POST"])
@login_required
def invite(slug: str):
    organisation = require_organisation(slug, admin=True)
    form = InviteForm()
    if form.validate_on_submit():
        existing = logic.member_with_email(organisation, form.email.data)
        if existing is not None:
            form.email.errors.append(
                f"{existing.user.display_name} is already a member "
                f"({existing.role.label.lower()}). Change their role on the members page."
            )
        else:
            logic.create_invitation(
                organisation, form.email.data, InvitationRole(form.role.data), _user()
            )
            db.session.commit()
            flash(f"We have emailed an invitation to {form.email.data}. It works for 7 days.")
            return redirect(url_for("organisations.members", slug=organisation.slug))
    return render_template(
        "organisations/invite.html", form=form, organisation=organisation
    ), 400 if form.errors else 200


@blueprint.post("/manage/<slug>/members/<int:member_id>/role")
@login_required
def change_role(slug: str, member_id: int):
    organisation = require_organisation(slug, admin=True)
    member = _member_or_404(organisation, member_id)
    form = RoleForm()
    if not form.validate_on_submit():
        return _members_page(
            organisation, (member.id, " ".join(form.role.errors or ["Try again."]))
        )
    try:
        logic.change_role(member, MemberRole(form.role.data), _user())
    except logic.OrganisationError as error:
        return _members_page(organisation, (member.id, str(error)))
    db.session.commit()
    flash(f"{member.user.display_name} is now {member.role.label.lower()}.")
    return redirect(url_for("organisations.members", slug=organisation.slug))


@blueprint.route("/manage/<slug>/members/<int:member_id>/remove", methods=["GET", "POST"])
@login_required
def remove_member(slug: str, member_id: int):
    """GET asks "are you sure?"; POST removes."""
    organisation = require_organisation(slug, admin=True)
    member = _member_or_404(organisation, member_id)
    form = ButtonForm()
    if form.validate_on_submit():
        try:
            logic.remove_member(member, _user())
        except logic.OrganisationError as error:
            return _members_page(organisation, (member.id, str(error)))
        name, was_me = member.user.display_name, member.user_id == current_user.id
        db.session.commit()
        if was_me:
            flash(f"You have left {organisation.name}.")
            return redirect(url_for("organisations.my_organisations"))
        flash(f"{name} is no longer a member of {organisation.name}.")
        return redirect(url_for("organisations.members", slug=organisation.slug))
    return render_template(
        "organisations/remove_member.html", organisation=organisation, member=member, form=form
    )


@blueprint.post("/manage/<slug>/invitations/<int:invitation_id>/revoke")
@login_required
def revoke_invitation(slug: str, invitation_id: int):
    organisation = require_organisation(slug, admin=True)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.organisation_id != organisation.id:
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        logic.revoke_invitation(invitation, _user(), utcnow())
    except logic.OrganisationError as error:
        flash(str(error))
    else:
        db.session.commit()
        flash(f"The invitation to {invitation.email} is withdrawn: its link no longer works.")
    return redirect(url_for("organisations.members", slug=organisation.slug))


@blueprint.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """Anyone with the link sees what it invites to; only its addressee, signed in, accepts."""
    user = _user() if current_user.is_authenticated else None
    try:
        invitation = logic.invitation_for_token(token)
        logic.check_invitation(invitation, user)
    except logic.InvitationError as error:
        return render_template("organisations/invitation_problem.html", message=str(error)), 400
    sign_in = url_for("accounts.sign_in", next=request.path)
    if user is None and request.method == "POST":
        return redirect(sign_in)
    form = ButtonForm()
    if user is not None and form.validate_on_submit():
        try:
            logic.accept_invitation(invitation, user, utcnow())
        except logic.AlreadyJoined as error:
            flash(str(error))
        except logic.InvitationError as error:
            return render_template("organisations/invitation_problem.html", message=str(error)), 400
        else:
            db.session.commit()
            flash(f"Welcome: you can now {logic.invitation_role_text(invitation)}.")
        if invitation.role is InvitationRole.FACILITATOR:
            return redirect(url_for("organisations.my_organisations"))
        return redirect(url_for("organisations.dashboard", slug=invitation.organisation.slug))
    return render_template(
        "organisations/invitation.html", invitation=invitation, form=form, sign_in=sign_in,
        role_text=logic.invitation_role_text(invitation),
        masked_email=logic.mask_email(invitation.email),
    )  # fmt: skip


# Site admins: approval -------------------------------------------------------------------


def _organisation_or_404(organisation_id: int) -> Organisation:
    return db.get_or_404(Organisation, organisation_id)


@blueprint.get("/admin/organisations")
@login_required
def admin_list():
    require_site_admin()
    organisations = logic.organisations_for_review()
    return render_template(
        "organisations/admin_list.html",
        pending=[o for o in organisations if o.status_label == "Awaiting approval"],
        organisations=organisations,
    )


def _site_admin_action(organisation_id: int, change, done: str):
    require_site_admin()
    organisation = _organisation_or_404(organisation_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        change(organisation)
    except logic.OrganisationError as error:
        flash(str(error))
    else:
        db.session.commit()
        flash(done.format(name=organisation.name))
    return redirect(url_for("organisations.admin_list"))


@blueprint.post("/admin/organisations/<int:organisation_id>/approve")
@login_required
def approve(organisation_id: int):
    return _site_admin_action(
        organisation_id,
        lambda organisation: logic.approve_organisation(organisation, _user(), utcnow()),
        "{name} is approved: its listed groups are now public. Its admins have been emailed.",
    )


@blueprint.post("/admin/organisations/<int:organisation_id>/suspend")
@login_required
def suspend(organisation_id: int):
    return _site_admin_action(
        organisation_id,
        lambda organisation: logic.suspend_organisation(organisation, _user(), utcnow()),
        "{name} is suspended: its groups are hidden. Its admins have been emailed.",
    )


@blueprint.post("/admin/organisations/<int:organisation_id>/reinstate")
@login_required
def reinstate(organisation_id: int):
    return _site_admin_action(
        organisation_id,
        lambda organisation: logic.reinstate_organisation(organisation, _user()),
        "{name} is reinstated: its listed groups are public again.",
    )


@blueprint.route("/admin/organisations/<int:organisation_id>/reject", methods=["GET", "POST"])
@login_required
def reject(organisation_id: int):
    """GET asks for the reason; POST (with ``reason``) records it and emails the admins."""
    require_site_admin()
    organisation = _organisation_or_404(organisation_id)
    form = RejectForm()
    if form.validate_on_submit():
        logic.reject_organisation(organisation, _user(), form.reason.data, utcnow())
        db.session.commit()
        flash(f"{organisation.name} is not approved. Its admins have been emailed the reason.")
        return redirect(url_for("organisations.admin_list"))
    return render_template(
        "organisations/reject.html", form=form, organisation=organisation
    ), 400 if form.errors else 200
