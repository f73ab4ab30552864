"""Helpers the tests share: building users and signing in as them."""

import os
import tempfile
from pathlib import Path

import sqlalchemy as sa
from flask import g, has_app_context
from flask.testing import FlaskClient

from groups import create_app
from groups.accounts.models import User
from groups.extensions import db
from groups.models import utcnow

PASSWORD = "correct horse battery staple"
# Under CI=true nothing may quietly not run: a skip is a failure (tests/conftest.py).
IN_CI = os.environ.get("CI", "").lower() == "true"


def make_user(name: str, **fields) -> User:
    """A user with a confirmed email address ``<name>@example.org`` and the password PASSWORD."""
    fields.setdefault("email_verified_at", utcnow())
    user = User(email=f"{name.lower()}@example.org", display_name=name, **fields)
    user.set_password(PASSWORD)
    db.session.add(user)
    return user


def login_as(client, user: User) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


class ClosingClient(FlaskClient):
    """A test client that closes each response as a real server does, so work registered with
    ``response.call_on_close`` (mail delivery after a request) runs before the test goes on."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        if has_app_context():
            # A request inside a test's app context shares its `g`; a real request starts with
            # an empty one (Flask-Login caches the signed-in user there).
            g.__dict__.clear()
        return super().open(*args, **kwargs)


def make_app(database_url: str):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,  # tests about CSRF switch it back on
            "MAIL_SERVER": "",
            "MAIL_OUTBOX_DIR": str(Path(tempfile.mkdtemp(prefix="circles-outbox-"))),
        }
    )
    app.test_client_class = ClosingClient
    return app


class QueryCounter:
    """Counts the SQL statements run while it is active: `with QueryCounter(db.engine) as q:`."""

    def __init__(self, engine):
        self.engine = engine
        self.count = 0

    def _count(self, *_args, **_kwargs) -> None:
        self.count += 1

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *_exc) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._count)


# People who must not get into another organisation's or group's management pages.
OUTSIDERS = ("anonymous", "member", "other_staff", "other_facilitator")


def status_for(client, world, role: str, method: str, path: str, data=None) -> int:
    """The status ``role`` gets for one request (a fresh session each time)."""
    client.delete_cookie("session")
    client.delete_cookie("remember_token")
    if role != "anonymous":
        login_as(client, world[role])
    return client.open(path, method=method, data=data or {}).status_code


def access_statuses(client, world, method: str, path: str, roles=OUTSIDERS, data=None) -> dict:
    """{role: status} for each role, for an authorization-matrix assertion."""
    return {role: status_for(client, world, role, method, path, data) for role in roles}
