from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from groups.extensions import db
from groups.mail.models import OutboxMessage
from groups.mail.outbox import pending_messages, retry_now, sent_since
from groups.models import utcnow

blueprint = Blueprint("mail", __name__, url_prefix="/admin/outbox")


def require_site_admin() -> None:
    if not current_user.is_site_admin:
        abort(403)


@blueprint.get("/")
@login_required
def outbox():
    require_site_admin()
    return render_template(
        "mail/outbox.html",
        messages=pending_messages(),
        sent_last_day=sent_since(utcnow() - timedelta(days=1)),
        form=FlaskForm(),
    )


@blueprint.post("/<int:message_id>/retry")
@login_required
def retry(message_id: int):
    require_site_admin()
    message = db.get_or_404(OutboxMessage, message_id)
    if FlaskForm().validate_on_submit():
        retry_now(message, utcnow())
        db.session.commit()
        flash(f"Message to {message.recipient} will be sent on the next run.")
    return redirect(url_for("mail.outbox"))
