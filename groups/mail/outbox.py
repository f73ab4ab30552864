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
import ssl
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import SMTP, default
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import NamedTuple

import sqlalchemy as sa
from flask import Flask, after_this_request, current_app, has_request_context, request

from groups.extensions import db
from groups.mail.models import OutboxMessage
from groups.models import utcnow

log = logging.getLogger(__name__)

CLAIM_FOR = timedelta(minutes=5)  # far longer than one send can take (MAIL_TIMEOUT per step)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
# Marks a request whose response already carries a delivery run (one per request).
_DELIVER_AFTER_RESPONSE = "circles.mail.deliver_after_response"

Attachment = tuple[str, str, bytes]  # (filename, mimetype, content)


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0


class OutboxCounts(NamedTuple):
    waiting: int
    sent_last_day: int


def build_message(
    to: str, subject: str, template: str, *, attachments: Iterable[Attachment] = (), **context
) -> EmailMessage:
    """A multipart/alternative message from templates/email/<template>.txt and .html, with any
    attachments after it."""
    sender = current_app.config["MAIL_FROM"]
    context = {"subject": subject, **context}
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or None)
    message.set_content(_render(f"email/{template}.txt", context))
    message.add_alternative(_render(f"email/{template}.html", context), subtype="html")
    for filename, mimetype, content in attachments:
        maintype, _, subtype = mimetype.partition("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message


def _render(name: str, context: dict) -> str:
    # Not flask.render_template: emails are queued from the command line too, and the site's
    # context processors (the signed-in user, the sign-out form) need a request. An email says
    # only what its caller passes in.
    return current_app.jinja_env.get_template(name).render(context)


def queue_email(
    to: str, subject: str, template: str, *, attachments: Iterable[Attachment] = (), **context
) -> OutboxMessage:
    """Add a message for the address ``to`` to the outbox in the caller's transaction: it is sent
    only if the caller commits. Inside a request, delivery is tried once the response has gone."""
    message = build_message(to, subject, template, attachments=attachments, **context)
    queued = OutboxMessage(
        recipient=to, subject=subject[:300], message=message.as_bytes(policy=SMTP)
    )
    db.session.add(queued)
    deliver_after_response()
    return queued


def deliver_after_response() -> None:
    """Inside a request, try the due messages once the response has been sent (at most once per
    request); outside one, do nothing: cron's `flask mail send` delivers them."""
    if not has_request_context() or request.environ.get(_DELIVER_AFTER_RESPONSE):
        return
    request.environ[_DELIVER_AFTER_RESPONSE] = True
    app = current_app._get_current_object()

    @after_this_request
    def deliver_when_closed(response):
        response.call_on_close(lambda: _deliver_quietly(app))
        return response


def _deliver_quietly(app: Flask) -> None:
    # Runs after the person has their page; nothing here may reach them. What fails now,
    # the next run tries again.
    try:
        with app.app_context():
            deliver_due_messages()
    except Exception:
        log.exception("Delivering mail after a response failed; the next run will try again")


def _claim_is_free(now: datetime):
    return sa.or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now)


def claim_for_sending(message_id: int, now: datetime) -> bool:
    """Hold an unsent message for CLAIM_FOR so no other sender takes it; False when it is sent or
    another sender holds it. Commits at once, so other senders see the claim."""
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.sent_at.is_(None),
            _claim_is_free(now),
        )
        .values(claimed_until=now + CLAIM_FOR)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def retry_delay(attempts: int) -> timedelta:
    """1 minute after the first failure, doubling with each one, never more than 6 hours."""
    doublings = min(max(attempts - 1, 0), 20)  # the cap is reached long before; no overflow
    return min(FIRST_RETRY * 2**doublings, LONGEST_RETRY)


def deliver_due_messages(*, now: datetime | None = None, limit: int = 100) -> DeliveryReport:
    """Send up to ``limit`` due messages, each exactly once: claim, send, record the outcome.
    Commits per message, so run it in its own app context (the CLI, or after a response)."""
    started = now or utcnow()
    due = db.session.scalars(
        sa.select(OutboxMessage.id)
        .where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.next_attempt_at <= started,
            _claim_is_free(started),
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    ).all()
    report = DeliveryReport()
    for message_id in due:
        moment = now or utcnow()  # fresh each time: a slow batch must not claim with a stale clock
        if not claim_for_sending(message_id, moment):
            continue  # another sender has it, or has sent it already
        queued = db.session.get(OutboxMessage, message_id, populate_existing=True)
        try:
            _transport(queued)
        except Exception as error:  # any failure waits for the next try, never stops the batch
            queued.attempts += 1
            queued.last_error = _describe(error)
            queued.next_attempt_at = moment + retry_delay(queued.attempts)
            report.failed += 1
            unexpected = not isinstance(error, OSError)  # smtplib's errors are OSErrors too
            log.warning(
                "Email %s to %s not sent (try %s): %s",
                queued.id, queued.recipient, queued.attempts, queued.last_error,
                exc_info=unexpected,
            )  # fmt: skip
        else:
            queued.sent_at = now or utcnow()
            queued.last_error = None
            report.sent += 1
        queued.claimed_until = None
        db.session.commit()
    return report


def _describe(error: Exception) -> str:
    """A short reason for the outbox page, never with the SMTP password in it."""
    text = f"{type(error).__name__}: {error}"
    password = current_app.config["MAIL_PASSWORD"]
    if password:
        text = text.replace(password, "[password]")
    return text[:300]


def _transport(queued: OutboxMessage) -> None:
    config = current_app.config
    if not config["MAIL_SERVER"]:
        _write_to_folder(queued, Path(config["MAIL_OUTBOX_DIR"]))
        return
    message = BytesParser(policy=SMTP).parsebytes(queued.message)
    sender = parseaddr(config["MAIL_FROM"])[1]
    with _connect(config) as smtp:
        smtp.send_message(message, from_addr=sender, to_addrs=[queued.recipient])


def _connect(config) -> smtplib.SMTP:
    """An SMTP connection as MAIL_SECURITY says (starttls, ssl or none), signed in if there is a
    MAIL_USERNAME. Certificates are checked for both TLS kinds."""
    host, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_TIMEOUT"]
    security = config["MAIL_SECURITY"]
    if security not in {"starttls", "ssl", "none"}:
        raise ValueError(f"MAIL_SECURITY must be starttls, ssl or none, not {security!r}")
    if security == "ssl":
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    except BaseException:
        smtp.close()
        raise
    return smtp


def _write_to_folder(queued: OutboxMessage, folder: Path) -> None:
    """No SMTP server configured (`make run`): keep the message as an .eml file and show its
    text in the terminal, so links in it can be followed."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{queued.created_at:%Y%m%d-%H%M%S}-{queued.id}.eml"
    path.write_bytes(queued.message)
    text = BytesParser(policy=default).parsebytes(queued.message).get_body(("plain",))
    print(
        f"\n--- Email to {queued.recipient}: {queued.subject} (saved as {path})\n"
        f"{text.get_content().rstrip() if text else ''}\n---",
        file=sys.stderr,
        flush=True,
    )


def pending_messages(limit: int = 200) -> list[OutboxMessage]:
    """Unsent messages, the newest first, for the site admins' outbox page."""
    return list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.sent_at.is_(None))
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
            .limit(limit)
        )
    )


def outbox_counts(now: datetime) -> OutboxCounts:
    """How many messages wait, and how many were sent in the 24 hours before ``now`` (one query)."""
    waiting, sent_last_day = db.session.execute(
        sa.select(
            sa.func.count().filter(OutboxMessage.sent_at.is_(None)),
            sa.func.count().filter(OutboxMessage.sent_at >= now - timedelta(days=1)),
        ).select_from(OutboxMessage)
    ).one()
    return OutboxCounts(waiting, sent_last_day)


def retry_now(message: OutboxMessage, now: datetime) -> None:
    """Make a waiting message due at once (the caller commits); inside a request it is tried as
    soon as the response has gone."""
    message.next_attempt_at = now
    deliver_after_response()
