"""The site admins' outbox page: what is waiting to be sent, and why."""

import functools

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from groups.extensions import db
from groups.mail.forms import RetryForm
from groups.mail.models import OutboxMessage
from groups.mail.outbox import outbox_counts, pending_messages, retry_now
from groups.models import utcnow

blueprint = Blueprint("mail", __name__)


def site_admin_required(view):
    """Anonymous people are sent to sign in; signed-in people who are not site admins get 403."""

    @functools.wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.is_site_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


@blueprint.get("/admin/outbox")
@site_admin_required
def outbox():
    return render_template(
        "mail/outbox.html",
        messages=pending_messages(),
        counts=outbox_counts(utcnow()),
        form=RetryForm(),
    )


@blueprint.post("/admin/outbox/<int:message_id>/retry")
@site_admin_required
def retry(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    if not RetryForm().validate_on_submit():
        abort(400)
    if message.sent_at is not None:
        flash(f"The message to {message.recipient} has already been sent.")
    else:
        retry_now(message, utcnow())
        db.session.commit()
        flash(f"Trying the message to {message.recipient} again now. Reload to see how it went.")
    return redirect(url_for("mail.outbox"))
