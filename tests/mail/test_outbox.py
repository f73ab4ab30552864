"""The outbox: every message is kept until it is delivered, and it is delivered exactly once."""

from datetime import timedelta
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa

from groups.extensions import db
from groups.mail.models import OutboxMessage
from groups.mail.outbox import (
    DeliveryReport,
    claim_for_sending,
    deliver_due_messages,
    queue_email,
    retry_delay,
)
from groups.models import utcnow
from tests.smtp_server import LoopbackSMTPServer, free_port

SUBJECT = "Your Circles password was changed"


def queue_password_changed(**extra) -> OutboxMessage:
    """Queued with no request around it, as `flask` commands do, and saved."""
    queued = queue_email(
        "robin@example.org", SUBJECT, "password_changed",
        user=SimpleNamespace(display_name="Robin"), **extra,
    )  # fmt: skip
    db.session.commit()
    return queued


def test_a_queued_message_arrives_with_a_text_part_an_html_part_and_its_attachment(
    app, app_context, smtp_server
):
    invite = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    queue_password_changed(attachments=[("meeting.ics", "text/calendar", invite)])

    assert deliver_due_messages() == DeliveryReport(sent=1, failed=0)

    [message] = smtp_server.messages
    assert message.envelope_recipients == ["robin@example.org"]
    assert message["To"] == "robin@example.org"
    assert message["From"] == app.config["MAIL_FROM"]
    assert message["Subject"] == SUBJECT
    assert message["Message-ID"].endswith("@circles.example>")
    assert "Hello Robin" in message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "<p>Hello Robin,</p>" in html
    assert "You get this email because you have an account on Circles." in html
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "meeting.ics"
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_payload(decode=True) == invite


def test_a_message_is_sent_only_if_the_change_that_queued_it_is_saved(
    app, app_context, smtp_server
):
    queue_email(
        "robin@example.org", SUBJECT, "password_changed", user=SimpleNamespace(display_name="R")
    )
    db.session.rollback()

    assert deliver_due_messages() == DeliveryReport(sent=0, failed=0)
    assert smtp_server.messages == []


def test_while_the_smtp_server_is_down_the_message_waits_and_is_later_sent_exactly_once(
    app, app_context, monkeypatch
):
    port = free_port()  # nothing listens here yet
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setitem(app.config, "MAIL_SECURITY", "none")
    an_hour_ago = utcnow() - timedelta(hours=1)
    queued = queue_password_changed()
    queued.created_at = queued.next_attempt_at = an_hour_ago
    db.session.commit()

    assert deliver_due_messages(now=an_hour_ago) == DeliveryReport(sent=0, failed=1)
    db.session.refresh(queued)
    assert queued.sent_at is None and queued.claimed_until is None
    assert queued.attempts == 1
    assert queued.last_error.startswith("ConnectionRefusedError")
    assert queued.next_attempt_at == an_hour_ago + timedelta(minutes=1)
    # Not due again until the delay has passed.
    assert deliver_due_messages(now=an_hour_ago) == DeliveryReport(sent=0, failed=0)

    server = LoopbackSMTPServer(port).start()
    try:
        cron = app.test_cli_runner()
        assert cron.invoke(args=["mail", "send"]).output == "Sent 1, failed 0.\n"
        assert cron.invoke(args=["mail", "send"]).output == "Sent 0, failed 0.\n"
    finally:
        server.stop()
    assert [message["Subject"] for message in server.messages] == [SUBJECT]
    db.session.refresh(queued)
    assert queued.sent_at is not None and queued.last_error is None


def test_only_one_of_two_senders_can_claim_a_message(app, app_context):
    queued = queue_password_changed()
    now = utcnow()

    assert claim_for_sending(queued.id, now) is True
    assert claim_for_sending(queued.id, now) is False
    assert deliver_due_messages(now=now) == DeliveryReport(sent=0, failed=0)  # held, so skipped


def test_a_claim_lapses_when_its_sender_died_but_a_sent_message_is_never_claimed_again(
    app, app_context
):
    queued = queue_password_changed()
    now = utcnow()
    assert claim_for_sending(queued.id, now) is True

    assert claim_for_sending(queued.id, now + timedelta(minutes=6)) is True
    queued.sent_at = now
    db.session.commit()
    assert claim_for_sending(queued.id, now + timedelta(minutes=20)) is False


def test_retries_wait_a_minute_then_twice_as_long_each_time_but_never_over_six_hours():
    assert [retry_delay(attempts) for attempts in (1, 2, 3, 4)] == [
        timedelta(minutes=minutes) for minutes in (1, 2, 4, 8)
    ]
    assert retry_delay(9) == timedelta(minutes=256)
    assert retry_delay(10) == timedelta(hours=6)  # not 512 minutes
    assert retry_delay(10_000) == timedelta(hours=6)


def test_without_an_smtp_server_each_message_is_written_as_an_eml_file_and_shown(
    app, app_context, tmp_path, monkeypatch, capsys
):
    folder = tmp_path / "outbox"  # created when needed
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    monkeypatch.setitem(app.config, "MAIL_OUTBOX_DIR", str(folder))
    queued = queue_password_changed()

    assert deliver_due_messages() == DeliveryReport(sent=1, failed=0)

    [path] = list(Path(folder).glob("*.eml"))
    assert path.name == f"{queued.created_at:%Y%m%d-%H%M%S}-{queued.id}.eml"
    assert path.read_bytes() == queued.message
    parsed = message_from_bytes(path.read_bytes(), policy=default)
    assert parsed["To"] == "robin@example.org" and parsed["Subject"] == SUBJECT
    assert "Hello Robin" in parsed.get_body(preferencelist=("plain",)).get_content()
    shown = capsys.readouterr().err
    assert "robin@example.org" in shown and SUBJECT in shown and str(path) in shown
    assert "Hello Robin" in shown
    assert db.session.scalar(sa.select(OutboxMessage.sent_at)) is not None


def test_a_server_that_cannot_encrypt_is_not_sent_the_message_in_the_clear(
    app, app_context, smtp_server, monkeypatch
):
    monkeypatch.setitem(app.config, "MAIL_SECURITY", "starttls")  # the loopback server has no TLS
    queued = queue_password_changed()

    assert deliver_due_messages() == DeliveryReport(sent=0, failed=1)
    assert smtp_server.messages == []
    db.session.refresh(queued)
    assert "STARTTLS" in queued.last_error
