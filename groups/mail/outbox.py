"""Every email the app sends goes through here.

``queue_email`` renders a message and adds it to the outbox in the caller's transaction, so a
message exists exactly when the change that caused it was saved. ``deliver_due_messages`` sends
what is due: right after the request that queued it (once the response has gone, so nobody
waits) and from cron (`flask mail send`). Each message is claimed with a conditional UPDATE
before it is sent, so two senders never send one message twice; failures are retried with a
doubling delay.
"""

import logging
import smtplib
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import SMTP, default
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path

import sqlalchemy as sa
from flask import after_this_request, current_app, g, has_request_context, render_template

from groups.extensions import db
from groups.mail.models import OutboxMessage
from groups.models import utcnow

log = logging.getLogger(__name__)
CLAIM_FOR = timedelta(minutes=5)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0


def build_message(to: str, subject: str, template: str, attachments=(), **context) -> EmailMessage:
    """A multipart/alternative message from templates/email/<template>.txt and .html."""
    sender = current_app.config["MAIL_FROM"]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or None)
    message.set_content(render_template(f"email/{template}.txt", subject=subject, **context))
    message.add_alternative(
        render_template(f"email/{template}.html", subject=subject, **context), subtype="html"
    )
    for filename, mimetype, content in attachments:
        maintype, _, subtype = mimetype.partition("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message


def queue_email(
    to: str, subject: str, template: str, *, attachments=(), **context
) -> OutboxMessage:
    """Add a message to the outbox (the caller's transaction saves it)."""
    message = build_message(to, subject, template, attachments, **context)
    queued = OutboxMessage(recipient=to, subject=subject, message=message.as_bytes(policy=SMTP))
    db.session.add(queued)
    if has_request_context():
        _deliver_after_this_request()
    return queued


def _deliver_after_this_request() -> None:
    if g.get("_mail_delivery_registered"):
        return
    g._mail_delivery_registered = True
    app = current_app._get_current_object()

    @after_this_request
    def deliver_when_closed(response):
        def deliver() -> None:
            try:
                with app.app_context():
                    deliver_due_messages()
            except Exception:  # the cron run will try again; the person's request is long done
                log.exception("Delivering mail after a request failed")

        response.call_on_close(deliver)
        return response


def _claim(message_id: int, now: datetime) -> bool:
    """Take a message for sending; False if it is sent or another sender holds it."""
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.sent_at.is_(None),
            sa.or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        )
        .values(claimed_until=now + CLAIM_FOR)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def retry_delay(attempts: int) -> timedelta:
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def deliver_due_messages(*, now: datetime | None = None, limit: int = 100) -> DeliveryReport:
    now = now or utcnow()
    report = DeliveryReport()
    due = db.session.scalars(
        sa.select(OutboxMessage.id)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    ).all()
    for message_id in due:
        if not _claim(message_id, now):
            continue
        queued = db.session.get(OutboxMessage, message_id, populate_existing=True)
        try:
            _transport(queued)
        except (OSError, smtplib.SMTPException) as error:
            queued.attempts += 1
            queued.last_error = f"{type(error).__name__}: {error}"[:500]
            queued.next_attempt_at = now + retry_delay(queued.attempts)
            report.failed += 1
            log.warning(
                "Email %s to %s not sent: %s", queued.id, queued.recipient, queued.last_error
            )
        else:
            queued.sent_at = utcnow()
            queued.last_error = None
            report.sent += 1
        queued.claimed_until = None
        db.session.commit()
    return report


def _transport(queued: OutboxMessage) -> None:
    config = current_app.config
    if not config["MAIL_SERVER"]:
        _write_to_folder(queued, Path(config["MAIL_OUTBOX_DIR"]))
        return
    security = config["MAIL_SECURITY"]
    connect = smtplib.SMTP_SSL if security == "ssl" else smtplib.SMTP
    with connect(
        config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]
    ) as smtp:
        if security == "starttls":
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        sender = parseaddr(config["MAIL_FROM"])[1]
        smtp.sendmail(sender, [queued.recipient], queued.message)


def _write_to_folder(queued: OutboxMessage, folder: Path) -> None:
    """No SMTP server configured (`make run`): keep the message as an .eml file and show it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{queued.created_at:%Y%m%d-%H%M%S}-{queued.id}.eml"
    path.write_bytes(queued.message)
    text = message_from_bytes(queued.message, policy=default).get_body(preferencelist=("plain",))
    print(
        f"\n--- email to {queued.recipient}: {queued.subject} (saved as {path})\n"
        f"{text.get_content() if text else ''}---",
        file=sys.stderr,
        flush=True,
    )


def pending_messages(limit: int = 200) -> list[OutboxMessage]:
    """Unsent messages, the newest first, for the site admins' outbox page."""
    return db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None))
        .order_by(OutboxMessage.created_at.desc())
        .limit(limit)
    ).all()


def sent_since(moment: datetime) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at >= moment)
    )


def retry_now(message: OutboxMessage, now: datetime) -> None:
    message.next_attempt_at = now
