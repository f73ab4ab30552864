"""The secret in a member's personal calendar address.

Rules: the token is 32 random bytes (``secrets.token_urlsafe(32)``, 43 characters) shown to the
member once, when it is made; only its SHA-256 is stored, so a copy of the database can't be used
to read anyone's calendar. A member has at most one working token: making a new one revokes the
old one at once, and revoking leaves none. Looking a token up compares hashes in constant time.
"""

import hashlib
import hmac
import secrets
from datetime import datetime

import sqlalchemy as sa

from groups.accounts.models import User
from groups.extensions import db
from groups.feeds.models import FeedToken

TOKEN_BYTES = 32


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def active_feed_token(user: User) -> FeedToken | None:
    return db.session.scalar(
        sa.select(FeedToken).where(FeedToken.user_id == user.id, FeedToken.revoked_at.is_(None))
    )


def revoke_feed_tokens(user: User, *, now: datetime) -> int:
    """Stop every calendar address of ``user`` from working; returns how many were working."""
    result = db.session.execute(
        sa.update(FeedToken)
        .where(FeedToken.user_id == user.id, FeedToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return result.rowcount or 0


def issue_feed_token(user: User, *, now: datetime) -> str:
    """A new secret for ``user``'s calendar address (the old one stops working). Returns the
    token itself, which is not kept: show it now or never."""
    revoke_feed_tokens(user, now=now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    db.session.add(FeedToken(user_id=user.id, token_hash=hash_token(token), created_at=now))
    return token


def user_for_feed_token(token: str) -> User | None:
    """The member whose working token this is, or None (unknown, revoked, or malformed)."""
    if not token or len(token) > 100:
        return None
    wanted = hash_token(token)
    row = db.session.execute(
        sa.select(FeedToken.token_hash, User)
        .join(User, FeedToken.user_id == User.id)
        .where(FeedToken.token_hash == wanted, FeedToken.revoked_at.is_(None))
    ).first()
    if row is None or not hmac.compare_digest(row[0], wanted):
        return None
    return row[1]
