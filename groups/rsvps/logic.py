"""Who gets a seat. The rules, in one place:

- a meeting's seats are its capacity (the meeting's own, or the group's default; none = no limit);
  each person going takes one seat and each companion or carer one more;
- an RSVP to a meeting that is full joins the waitlist, in the order the requests arrived;
- when seats free up (a cancellation, a smaller party, more capacity), the first waiting member
  whose party fits is promoted, then the next, until nobody else fits;
- RSVPs close when the meeting starts; cancelled meetings take none.

Every change takes the meeting's lock first (``lock_meeting``), so concurrent requests are served
one at a time: no seat is given twice and none is lost. The caller commits.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from groups.accounts.models import User
from groups.extensions import db
from groups.models import utcnow
from groups.rsvps.models import RSVP, RSVPStatus
from groups.schedules.models import Meeting, MeetingStatus

MAX_COMPANIONS = 2


class RSVPError(ValueError):
    """An RSVP that can't be made, with a message for the member."""


@dataclass
class RSVPOutcome:
    rsvp: RSVP
    promoted: list[RSVP]  # others who got a seat because of this change (to be emailed)


def lock_meeting(meeting_id: int) -> Meeting:
    """Load the meeting holding its write lock until the transaction ends.

    PostgreSQL: a row lock (SELECT … FOR UPDATE). SQLite has no row locks and ignores FOR UPDATE:
    a no-op UPDATE as the transaction's first statement takes the database's write lock, and the
    busy timeout makes the others wait their turn.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(sa.update(Meeting).where(Meeting.id == meeting_id).values(id=Meeting.id))
    meeting = db.session.scalar(
        sa.select(Meeting)
        .where(Meeting.id == meeting_id)
        .with_for_update(of=Meeting)
        .execution_options(populate_existing=True)
    )
    if meeting is None:
        raise RSVPError("We couldn't find that meeting.")
    return meeting


def seats_taken(meeting_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(1 + RSVP.companions), 0)).where(
            RSVP.meeting_id == meeting_id, RSVP.status == RSVPStatus.GOING
        )
    )


def _fits(meeting: Meeting, taken: int, party: int) -> bool:
    capacity = meeting.effective_capacity
    return capacity is None or taken + party <= capacity


def check_open(meeting: Meeting, now: datetime) -> None:
    if meeting.status is MeetingStatus.CANCELLED:
        raise RSVPError("This meeting is cancelled, so you can't say you're coming.")
    if meeting.starts_at <= now:
        raise RSVPError("This meeting has already started, so RSVPs are closed.")
    if not meeting.group.rsvp_open:
        raise RSVPError("This group isn't taking RSVPs: just come along.")


def check_companions(companions: int) -> None:
    if not 0 <= companions <= MAX_COMPANIONS:
        raise RSVPError(f"You can bring up to {MAX_COMPANIONS} companions or carers.")


def make_rsvp(meeting_id: int, user: User, *, companions: int, now: datetime) -> RSVPOutcome:
    """Say ``user`` is coming, with ``companions``: a seat if the party fits, else the waitlist."""
    check_companions(companions)
    meeting = lock_meeting(meeting_id)
    check_open(meeting, now)
    rsvp = db.session.scalar(
        sa.select(RSVP).where(RSVP.meeting_id == meeting.id, RSVP.user_id == user.id)
    )
    if rsvp is not None and rsvp.status is not RSVPStatus.CANCELLED:
        raise RSVPError("You have already said you're coming to this meeting.")
    going = _fits(meeting, seats_taken(meeting.id), 1 + companions)
    status = RSVPStatus.GOING if going else RSVPStatus.WAITLISTED
    if rsvp is None:
        rsvp = RSVP(meeting=meeting, user=user)
        db.session.add(rsvp)
    # The time the lock was granted: the waitlist order is the order requests were served.
    rsvp.status, rsvp.companions, rsvp.created_at = status, companions, utcnow()
    db.session.flush()
    return RSVPOutcome(rsvp, [])


def promote_from_waitlist(meeting: Meeting) -> list[RSVP]:
    """Give free seats to waiting members, first come first served, skipping a party too large
    for what is free (the next smaller one may fit). The meeting must be locked."""
    if meeting.status is MeetingStatus.CANCELLED:
        return []
    waiting = db.session.scalars(
        sa.select(RSVP)
        .where(RSVP.meeting_id == meeting.id, RSVP.status == RSVPStatus.WAITLISTED)
        .order_by(RSVP.created_at, RSVP.id)
    ).all()
    taken = seats_taken(meeting.id)
    promoted = []
    for rsvp in waiting:
        if _fits(meeting, taken, rsvp.seats):
            rsvp.status = RSVPStatus.GOING
            taken += rsvp.seats
            promoted.append(rsvp)
    db.session.flush()
    return promoted


def cancel_rsvp(rsvp_id: int, *, now: datetime) -> RSVPOutcome:
    """Cancel an RSVP (any time, no penalty) and promote whoever now fits."""
    rsvp = db.session.get(RSVP, rsvp_id)
    if rsvp is None:
        raise RSVPError("We couldn't find that RSVP.")
    meeting = lock_meeting(rsvp.meeting_id)
    db.session.refresh(rsvp)
    if rsvp.status is RSVPStatus.CANCELLED:
        return RSVPOutcome(rsvp, [])
    rsvp.status = RSVPStatus.CANCELLED
    db.session.flush()
    promoted = promote_from_waitlist(meeting) if meeting.starts_at > now else []
    return RSVPOutcome(rsvp, promoted)


@dataclass(frozen=True)
class Answers:
    """What a meeting's RSVPs add up to: numbers only, never who."""

    people: int = 0  # members going
    seats: int = 0  # members going and their companions
    waiting: int = 0  # members on the waitlist


def answers_for(meeting_ids: list[int]) -> dict[int, Answers]:
    """RSVP totals for many meetings in one query (meetings nobody answered are left out)."""
    if not meeting_ids:
        return {}
    going = RSVP.status == RSVPStatus.GOING
    rows = db.session.execute(
        sa.select(
            RSVP.meeting_id,
            sa.func.count(sa.case((going, 1))),
            sa.func.coalesce(sa.func.sum(sa.case((going, 1 + RSVP.companions), else_=0)), 0),
            sa.func.count(sa.case((RSVP.status == RSVPStatus.WAITLISTED, 1))),
        )
        .where(RSVP.meeting_id.in_(meeting_ids))
        .group_by(RSVP.meeting_id)
    )
    return {meeting_id: Answers(*totals) for meeting_id, *totals in rows}


def spaces_left(meeting: Meeting, answers: Answers | None) -> int | None:
    """Free seats, or None when the meeting has no limit."""
    capacity = meeting.effective_capacity
    if capacity is None:
        return None
    return max(0, capacity - (answers.seats if answers else 0))


def members_rsvps(user: User, meeting_ids: list[int]) -> dict[int, RSVP]:
    """The member's live (going or waitlisted) RSVPs to these meetings, by meeting id."""
    if not meeting_ids or not user.is_authenticated:
        return {}
    rsvps = db.session.scalars(
        sa.select(RSVP).where(
            RSVP.user_id == user.id,
            RSVP.meeting_id.in_(meeting_ids),
            RSVP.status != RSVPStatus.CANCELLED,
        )
    )
    return {rsvp.meeting_id: rsvp for rsvp in rsvps}


def waitlist_places(rsvps: list[RSVP]) -> dict[int, int]:
    """Waitlist place (1 = next in line) of each waitlisted RSVP, by RSVP id, in one query."""
    waiting = [rsvp for rsvp in rsvps if rsvp.status is RSVPStatus.WAITLISTED]
    if not waiting:
        return {}
    order = (
        sa.func.row_number()
        .over(partition_by=RSVP.meeting_id, order_by=(RSVP.created_at, RSVP.id))
        .label("place")
    )
    ranked = (
        sa.select(RSVP.id, order)
        .where(
            RSVP.meeting_id.in_({rsvp.meeting_id for rsvp in waiting}),
            RSVP.status == RSVPStatus.WAITLISTED,
        )
        .subquery()
    )
    wanted = [rsvp.id for rsvp in waiting]
    rows = db.session.execute(sa.select(ranked.c.id, ranked.c.place).where(ranked.c.id.in_(wanted)))
    return {rsvp_id: place for rsvp_id, place in rows}


def waitlist_place(rsvp: RSVP) -> int | None:
    """1 for the first person waiting; None when not on the waitlist."""
    return waitlist_places([rsvp]).get(rsvp.id)
