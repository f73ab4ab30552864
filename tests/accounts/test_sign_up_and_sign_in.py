"""Signing up, confirming the address, signing in and out, and where sign-in sends people."""

import re

import pytest
import sqlalchemy as sa

from groups.accounts import logic
from groups.accounts.models import User
from groups.extensions import db
from tests.support import PASSWORD, login_as

NEW_PASSWORD = "a brand new long password"


def link_in(message, path: str) -> str:
    """The first link to ``path`` in the plain-text part of an email."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"https?://\S*" + re.escape(path) + r"\S*", text)
    assert match, f"no {path} link in: {text}"
    return match.group(0)


def local(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def sign_up(client, email="new.person@example.org", password=PASSWORD, name="Robin"):
    return client.post(
        "/sign-up", data={"email": email, "password": password, "display_name": name}
    )


def sign_in(client, email, password=PASSWORD, **extra):
    return client.post("/sign-in", data={"email": email, "password": password, **extra})


def test_sign_up_sends_a_confirmation_link_with_text_and_html_parts(
    app_context, client, smtp_server
):
    response = sign_up(client, email="New.Person@Example.org")
    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)
    user = db.session.scalar(sa.select(User))
    assert user.email == "new.person@example.org" and not user.is_verified

    [message] = smtp_server.messages  # delivered right after the request
    assert message["To"] == "new.person@example.org"
    assert message.get_body(preferencelist=("plain",)) is not None
    html = message.get_body(preferencelist=("html",)).get_content()
    link = link_in(message, "/confirm-email/")
    assert link in html

    assert client.get(local(link)).status_code == 302
    db.session.refresh(user)
    assert user.is_verified


def test_sign_up_form_says_the_display_name_may_be_a_pseudonym(client):
    assert "made-up name is fine" in client.get("/sign-up").get_data(as_text=True)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "not-an-email"}, "Enter an email address"),
        ({"password": "short"}, "Use 10 to 200 characters"),
        ({"display_name": "   "}, "This field is required"),
        ({"display_name": "x" * 81}, "Use up to 80 characters"),
    ],
)
def test_bad_sign_up_shows_the_error_keeps_the_values_and_creates_nothing(
    app_context, client, fields, message
):
    data = {"email": "robin@example.org", "password": PASSWORD, "display_name": "Robin", **fields}
    page = client.post("/sign-up", data=data).get_data(as_text=True)
    assert message in page
    if "@" in data["email"]:
        assert 'value="robin@example.org"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_confirmation_link_tampered_or_expired_is_refused(
    app_context, client, smtp_server, monkeypatch
):
    sign_up(client)
    link = local(link_in(smtp_server.messages[0], "/confirm-email/"))
    tampered = client.get(link[:-3] + "abc")
    assert tampered.status_code == 400 and "not valid" in tampered.get_data(as_text=True)
    monkeypatch.setattr(logic, "VERIFY_MAX_AGE", -1)
    expired = client.get(link)
    assert expired.status_code == 400 and "expired" in expired.get_data(as_text=True)
    assert not db.session.scalar(sa.select(User)).is_verified


def test_an_unconfirmed_account_cannot_sign_in_and_gets_a_new_link(
    app_context, client, smtp_server
):
    sign_up(client)
    response = sign_in(client, "new.person@example.org")
    assert "confirm your email address first" in response.get_data(as_text=True)
    assert len(smtp_server.messages) == 2
    assert client.get("/settings").status_code == 302  # still signed out


def test_sign_in_with_remember_me_sets_a_remember_cookie(world, client):
    response = sign_in(client, world["member"].email, remember="y")
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    remember = next(c for c in cookies if c.startswith("remember_token="))
    assert "HttpOnly" in remember and "SameSite=Lax" in remember


def test_wrong_password_says_so_without_saying_which_part(world, client):
    page = sign_in(client, world["member"].email, "wrong password!").get_data(as_text=True)
    assert "don&#39;t match" in page or "don't match" in page


def test_sign_in_clears_and_renews_the_session(world, client):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    sign_in(client, world["member"].email)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == world["member"].get_id()


@pytest.mark.parametrize(
    "target",
    ["https://evil.example", "//evil.example", "/\\evil.example", "\\\\evil.example",
     "javascript:alert(1)", "/ok\r\nLocation: https://evil.example", "http:/evil.example"],
)  # fmt: skip
def test_next_after_sign_in_refuses_anything_but_a_local_path(world, client, target):
    response = sign_in(client, world["member"].email, next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_after_sign_in_returns_to_a_local_page(world, client):
    response = sign_in(client, world["member"].email, next="/groups/tuesday-circle?x=1")
    assert response.headers["Location"] == "/groups/tuesday-circle?x=1"


def test_the_sign_in_page_carries_next_through_the_form(client):
    page = client.get("/sign-in?next=/groups/tuesday-circle").get_data(as_text=True)
    assert 'value="/groups/tuesday-circle"' in page


def test_signing_out_ends_the_session_on_the_server_too(app, world):
    client = app.test_client()
    sign_in(client, world["member"].email, remember="y")
    saved = {cookie.key: cookie.value for cookie in client._cookies.values()}
    assert client.get("/settings").status_code == 200
    client.post("/sign-out")
    assert client.get("/settings").status_code == 302

    replay = app.test_client()
    for key, value in saved.items():
        replay.set_cookie(key, value)
    assert replay.get("/settings").status_code == 302  # the copied cookies no longer work


def test_a_remember_me_cookie_alone_stops_working_after_sign_out(app, world):
    client = app.test_client()
    sign_in(client, world["member"].email, remember="y")
    remember = client.get_cookie("remember_token").value
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember)
    assert fresh.get("/settings").status_code == 200  # it works before sign-out
    client.post("/sign-out")
    stale = app.test_client()
    stale.set_cookie("remember_token", remember)
    assert stale.get("/settings").status_code == 302


@pytest.mark.parametrize(
    "path", ["/settings", "/settings/email", "/settings/password", "/settings/delete",
             "/settings/my-data.json"],
)  # fmt: skip
def test_settings_pages_send_anonymous_visitors_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_signed_in_member_sees_their_settings(world, client):
    login_as(client, world["member"])
    assert "Your settings" in client.get("/settings").get_data(as_text=True)


def test_with_the_mail_server_down_sign_up_still_works_and_the_email_is_sent_later(
    app, app_context, client
):
    from groups.mail.models import OutboxMessage
    from tests.smtp_server import LoopbackSMTPServer, free_port

    port = free_port()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_SECURITY="none", MAIL_TIMEOUT=2)
    try:
        response = sign_up(client)
        assert response.status_code == 200 and "Check your email" in response.get_data(as_text=True)
        queued = db.session.scalar(sa.select(OutboxMessage))
        assert queued.sent_at is None and queued.attempts == 1  # tried right after the request

        server = LoopbackSMTPServer(port).start()
        try:
            queued.next_attempt_at = queued.created_at  # the retry delay has passed
            db.session.commit()
            runner = app.test_cli_runner()
            assert "Sent 1, failed 0." in runner.invoke(args=["mail", "send"]).output
            assert "Sent 0, failed 0." in runner.invoke(args=["mail", "send"]).output
        finally:
            server.stop()
        [message] = server.messages
        assert "/confirm-email/" in message.get_body(preferencelist=("plain",)).get_content()
    finally:
        app.config.update(MAIL_SERVER="", MAIL_TIMEOUT=10)
