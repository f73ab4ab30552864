"""Pages and feeds kept in each process, and the rule that says when a kept copy is stale.

The rule: a copy is used only while the site's *content generation* is the one it was built
under, and for at most ``CONTENT_CACHE_MAX_AGE_SECONDS`` (pages say what is upcoming, which moves
with the clock). The generation is one row, ``content_generation``, given a new random value in
the same transaction as any change to a table that pages or feeds show: every ORM flush and every
INSERT, UPDATE or DELETE run through the session is checked (tables nothing public shows, such as
the outbox, the audit log and attendance, are left out).

Each process reads the row at most once every ``CONTENT_CACHE_RECHECK_SECONDS``: its own changes
show at once (a commit makes it read again), another process's within that many seconds. The
feeds already tell calendar apps and proxies they may keep a copy for 15 minutes.

What is kept is only what is the same for everyone who may see it: public feeds, a personal feed
by its secret address, and the finder's pages for a visitor who is not signed in and has no
message waiting. Copies live in memory, bounded by ``CONTENT_CACHE_MAX_BYTES``, least recently
used first out.
"""

import secrets
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from itertools import chain
from threading import Lock
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context, request, session
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from groups.content_cache.models import GENERATION_ROW, ContentGeneration
from groups.extensions import db

# Tables whose rows no public page or feed shows: changing them leaves every kept copy right.
UNSHOWN_TABLES = frozenset(
    {
        "content_generation",
        "outbox_message",
        "audit_event",
        "attendance",
        "meeting_headcount",
        "anonymous_counting",
    }
)
_CHANGED = "circles_content_changed"  # session.info: this transaction changed shown rows
_NEW_GENERATION = "circles_new_generation"  # session.info: and its commit gave a new generation
_NOT_READ = object()


def _shows(table: Any) -> bool:
    # A statement whose table can't be told (None) counts as a change: better rebuilt than stale.
    return getattr(table, "name", None) not in UNSHOWN_TABLES


@event.listens_for(Session, "after_flush")
def _note_flushed_changes(session: Session, _context) -> None:
    # After a flush the session still lists what it flushed as new, dirty and deleted.
    for instance in chain(session.new, session.deleted, session.dirty):
        if _shows(getattr(instance, "__table__", None)):
            session.info[_CHANGED] = True
            return


@event.listens_for(Session, "do_orm_execute")
def _note_statement_changes(state: ORMExecuteState) -> None:
    changes = state.is_insert or state.is_update or state.is_delete
    if changes and _shows(getattr(state.statement, "table", None)):
        state.session.info[_CHANGED] = True


@event.listens_for(Session, "before_commit")
def _give_new_generation(session: Session) -> None:
    session.flush()  # the commit flushes after this event: flush first, to see every change
    if not session.info.pop(_CHANGED, False):
        return
    value = secrets.token_hex(16)
    table = ContentGeneration.__table__
    updated = session.execute(
        table.update().where(table.c.id == GENERATION_ROW).values(value=value)
    )
    if updated.rowcount == 0:  # an emptied database (the migration adds the row)
        session.execute(table.insert().values(id=GENERATION_ROW, value=value))
    session.info[_NEW_GENERATION] = True


@event.listens_for(Session, "after_commit")
def _read_generation_again(session: Session) -> None:
    if session.info.pop(_NEW_GENERATION, False) and has_app_context():
        cache = current_app.extensions.get("content_cache")
        if cache is not None:
            cache.forget_generation()


@event.listens_for(Session, "after_rollback")
def _drop_notes(session: Session) -> None:
    session.info.pop(_CHANGED, None)
    session.info.pop(_NEW_GENERATION, None)


@dataclass
class _Kept:
    generation: str | None
    built_at: float
    size: int
    value: Any


class ContentCache:
    """Copies by key, each valid while the content generation is the one it was built under."""

    def __init__(self, app: Flask) -> None:
        self._config = app.config
        self._lock = Lock()
        self._kept: OrderedDict[Hashable, _Kept] = OrderedDict()
        self._bytes = 0
        self._generation: Any = _NOT_READ
        self._read_at = 0.0

    def generation(self) -> str | None:
        """The content generation, read from the database at most once per recheck interval."""
        now = time.monotonic()
        recheck = self._config["CONTENT_CACHE_RECHECK_SECONDS"]
        if self._generation is not _NOT_READ and now - self._read_at < recheck:
            return self._generation
        value = db.session.scalar(
            sa.select(ContentGeneration.value).where(ContentGeneration.id == GENERATION_ROW)
        )
        self._generation, self._read_at = value, now
        return value

    def forget_generation(self) -> None:
        self._generation = _NOT_READ

    def get_or_build(
        self,
        key: Hashable,
        build: Callable[[Any], Any],
        *,
        size: Callable[[Any], int] = len,
        keep: Callable[[Any], bool] = lambda value: value is not None,
    ) -> Any:
        """The copy kept under ``key`` if it is current; otherwise ``build(stale copy or None)``,
        kept when ``keep`` says so (a builder may hand back the stale copy when it is still
        right, which is cheaper than building it again)."""
        generation = self.generation()
        now = time.monotonic()
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
        if kept is not None:
            fresh = now - kept.built_at < self._config["CONTENT_CACHE_MAX_AGE_SECONDS"]
            if fresh and kept.generation == generation:
                return kept.value
        value = build(kept.value if kept is not None else None)
        if keep(value):
            self._keep(key, _Kept(generation, now, size(value), value))
        return value

    def _keep(self, key: Hashable, kept: _Kept) -> None:
        limit = self._config["CONTENT_CACHE_MAX_BYTES"]
        if kept.size > limit:
            return
        with self._lock:
            old = self._kept.pop(key, None)
            if old is not None:
                self._bytes -= old.size
            self._kept[key] = kept
            self._bytes += kept.size
            while self._bytes > limit:
                _key, dropped = self._kept.popitem(last=False)
                self._bytes -= dropped.size

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self._bytes = 0
        self.forget_generation()

    @property
    def kept_bytes(self) -> int:
        return self._bytes


def init_content_cache(app: Flask) -> None:
    app.extensions["content_cache"] = ContentCache(app)


def content_cache() -> ContentCache:
    return current_app.extensions["content_cache"]


def request_key(kind: str, *more: Hashable) -> tuple:
    """A key for what this request's URL shows (its scheme, host, path and query string), read
    straight from the WSGI environment: ``request.url`` would cost more than the kept copy."""
    environ = request.environ
    return (kind, environ.get("wsgi.url_scheme"), request.host, environ.get("SCRIPT_NAME"),
            environ.get("PATH_INFO"), environ.get("QUERY_STRING"), *more)  # fmt: skip


def is_shared_view() -> bool:
    """True when this request sees what every visitor sees: not signed in, no message waiting
    in the session. Only such pages may be kept and handed to the next visitor."""
    return not current_user.is_authenticated and not session.get("_flashes")
