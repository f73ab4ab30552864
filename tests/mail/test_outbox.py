"""The outbox: every message is kept until it is delivered, exactly once."""

from datetime import timedelta
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import sqlalchemy as sa

from groups.extensions import db
from groups.mail.models import OutboxMessage
from groups.mail.outbox import _claim, deliver_due_messages, queue_email
from groups.models import utcnow
from tests.smtp_server import free_port
from tests.support import login_as


def queue_test_message(app, **extra) -> OutboxMessage:
    with app.test_request_context():
        queued = queue_email(
            "robin@example.org", "Your password was changed", "password_changed",
            user=type("Person", (), {"display_name": "Robin"})(), **extra,
        )  # fmt: skip
    db.session.commit()
    return queued


def test_a_queued_message_arrives_with_text_html_and_attachment(app, app_context, smtp_server):
    queue_test_message(app, attachments=[("meeting.ics", "text/calendar", b"BEGIN:VCALENDAR\r\n")])
    assert deliver_due_messages().sent == 1
    [message] = smtp_server.messages
    assert message["To"] == "robin@example.org"
    assert message["From"] == app.config["MAIL_FROM"]
    assert message["Subject"] == "Your password was changed"
    assert "Hello Robin" in message.get_body(preferencelist=("plain",)).get_content()
    assert "<p>Hello Robin,</p>" in message.get_body(preferencelist=("html",)).get_content()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "meeting.ics"
    assert attachment.get_content_type() == "text/calendar"


def test_with_the_server_down_the_message_waits_and_is_later_sent_exactly_once(app, app_context):
    port = free_port()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_SECURITY="none", MAIL_TIMEOUT=2)
    try:
        queued = queue_test_message(app)
        now = utcnow()
        report = deliver_due_messages(now=now)
        assert (report.sent, report.failed) == (0, 1)
        db.session.refresh(queued)
        assert queued.sent_at is None and queued.attempts == 1 and queued.last_error
        assert queued.next_attempt_at > now

        from tests.smtp_server import LoopbackSMTPServer

        server = LoopbackSMTPServer(port).start()
        try:
            # Not due yet: the backoff holds it back.
            assert deliver_due_messages(now=now).sent == 0
            later = now + timedelta(minutes=2)
            assert deliver_due_messages(now=later).sent == 1
            assert deliver_due_messages(now=later + timedelta(hours=1)).sent == 0
            result = app.test_cli_runner().invoke(args=["mail", "send"])
            assert "Sent 0, failed 0." in result.output
        finally:
            server.stop()
        assert len(server.messages) == 1
    finally:
        app.config.update(MAIL_SERVER="", MAIL_TIMEOUT=10)


def test_mail_send_command_delivers_what_is_due(app, app_context, smtp_server):
    queue_test_message(app)
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert "Sent 1, failed 0." in result.output
    assert len(smtp_server.messages) == 1


def test_only_one_sender_can_claim_a_message(app, app_context):
    queued = queue_test_message(app)
    now = utcnow()
    assert _claim(queued.id, now) is True
    assert _claim(queued.id, now) is False
    assert _claim(queued.id, now + timedelta(minutes=6)) is True  # a crashed sender's claim lapses


def test_without_an_smtp_server_messages_are_written_as_eml_files(
    app, app_context, tmp_path, capsys
):
    app.config["MAIL_OUTBOX_DIR"] = str(tmp_path)
    queue_test_message(app)
    assert deliver_due_messages().sent == 1
    [path] = list(Path(tmp_path).glob("*.eml"))
    parsed = message_from_bytes(path.read_bytes(), policy=default)
    assert parsed["Subject"] == "Your password was changed"
    assert "robin@example.org" in capsys.readouterr().err


def test_site_admin_sees_the_outbox_and_can_retry(app, world, client, now):
    queued = queue_test_message(app)
    queued.next_attempt_at = now + timedelta(hours=3)
    queued.last_error = "ConnectionRefusedError: nobody home"
    db.session.commit()
    login_as(client, world["site_admin"])
    page = client.get("/admin/outbox/").get_data(as_text=True)
    assert "robin@example.org" in page and "nobody home" in page
    assert client.post(f"/admin/outbox/{queued.id}/retry").status_code == 302
    db.session.refresh(queued)
    assert queued.next_attempt_at <= now + timedelta(minutes=1)


def test_the_outbox_is_for_site_admins_only(app, world, client):
    queued = queue_test_message(app)
    assert client.get("/admin/outbox/").status_code == 302  # anonymous: sign in first
    for role in ("member", "admin", "staff", "facilitator"):
        login_as(client, world[role])
        assert client.get("/admin/outbox/").status_code == 403
        assert client.post(f"/admin/outbox/{queued.id}/retry").status_code == 403
    assert db.session.scalar(sa.select(OutboxMessage.attempts)) == 0
