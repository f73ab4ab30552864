"""The site admins' outbox page: what waits to be sent, why, and a button to try again."""

from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from groups.extensions import db
from groups.mail.models import OutboxMessage
from groups.mail.outbox import queue_email
from tests.support import QueryCounter, login_as


def waiting_message(now, number: int = 1) -> OutboxMessage:
    queued = queue_email(
        f"person{number}@example.org", "Your Circles password was changed", "password_changed",
        user=SimpleNamespace(display_name="Robin"),
    )  # fmt: skip
    queued.attempts = 2
    queued.next_attempt_at = now + timedelta(hours=3)
    queued.last_error = "ConnectionRefusedError: [Errno 111] Connection refused"
    db.session.commit()
    return queued


def test_site_admin_sees_the_waiting_messages_and_why_they_wait(app, world, client, now):
    waiting_message(now)
    login_as(client, world["site_admin"])

    response = client.get("/admin/outbox")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<th scope="row">person1@example.org</th>' in page
    assert "Connection refused" in page and "Retry now" in page
    assert "0 message(s) sent in the last 24 hours" in page


def test_the_outbox_page_needs_the_same_few_queries_for_many_messages(app, world, client, now):
    login_as(client, world["site_admin"])
    waiting_message(now)
    with QueryCounter(db.engine) as one:
        client.get("/admin/outbox")
    for number in range(2, 12):
        waiting_message(now, number)
    with QueryCounter(db.engine) as eleven:
        client.get("/admin/outbox")
    assert eleven.count == one.count


def test_retry_now_sends_a_waiting_message_at_once(app, world, client, now, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_OUTBOX_DIR", str(tmp_path))  # no MAIL_SERVER in tests
    queued = waiting_message(now)
    login_as(client, world["site_admin"])

    response = client.post(f"/admin/outbox/{queued.id}/retry")

    assert response.status_code == 302 and response.location == "/admin/outbox"
    db.session.refresh(queued)
    assert queued.sent_at is not None
    assert len(list(Path(tmp_path).glob("*.eml"))) == 1


def test_the_outbox_is_for_site_admins_only(app, world, client, now):
    queued = waiting_message(now)

    anonymous = client.get("/admin/outbox")
    assert anonymous.status_code == 302 and anonymous.location.startswith("/sign-in")
    for role in ("member", "admin", "staff", "facilitator"):
        login_as(client, world[role])
        assert client.get("/admin/outbox").status_code == 403
        assert client.post(f"/admin/outbox/{queued.id}/retry").status_code == 403
    db.session.refresh(queued)
    assert queued.next_attempt_at == now + timedelta(hours=3)


def test_retry_now_without_the_form_token_is_refused(app, world, client, now, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    queued = waiting_message(now)
    login_as(client, world["site_admin"])

    assert client.post(f"/admin/outbox/{queued.id}/retry").status_code == 400
    db.session.refresh(queued)
    assert queued.next_attempt_at == now + timedelta(hours=3)
