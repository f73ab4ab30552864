import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_login import login_user, logout_user

from groups.accounts.forms import SignInForm, SignOutForm
from groups.accounts.models import User, normalise_email
from groups.extensions import db, login_manager

blueprint = Blueprint("accounts", __name__)
login_manager.login_view = "accounts.sign_in"
login_manager.login_message = "Please sign in to continue."


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


@blueprint.app_context_processor
def sign_out_form() -> dict:
    # formdata=None: the form is only drawn here, never read from this request.
    return {"sign_out_form": SignOutForm(formdata=None)}


@blueprint.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    form = SignInForm()
    if form.validate_on_submit():
        user = db.session.scalar(
            sa.select(User).where(User.email == normalise_email(form.email.data))
        )
        if user is not None and user.check_password(form.password.data):
            session.clear()  # a fresh session on sign-in: no fixation
            login_user(user, remember=form.remember.data)
            return redirect(url_for("finder.home"))
        form.password.errors.append(
            "That email and password don't match. Check both and try again."
        )
    return render_template("accounts/sign_in.html", form=form)


@blueprint.post("/sign-out")
def sign_out():
    if SignOutForm().validate_on_submit():
        logout_user()
        session.clear()
        flash("You are signed out.")
    return redirect(url_for("finder.home"))
