"""The attendance roster of one meeting: who is expected, who came, and saving the door's marks.

Rules (plain functions; the view owns the transaction):
- Attendance can be taken from 30 minutes before a meeting starts until the organisation's
  correction window (``attendance_correction_days`` after the start) closes; never for a
  cancelled meeting.
- A save carries the whole state (absolute, never increments): saving the same marks twice
  changes nothing and audits nothing.
- Members who asked to be counted anonymously at a group appear as "1 member (counted
  anonymously)", keyed by an opaque value instead of their user id; their rows have
  ``anonymous=True``.
- A person who had cancelled and is marked as having come is recorded as present (they came);
  marked as not coming they are not recorded as absent (they gave notice).
- ``first_time``: the person's earliest PRESENT meeting with this group, kept right for every
  row of the people whose marks changed.
"""

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from groups.accounts.models import User
from groups.attendance.models import (
    AnonymousCounting,
    Attendance,
    AttendanceStatus,
    MeetingHeadcount,
)
from groups.attendance.walk_ins import eligible_walk_ins
from groups.audit.logic import record_event
from groups.extensions import db
from groups.rsvps.logic import MAX_COMPANIONS
from groups.rsvps.models import RSVP, RSVPStatus
from groups.schedules.display import in_zone
from groups.schedules.models import Meeting

OPENS_BEFORE_START = timedelta(minutes=30)
MAX_WALK_INS = 500
NOTE_MAX_LENGTH = 2000
ANONYMOUS_LABEL = "1 member (counted anonymously)"
ANONYMOUS_KEY_PREFIX = "anonymous-"


class RosterError(ValueError):
    """A save that can't be done; the message says why and what to do."""


@dataclass(frozen=True)
class Mark:
    status: AttendanceStatus
    companions: int = 0


@dataclass
class RosterEntry:
    key: str  # the form's key: the user id, or an opaque value for anonymous members
    user_id: int
    display_name: str | None  # None: counted anonymously, never named
    rsvp_status: RSVPStatus | None  # None: a walk-in without an RSVP
    companions: int  # as recorded, else as the RSVP said
    status: AttendanceStatus | None  # as recorded; None: not marked yet
    first_time: bool  # as recorded; for people not marked yet: would be
    added: bool = False  # a walk-in just added from the search, not saved yet

    @property
    def is_anonymous(self) -> bool:
        return self.display_name is None

    @property
    def label(self) -> str:
        return ANONYMOUS_LABEL if self.is_anonymous else self.display_name

    @property
    def had_cancelled(self) -> bool:
        return self.rsvp_status is RSVPStatus.CANCELLED


@dataclass
class Roster:
    meeting: Meeting
    named: list[RosterEntry]
    anonymous: list[RosterEntry]
    walk_ins: int
    note: str | None
    unnamed_present: int  # rows whose names were removed (account deleted, retention)

    @property
    def entries(self) -> list[RosterEntry]:
        return self.named + self.anonymous

    @property
    def present_count(self) -> int:
        marked = [entry for entry in self.entries if entry.status is AttendanceStatus.PRESENT]
        return len(marked) + self.unnamed_present + self.walk_ins


@dataclass
class RosterSaved:
    changes: list[dict] = field(default_factory=list)  # as audited: user, from, to
    walk_ins: dict | None = None  # {"from": n, "to": m} when it changed
    note_changed: bool = False
    notices: list[str] = field(default_factory=list)  # e.g. someone who had cancelled came

    @property
    def changed(self) -> bool:
        return bool(self.changes or self.walk_ins or self.note_changed)


# --- When attendance can be taken -----------------------------------------------------------


def correction_closes_at(meeting: Meeting) -> datetime:
    days = meeting.group.organisation.attendance_correction_days
    return meeting.starts_at + timedelta(days=days)


def recording_problem(meeting: Meeting, now: datetime) -> str | None:
    """Why attendance for ``meeting`` can't be saved at ``now``, or None when it can."""
    if meeting.is_cancelled:
        return "This meeting was cancelled, so there is no attendance to take."
    opens = meeting.starts_at - OPENS_BEFORE_START
    if now < opens:
        local = in_zone(opens, meeting.timezone)
        return (
            "This meeting hasn't started yet. You can take attendance from 30 minutes before "
            f"it starts: from {local:%H:%M} on {local:%A} {local.day} {local:%B}."
        )
    if now > correction_closes_at(meeting):
        days = meeting.group.organisation.attendance_correction_days
        return (
            f"Attendance can only be changed for {days} days after a meeting, so this meeting's "
            "attendance can't be changed any more. Nothing was saved."
        )
    return None


# --- Reading the roster ---------------------------------------------------------------------


def anonymous_key(meeting_id: int, user_id: int) -> str:
    """An opaque form key for a member counted anonymously: stable for the meeting, and it
    says nothing about who they are."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    message = f"anonymous-counting:{meeting_id}:{user_id}".encode()
    return ANONYMOUS_KEY_PREFIX + hmac.new(secret, message, hashlib.sha256).hexdigest()[:24]


def anonymous_member_ids(group_id: int, user_ids: Iterable[int]) -> set[int]:
    """Which of ``user_ids`` asked to be counted anonymously at the group."""
    user_ids = set(user_ids)
    if not user_ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(AnonymousCounting.user_id).where(
                AnonymousCounting.group_id == group_id, AnonymousCounting.user_id.in_(user_ids)
            )
        )
    )


def _came_before(meeting: Meeting, user_ids: Iterable[int]) -> set[int]:
    """Who of ``user_ids`` came to an earlier meeting of the same group."""
    user_ids = set(user_ids)
    if not user_ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(Attendance.user_id)
            .join(Attendance.meeting)
            .where(
                Meeting.group_id == meeting.group_id,
                Meeting.starts_at < meeting.starts_at,
                Attendance.status == AttendanceStatus.PRESENT,
                Attendance.user_id.in_(user_ids),
            )
            .distinct()
        )
    )


def roster_for(meeting: Meeting, added_user_ids: Iterable[int] = ()) -> Roster:
    """Everyone going or waitlisted, everyone already recorded, and walk-ins just added (only
    those allowed), in a fixed few queries. Names sorted; anonymous members last, unnamed."""
    rsvps = db.session.scalars(
        sa.select(RSVP).where(RSVP.meeting_id == meeting.id).options(joinedload(RSVP.user))
    ).all()
    rows = db.session.scalars(
        sa.select(Attendance)
        .where(Attendance.meeting_id == meeting.id)
        .options(joinedload(Attendance.user))
    ).all()
    headcount = db.session.get(MeetingHeadcount, meeting.id)

    rsvp_by_user = {rsvp.user_id: rsvp for rsvp in rsvps}
    row_by_user = {row.user_id: row for row in rows if row.user_id is not None}
    people: dict[int, User] = {row.user_id: row.user for row in rows if row.user is not None}
    people.update(
        (rsvp.user_id, rsvp.user)
        for rsvp in rsvps
        if rsvp.status is not RSVPStatus.CANCELLED and rsvp.user is not None  # None: purged
    )
    added_ids = set(added_user_ids) - set(people)
    added = {user.id: user for user in eligible_walk_ins(meeting, added_ids)}
    people.update(added)

    anonymous_ids = anonymous_member_ids(meeting.group_id, people) | {
        row.user_id for row in rows if row.anonymous and row.user_id is not None
    }
    came_before = _came_before(meeting, set(people) - set(row_by_user))
    named, anonymous = [], []
    for user_id, user in people.items():
        rsvp, row = rsvp_by_user.get(user_id), row_by_user.get(user_id)
        is_anonymous = user_id in anonymous_ids
        entry = RosterEntry(
            key=anonymous_key(meeting.id, user_id) if is_anonymous else str(user_id),
            user_id=user_id,
            display_name=None if is_anonymous else user.display_name,
            rsvp_status=rsvp.status if rsvp else None,
            companions=row.companions if row else (rsvp.companions if rsvp else 0),
            status=row.status if row else None,
            first_time=row.first_time if row else user_id not in came_before,
            added=user_id in added,
        )
        (anonymous if is_anonymous else named).append(entry)
    named.sort(key=lambda entry: (entry.display_name.casefold(), entry.user_id))
    anonymous.sort(key=lambda entry: entry.key)  # stable, and not in the order people joined
    return Roster(
        meeting=meeting,
        named=named,
        anonymous=anonymous,
        walk_ins=headcount.walk_ins if headcount else 0,
        note=headcount.note if headcount else None,
        unnamed_present=sum(
            1 for row in rows if row.user_id is None and row.status is AttendanceStatus.PRESENT
        ),
    )


# --- Saving ---------------------------------------------------------------------------------


def _entries_for(meeting: Meeting, marks: Mapping[str, Mark]) -> dict[str, RosterEntry]:
    """The roster entry for every marked key, walk-ins (keyed by user id) included. Refuses the
    whole save if any key is not someone this meeting may record (a tampered or old form)."""
    walk_in_ids = {int(key) for key in marks if key.isdigit() and len(key) < 12}
    by_key = {entry.key: entry for entry in roster_for(meeting, walk_in_ids).entries}
    if any(key not in by_key for key in marks):
        raise RosterError(
            "Someone on the form isn't on this meeting's list, so nothing was saved. "
            "Reload the page and mark again."
        )
    return {key: by_key[key] for key in marks}


def _check_values(marks: Mapping[str, Mark], walk_ins: int, note: str | None) -> None:
    if walk_ins < 0:
        raise RosterError("The number of walk-ins can't be below 0. Nothing was saved.")
    if walk_ins > MAX_WALK_INS:
        raise RosterError(f"The number of walk-ins can be at most {MAX_WALK_INS}.")
    if note is not None and len(note) > NOTE_MAX_LENGTH:
        raise RosterError(f"The note can be at most {NOTE_MAX_LENGTH} characters.")
    for mark in marks.values():
        if not isinstance(mark.status, AttendanceStatus):
            raise RosterError("Mark each person as came or didn't come.")
        if not 0 <= mark.companions <= MAX_COMPANIONS:
            raise RosterError(f"Companions can be 0 to {MAX_COMPANIONS}.")


def _refresh_first_time(group_id: int, user_ids: set[int]) -> None:
    """Each of these people's rows at the group: first_time only on their earliest PRESENT
    meeting (a correction to an earlier meeting moves it)."""
    if not user_ids:
        return
    db.session.flush()
    rows = db.session.execute(
        sa.select(Attendance, Meeting.starts_at)
        .join(Attendance.meeting)
        .where(Meeting.group_id == group_id, Attendance.user_id.in_(user_ids))
        .order_by(Meeting.starts_at, Meeting.id)
    ).all()
    first_seen: set[int] = set()
    for row, _starts_at in rows:
        first = row.status is AttendanceStatus.PRESENT and row.user_id not in first_seen
        if first:
            first_seen.add(row.user_id)
        if row.first_time != first:
            row.first_time = first


def save_roster(
    meeting: Meeting,
    actor: User,
    marks: Mapping[str, Mark],
    walk_ins: int,
    note: str | None,
    now: datetime,
) -> RosterSaved:
    """Make the meeting's attendance what the form says (absolute state): one row per marked
    person, the walk-in count and the note. Audits what changed; raises RosterError, having
    changed nothing, when the meeting can't be recorded now or the form is wrong."""
    problem = recording_problem(meeting, now)
    if problem:
        raise RosterError(problem)
    note = (note or "").strip() or None
    _check_values(marks, walk_ins, note)
    entries = _entries_for(meeting, marks)
    rows = {
        row.user_id: row
        for row in db.session.scalars(
            sa.select(Attendance).where(
                Attendance.meeting_id == meeting.id, Attendance.user_id.is_not(None)
            )
        )
    }
    saved = RosterSaved()
    changed_people: set[int] = set()
    for key, mark in marks.items():
        entry = entries[key]
        row = rows.get(entry.user_id)
        companions = mark.companions if mark.status is AttendanceStatus.PRESENT else 0
        if row is None and entry.had_cancelled:
            if mark.status is AttendanceStatus.ABSENT:
                saved.notices.append(
                    f"{entry.label} had cancelled, so they are not recorded as missing."
                )
                continue
            saved.notices.append(f"{entry.label} had cancelled, but came: recorded as came.")
        if row is not None and (row.status, row.companions) == (mark.status, companions):
            continue
        change = {
            "user": "anonymous" if entry.is_anonymous else entry.user_id,
            "from": row.status.value if row else None,
            "to": mark.status.value,
        }
        if row is None:
            row = Attendance(meeting_id=meeting.id, user_id=entry.user_id)
            db.session.add(row)
            rows[entry.user_id] = row
        elif row.companions != companions:
            change["companions"] = {"from": row.companions, "to": companions}
        row.status, row.companions = mark.status, companions
        row.anonymous = entry.is_anonymous
        row.recorded_by_id, row.recorded_at = actor.id, now
        saved.changes.append(change)
        changed_people.add(entry.user_id)
    _refresh_first_time(meeting.group_id, changed_people)

    headcount = db.session.get(MeetingHeadcount, meeting.id)
    old_walk_ins, old_note = (headcount.walk_ins, headcount.note) if headcount else (0, None)
    if (walk_ins, note) != (old_walk_ins, old_note):
        if headcount is None:
            headcount = MeetingHeadcount(meeting_id=meeting.id)
            db.session.add(headcount)
        headcount.walk_ins, headcount.note = walk_ins, note
        headcount.recorded_by_id, headcount.recorded_at = actor.id, now
        if walk_ins != old_walk_ins:
            saved.walk_ins = {"from": old_walk_ins, "to": walk_ins}
        saved.note_changed = note != old_note

    if saved.changed:
        detail = {"changes": saved.changes}
        if saved.walk_ins:
            detail["walk_ins"] = saved.walk_ins
        if saved.note_changed:
            detail["note_changed"] = True  # the note's words stay out of the audit log
        record_event(
            actor, "attendance.changed", meeting,
            organisation_id=meeting.group.organisation_id, **detail,
        )  # fmt: skip
    return saved
