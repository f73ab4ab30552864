"""Rate limits and account enumeration."""

import os
import re
import subprocess
import sys
import time as real_time
import uuid
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa

from groups.extensions import db
from groups.mail.models import OutboxMessage
from tests.accounts.test_sign_up_and_sign_in import sign_in
from tests.support import IN_CI, PASSWORD


class ShiftedClock:
    """time.time() as the rate limiter sees it, moved forward on demand."""

    def __init__(self):
        self.offset = 0.0

    def time(self) -> float:
        return real_time.time() + self.offset

    def __getattr__(self, name):
        return getattr(real_time, name)


def test_sixth_wrong_password_in_a_minute_is_refused_then_the_window_passes(
    world, client, monkeypatch
):
    clock = ShiftedClock()
    monkeypatch.setattr("limits.storage.memory.time", clock)
    monkeypatch.setattr("groups.time", clock)
    email = world["member"].email
    for _ in range(5):
        assert sign_in(client, email, "wrong password!").status_code == 200
    refused = sign_in(client, email, "wrong password!")
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "Too many tries" in page and "try again in 1 minute" in page, page[page.find("<main") :]
    assert sign_in(client, email).status_code == 429  # even the right one, until the wait is over

    clock.offset = 61
    assert sign_in(client, email).status_code == 302


def test_the_account_limit_counts_any_spelling_of_the_address(world, client):
    for spelling in ["member@example.org", "MEMBER@example.org", " Member@Example.org "] * 2:
        response = sign_in(client, spelling, "wrong password!")
    assert response.status_code == 429


def test_successful_sign_ins_do_not_use_up_the_limit(world, app):
    for _ in range(8):
        client = app.test_client()
        assert sign_in(client, world["member"].email).status_code == 302


def without_csrf_token(html: str) -> str:
    return re.sub(r'name="csrf_token" type="hidden" value="[^"]*"', "", html)


def test_sign_up_answers_the_same_for_known_and_unknown_addresses(world, client):
    known = client.post(
        "/sign-up", data={"email": world["member"].email, "password": PASSWORD, "display_name": "X"}
    )
    unknown = client.post(
        "/sign-up", data={"email": "nobody@example.org", "password": PASSWORD, "display_name": "X"}
    )
    assert known.status_code == unknown.status_code == 200
    assert without_csrf_token(known.get_data(as_text=True)) == without_csrf_token(
        unknown.get_data(as_text=True)
    )
    # The difference reaches only the inbox: the account holder is told someone tried.
    subjects = db.session.scalars(sa.select(OutboxMessage.subject).order_by(OutboxMessage.id)).all()
    assert subjects == [
        "Someone tried to sign up with your email",
        "Confirm your email address for Circles",
    ]


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(world, client):
    known = client.post("/forgot-password", data={"email": world["member"].email})
    unknown = client.post("/forgot-password", data={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert without_csrf_token(known.get_data(as_text=True)) == without_csrf_token(
        unknown.get_data(as_text=True)
    )


def test_reset_requests_are_limited_per_address(world, client):
    for _ in range(3):
        assert (
            client.post("/forgot-password", data={"email": world["member"].email}).status_code
            == 200
        )
    assert client.post("/forgot-password", data={"email": world["member"].email}).status_code == 429


def test_the_limit_page_sends_retry_after(world, client):
    for _ in range(6):
        response = sign_in(client, world["member"].email, "wrong password!")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0


@pytest.mark.redis
def test_rate_limits_work_with_redis_storage(tmp_path):
    """Production keeps the counters in Redis (RATELIMIT_STORAGE_URI), shared by every worker.
    Run in a child process: the limiter's storage is chosen once per process."""
    redis_url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as error:
        message = f"Redis is not reachable at {redis_url}: {error}"
        pytest.fail(message) if IN_CI else pytest.skip(message)
    # Counters of their own (limiter.reset() would wipe those of another run sharing Redis);
    # they expire within the minute.
    prefix = f"circles-test-{uuid.uuid4().hex}"
    script = f"""
import flask_migrate
from groups import create_app
from groups.extensions import db
from tests.accounts.test_sign_up_and_sign_in import sign_in
from tests.support import make_user
app = create_app({{"TESTING": True, "SECRET_KEY": "x", "WTF_CSRF_ENABLED": False,
                  "SQLALCHEMY_DATABASE_URI": "sqlite:///{tmp_path / "redis.sqlite3"}",
                  "RATELIMIT_STORAGE_URI": "{redis_url}",
                  "RATELIMIT_KEY_PREFIX": "{prefix}"}})
with app.app_context():
    flask_migrate.upgrade()
    user = make_user("Redis")
    db.session.commit()
    client = app.test_client()
    print([sign_in(client, user.email, "wrong password!").status_code for _ in range(6)])
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
        cwd=Path(__file__).parents[2],
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == str([200] * 5 + [429])
