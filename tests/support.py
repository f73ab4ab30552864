"""Helpers the tests share: building users and signing in as them."""

import sqlalchemy as sa

from groups import create_app
from groups.accounts.models import User
from groups.extensions import db

PASSWORD = "correct horse battery staple"


def make_user(name: str, **fields) -> User:
    user = User(email=f"{name.lower()}@example.org", display_name=name, **fields)
    user.set_password(PASSWORD)
    db.session.add(user)
    return user


def login_as(client, user: User) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True


def make_app(database_url: str):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,  # tests about CSRF switch it back on
        }
    )


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
