"""No overbooking, ever: seats, the waitlist and promotion, also under concurrent requests."""

import threading

import pytest
import sqlalchemy as sa

from groups.accounts.models import User
from groups.extensions import db
from groups.rsvps.logic import (
    RSVPError,
    cancel_rsvp,
    make_rsvp,
    promote_from_waitlist,
    waitlist_place,
)
from groups.rsvps.models import RSVP, RSVPStatus
from groups.schedules.logic import cancel_meeting
from groups.schedules.models import Meeting


def people(count: int, prefix="person") -> list[User]:
    users = [
        User(email=f"{prefix}{n}@example.org", display_name=f"P{n}", password_hash="-")
        for n in range(count)
    ]
    db.session.add_all(users)
    db.session.commit()
    return users


def next_meeting(world) -> Meeting:
    return db.session.scalars(
        sa.select(Meeting).where(Meeting.group_id == world["group"].id).order_by(Meeting.starts_at)
    ).first()


def statuses(meeting) -> list[RSVPStatus]:
    return db.session.scalars(
        sa.select(RSVP.status)
        .where(RSVP.meeting_id == meeting.id)
        .order_by(RSVP.created_at, RSVP.id)
    ).all()


def test_a_party_that_fits_goes_and_one_that_doesnt_waits(world, now):
    meeting = next_meeting(world)
    meeting.capacity = 3
    a, b = people(2)
    assert make_rsvp(meeting.id, a, companions=2, now=now).rsvp.status is RSVPStatus.GOING
    waiting = make_rsvp(meeting.id, b, companions=0, now=now).rsvp
    assert waiting.status is RSVPStatus.WAITLISTED and waitlist_place(waiting) == 1


def test_when_someone_cancels_the_first_waiting_party_that_fits_is_promoted(world, now):
    meeting = next_meeting(world)
    meeting.capacity = 2
    first, big, small, last = people(4)
    going = make_rsvp(meeting.id, first, companions=1, now=now).rsvp
    big_party = make_rsvp(meeting.id, big, companions=2, now=now).rsvp  # 3 seats: never fits
    small_party = make_rsvp(meeting.id, small, companions=0, now=now).rsvp
    last_one = make_rsvp(meeting.id, last, companions=0, now=now).rsvp
    db.session.commit()
    outcome = cancel_rsvp(going.id, now=now)
    db.session.commit()
    assert [r.id for r in outcome.promoted] == [small_party.id, last_one.id]
    assert big_party.status is RSVPStatus.WAITLISTED and waitlist_place(big_party) == 1


def test_more_capacity_promotes_waiting_members(world, now):
    meeting = next_meeting(world)
    meeting.capacity = 1
    a, b = people(2)
    make_rsvp(meeting.id, a, companions=0, now=now)
    waiting = make_rsvp(meeting.id, b, companions=0, now=now).rsvp
    meeting.capacity = 2
    assert promote_from_waitlist(meeting) == [waiting]


@pytest.mark.parametrize("companions", [-1, 3, 7])
def test_companions_outside_0_to_2_are_refused(world, now, companions):
    [a] = people(1)
    with pytest.raises(RSVPError, match="up to 2"):
        make_rsvp(next_meeting(world).id, a, companions=companions, now=now)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RSVP)) == 0


def test_rsvp_to_a_cancelled_or_started_meeting_is_refused(world, now):
    meeting = next_meeting(world)
    [a] = people(1)
    with pytest.raises(RSVPError, match="already started"):
        make_rsvp(meeting.id, a, companions=0, now=meeting.starts_at)
    cancel_meeting(meeting, "Snow", now=now)
    with pytest.raises(RSVPError, match="cancelled"):
        make_rsvp(meeting.id, a, companions=0, now=now)


def test_a_second_rsvp_by_the_same_member_is_refused(world, now):
    meeting = next_meeting(world)
    [a] = people(1)
    make_rsvp(meeting.id, a, companions=0, now=now)
    with pytest.raises(RSVPError, match="already said"):
        make_rsvp(meeting.id, a, companions=1, now=now)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RSVP)) == 1


def test_rsvp_again_after_cancelling_reuses_the_row(world, now):
    meeting = next_meeting(world)
    [a] = people(1)
    first = make_rsvp(meeting.id, a, companions=0, now=now).rsvp
    cancel_rsvp(first.id, now=now)
    again = make_rsvp(meeting.id, a, companions=1, now=now).rsvp
    assert again.id == first.id and again.status is RSVPStatus.GOING and again.companions == 1


def run_concurrently(app, jobs) -> list:
    """Run each job in its own thread with its own app context and database session, all
    released at once; returns the errors raised."""
    barrier = threading.Barrier(len(jobs))
    errors = []

    def run(job):
        with app.app_context():
            barrier.wait()
            try:
                job()
                db.session.commit()
            except Exception as error:  # collected and asserted on below
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_fifty_concurrent_rsvps_for_ten_seats_never_overbook(app, world, now):
    meeting = next_meeting(world)
    meeting.capacity = 10
    members = people(50)
    meeting_id, user_ids = meeting.id, [user.id for user in members]
    db.session.commit()

    def rsvp_job(user_id):
        return lambda: make_rsvp(meeting_id, db.session.get(User, user_id), companions=0, now=now)

    errors = run_concurrently(app, [rsvp_job(user_id) for user_id in user_ids])
    assert errors == []
    db.session.expire_all()
    result = statuses(meeting)
    assert result.count(RSVPStatus.GOING) == 10 and result.count(RSVPStatus.WAITLISTED) == 40
    # Served in order: the first ten requests served got the seats, the rest wait behind them.
    assert result == [RSVPStatus.GOING] * 10 + [RSVPStatus.WAITLISTED] * 40


def test_concurrent_cancellations_promote_each_waiting_member_exactly_once(app, world, now):
    meeting = next_meeting(world)
    meeting.capacity = 10
    members = people(30)
    for member in members:
        make_rsvp(meeting.id, member, companions=0, now=now)
    db.session.commit()
    going_ids = db.session.scalars(
        sa.select(RSVP.id).where(RSVP.meeting_id == meeting.id, RSVP.status == RSVPStatus.GOING)
    ).all()

    errors = run_concurrently(
        app, [lambda rsvp_id=rsvp_id: cancel_rsvp(rsvp_id, now=now) for rsvp_id in going_ids]
    )
    assert errors == []
    db.session.expire_all()
    result = statuses(meeting)
    assert result.count(RSVPStatus.GOING) == 10
    assert result.count(RSVPStatus.CANCELLED) == 10 and result.count(RSVPStatus.WAITLISTED) == 10
