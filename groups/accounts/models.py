from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, validates
from werkzeug.security import check_password_hash, generate_password_hash

from groups.extensions import db
from groups.models import CreatedAtMixin, UTCDateTime


def normalise_email(email: str) -> str:
    """Emails are unique case-insensitively: we keep them trimmed and lower-cased."""
    return email.strip().lower()


class User(UserMixin, CreatedAtMixin, db.Model):
    __tablename__ = "user"
    __table_args__ = (
        sa.CheckConstraint("email = lower(email)", name="email_lower_case"),
        sa.CheckConstraint("length(display_name) > 0", name="display_name_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    # A first name or a pseudonym: all other members ever see of a person.
    display_name: Mapped[str] = mapped_column(sa.String(80))
    is_site_admin: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Part of the id kept in session and remember-me cookies: bumping it ends every session.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    email_reminders: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # Calendar feeds and .ics files say "Tuesday meeting", never the group's name.
    discreet_calendar: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    @validates("email")
    def _normalise_email(self, _key, value: str) -> str:
        return normalise_email(value)

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def end_all_sessions(self) -> None:
        """Every session and remember-me cookie issued before this stops working."""
        self.session_version += 1

    def set_password(self, password: str) -> None:
        # Werkzeug's default is scrypt with a random salt: a current, memory-hard algorithm.
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.display_name!r}>"
