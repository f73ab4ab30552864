"""The security baseline every page inherits."""

import sqlalchemy as sa

from groups.extensions import db
from groups.security import render_markdown
from tests.support import PASSWORD, make_app


def test_a_post_without_csrf_token_is_refused(app, client, world):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(
            "/sign-in", data={"email": world["member"].email, "password": PASSWORD}
        )
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert b"CSRF" in response.data
    assert b"<title>" in response.data  # our error page, not a bare server message


def test_sign_out_is_a_post(client):
    assert client.get("/sign-out").status_code == 405


def test_security_headers_are_sent(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_httponly_and_samesite_lax(client, world):
    response = client.post("/sign-in", data={"email": world["member"].email, "password": PASSWORD})
    assert response.status_code == 302
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_script_in_a_group_description_is_not_executed(client, world):
    world["group"].description = (
        "Hello <script>alert('x')</script> **friends** <img src=x onerror=alert(1)> "
        "[click](javascript:alert(1))"
    )
    db.session.commit()
    html = render_markdown(world["group"].description)
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html
    assert "<strong>friends</strong>" in html


def test_markdown_keeps_safe_links():
    html = render_markdown("[Our site](https://example.org)")
    assert 'href="https://example.org"' in html and 'rel="noopener noreferrer nofollow"' in html


def test_error_pages_are_ours(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b"Page not found" in response.data


def test_too_large_a_request_is_refused_with_a_page(app, client):
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/sign-in", data={"email": big, "password": "x"})
    assert response.status_code == 413
    assert b"too large" in response.data


def test_passwords_are_stored_hashed_with_scrypt(world):
    stored = db.session.scalar(sa.select(sa.text("password_hash")).select_from(sa.text('"user"')))
    assert stored.startswith("scrypt:") and PASSWORD not in stored


def test_a_crash_shows_a_kind_500_page(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'crash.sqlite3'}")
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/__boom")
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/__boom")
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.data
