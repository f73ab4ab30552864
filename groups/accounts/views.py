import json

from flask import (
    Blueprint,
    Response,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from groups.accounts import logic
from groups.accounts.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    DeleteAccountForm,
    ForgotPasswordForm,
    ProfileForm,
    ResetPasswordForm,
    SignInForm,
    SignOutForm,
    SignUpForm,
)
from groups.accounts.models import User, normalise_email
from groups.extensions import db, limiter, login_manager
from groups.models import utcnow
from groups.organisations.access import manages_anything
from groups.security import TokenError, is_safe_next

blueprint = Blueprint("accounts", __name__)
login_manager.login_view = "accounts.sign_in"
login_manager.login_message = "Please sign in to continue."


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Sessions carry "<id>:<session version>"; an old version means that session was ended."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return None
    return user


@blueprint.app_context_processor
def sign_out_form() -> dict:
    # formdata=None: the form is only drawn here, never read from this request.
    # manages_anything is called by the template only for signed-in people.
    return {
        "sign_out_form": SignOutForm(formdata=None),
        "manages_anything": lambda: g.get("manages_something") or manages_anything(current_user),
    }


def account_key() -> str:
    """Rate-limit key for the account a form names (the same for any spelling of the address)."""
    return "account:" + normalise_email(request.form.get("email", ""))


def _failed(response: Response) -> bool:
    return response.status_code != 302


def _go_next(target: str | None):
    return redirect(target if is_safe_next(target) else url_for("finder.home"))


@blueprint.route("/sign-up", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
@limiter.limit("3 per hour", key_func=account_key, methods=["POST"])
def sign_up():
    form = SignUpForm(next=request.args.get("next"))
    if form.validate_on_submit():
        logic.sign_up(
            form.email.data, form.password.data, form.display_name.data, next_page=form.next.data
        )
        db.session.commit()
        # The same page whether or not the address already had an account.
        return render_template("accounts/check_email.html", reason="sign_up")
    return render_template("accounts/sign_up.html", form=form)


@blueprint.route("/sign-in", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"], deduct_when=_failed)
@limiter.limit("5 per minute", key_func=account_key, methods=["POST"], deduct_when=_failed)
def sign_in():
    form = SignInForm(next=request.args.get("next"))
    if form.validate_on_submit():
        user = logic.find_user_by_email(form.email.data)
        if user is None or not user.check_password(form.password.data):
            form.password.errors.append(
                "That email and password don't match. Check both and try again."
            )
        elif not user.is_verified:
            logic.resend_verification(user)
            db.session.commit()
            form.email.errors.append(
                "Please confirm your email address first: we have sent you a new link."
            )
        else:
            session.clear()  # a new session on sign-in: nothing carried over, no fixation
            login_user(user, remember=form.remember.data)
            return _go_next(form.next.data)
    return render_template("accounts/sign_in.html", form=form)


@blueprint.post("/sign-out")
def sign_out():
    if SignOutForm().validate_on_submit() and current_user.is_authenticated:
        current_user.end_all_sessions()
        db.session.commit()
        logout_user()
        session.clear()
        flash("You are signed out.")
    return redirect(url_for("finder.home"))


@blueprint.get("/confirm-email/<token>")
def confirm_email(token: str):
    try:
        _user, next_page = logic.confirm_email(token, utcnow())
    except TokenError as error:
        return render_template("accounts/link_problem.html", message=str(error)), 400
    db.session.commit()
    flash("Thank you: your email address is confirmed.")
    if current_user.is_authenticated:
        return _go_next(next_page or url_for("accounts.settings"))
    return redirect(url_for("accounts.sign_in", next=next_page))


@blueprint.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
@limiter.limit("3 per hour", key_func=account_key, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        logic.request_password_reset(form.email.data)
        db.session.commit()
        return render_template("accounts/check_email.html", reason="reset")
    return render_template("accounts/forgot_password.html", form=form)


@blueprint.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        logic.user_for_reset(token)
    except TokenError as error:
        return render_template(
            "accounts/link_problem.html", message=str(error), ask_again=True
        ), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        logic.reset_password(token, form.password.data, utcnow())
        db.session.commit()
        flash("Your password is changed. Sign in with the new one.")
        return redirect(url_for("accounts.sign_in"))
    return render_template("accounts/reset_password.html", form=form)


@blueprint.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        form.populate_obj(current_user)
        db.session.commit()
        flash("Your settings are saved.")
        return redirect(url_for("accounts.settings"))
    return render_template("accounts/settings.html", form=form)


@blueprint.route("/settings/email", methods=["GET", "POST"])
@login_required
def change_email():
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            logic.request_email_change(current_user, form.email.data, form.current_password.data)
        except logic.AccountError as error:
            form[error.field].errors.append(str(error))
        else:
            db.session.commit()
            flash("We have sent a link to your new address. Your email changes when you open it.")
            return redirect(url_for("accounts.settings"))
    return render_template("accounts/change_email.html", form=form)


@blueprint.get("/settings/email/confirm/<token>")
def confirm_email_change(token: str):
    try:
        logic.confirm_email_change(token, utcnow())
    except TokenError as error:
        return render_template("accounts/link_problem.html", message=str(error)), 400
    db.session.commit()
    flash("Your email address is changed.")
    return redirect(
        url_for("accounts.settings" if current_user.is_authenticated else "accounts.sign_in")
    )


@blueprint.route("/settings/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            logic.change_password(current_user, form.current_password.data, form.password.data)
        except logic.AccountError as error:
            form[error.field].errors.append(str(error))
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # this session goes on; all others end
            flash("Your password is changed. Other devices have been signed out.")
            return redirect(url_for("accounts.settings"))
    return render_template("accounts/change_password.html", form=form)


@blueprint.get("/settings/my-data.json")
@login_required
def download_my_data():
    body = json.dumps(logic.export_my_data(current_user), indent=2, ensure_ascii=False)
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="circles-my-data.json"',
            "Cache-Control": "private, no-store",
        },
    )


@blueprint.route("/settings/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    form = DeleteAccountForm()
    sole_admin_of = logic.organisations_needing_a_new_admin(current_user)
    if form.validate_on_submit():
        try:
            logic.delete_account(current_user._get_current_object(), form.current_password.data)
        except logic.AccountError as error:
            form[error.field or "confirm"].errors.append(str(error))
        else:
            db.session.commit()
            logout_user()
            session.clear()
            flash("Your account and your personal data are deleted. Take care.")
            return redirect(url_for("finder.home"))
    return render_template("accounts/delete_account.html", form=form, sole_admin_of=sole_admin_of)


@blueprint.get("/privacy")
def privacy():
    return render_template("accounts/privacy.html")
