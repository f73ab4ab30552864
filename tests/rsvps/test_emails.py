"""Members are told by email when they're going, when they're waiting and when a seat comes free
for them, and everyone going or waiting is told when their meeting is cancelled, moved or changed.
Every email names the meeting in its own local time and place, carries the one-click cancel link
and names nobody but the member it goes to."""

from datetime import time, timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from groups.extensions import db
from groups.mail.models import OutboxMessage
from groups.mail.outbox import deliver_due_messages
from groups.organisations.models import Venue
from groups.rsvps.emails import (
    queue_cancelled_by_staff,
    queue_meeting_change_notices,
    queue_promotion,
    queue_rsvp_confirmation,
)
from groups.rsvps.logic import cancel_rsvp, make_rsvp
from groups.schedules.logic import (
    SCHEDULE_EDIT_CANCEL_REASON,
    apply_schedule_change,
    cancel_meeting,
    horizon_end,
    move_meeting,
)
from groups.schedules.models import MeetingChange
from groups.schedules.recurrence import Rule
from tests.rsvps.emails_support import (
    has_cancel_link,
    html_of,
    in_london,
    meetings_of,
    next_meeting,
    queued_emails,
    recipients,
    subject_of,
    text_of,
)
from tests.support import QueryCounter, make_user

# --- Going, waiting, promoted ---------------------------------------------------------------


def test_going_says_when_and_where_with_the_companions_and_a_cancel_link(client, world, now):
    meeting = next_meeting(world)
    rsvp = make_rsvp(meeting.id, world["member"], companions=1, now=now).rsvp
    queue_rsvp_confirmation(rsvp)
    db.session.commit()

    [email] = queued_emails()
    assert email["To"] == "member@example.org"
    assert subject_of(email) == f"You're going: Tuesday Circle, {in_london(meeting)}"
    text = text_of(email)
    assert "Hello Member," in text
    assert "seats for the 1 companion or carer you're bringing" in text
    assert "18:30 to 20:00" in text and "Room 1, 1 High Street, Sheffield" in text
    assert has_cancel_link(text, rsvp) and has_cancel_link(html_of(email), rsvp)
    link = next(line for line in text.splitlines() if "/rsvps/cancel/" in line).strip()
    assert f"/groups/tuesday-circle#meeting-{meeting.id}" in text
    assert "/my/meetings" in text
    # The link opens the confirmation page (which asks before it cancels anything).
    assert client.get(urlsplit(link).path).status_code == 200


def test_waiting_says_the_place_in_the_queue(world, now):
    meeting = next_meeting(world)
    meeting.capacity = 1
    first, second = make_user("First"), make_user("Second")
    make_rsvp(meeting.id, first, companions=0, now=now)
    waiting = [
        make_rsvp(meeting.id, person, companions=0, now=now).rsvp
        for person in (world["member"], second)
    ]
    for rsvp in waiting:
        queue_rsvp_confirmation(rsvp)
    db.session.commit()

    member, other = queued_emails()
    assert subject_of(member) == (
        f"You're on the waitlist, place 1: Tuesday Circle, {in_london(meeting)}"
    )
    assert subject_of(other).startswith("You're on the waitlist, place 2:")
    assert "you're on the waiting list: you're number 2" in text_of(other)
    assert "Leave the waiting list" in html_of(other)
    assert has_cancel_link(text_of(other), waiting[1])


def test_a_member_promoted_when_someone_cancels_is_told_a_seat_is_free(world, now):
    meeting = next_meeting(world)
    meeting.capacity = 1
    going = make_rsvp(meeting.id, make_user("Going"), companions=0, now=now).rsvp
    make_rsvp(meeting.id, world["member"], companions=0, now=now)
    db.session.commit()

    outcome = cancel_rsvp(going.id, now=now)
    for rsvp in outcome.promoted:
        queue_promotion(rsvp)
    db.session.commit()

    [email] = queued_emails()
    assert email["To"] == "member@example.org"
    assert subject_of(email) == (
        f"A seat is free: you're going now to Tuesday Circle, {in_london(meeting)}"
    )
    assert "a seat came free" in text_of(email)
    assert has_cancel_link(text_of(email), outcome.promoted[0])
    assert "Going" not in text_of(email) + html_of(email)  # nobody else's name


def test_a_member_taken_off_by_staff_is_told_without_a_cancel_link(world, now):
    meeting = next_meeting(world)
    rsvp = make_rsvp(meeting.id, world["member"], companions=0, now=now).rsvp
    cancel_rsvp(rsvp.id, now=now)
    queue_cancelled_by_staff(rsvp)
    db.session.commit()

    [email] = queued_emails()
    assert subject_of(email) == f"Your place is cancelled: Tuesday Circle, {in_london(meeting)}"
    assert "/rsvps/cancel/" not in text_of(email)
    assert "say so again on the group's page" in text_of(email)


def test_an_address_never_confirmed_gets_nothing(world, now):
    unconfirmed = make_user("Unconfirmed", email_verified_at=None)
    rsvp = make_rsvp(next_meeting(world).id, unconfirmed, companions=0, now=now).rsvp
    assert queue_rsvp_confirmation(rsvp) is None
    db.session.commit()
    assert queued_emails() == []


def test_links_use_the_public_address_when_queued_outside_a_request(app, world, now):
    app.config["PUBLIC_URL"] = "https://circles.example.org"
    try:
        rsvp = make_rsvp(next_meeting(world).id, world["member"], companions=0, now=now).rsvp
        queue_rsvp_confirmation(rsvp)
        db.session.commit()
    finally:
        app.config["PUBLIC_URL"] = "http://127.0.0.1:5000"
    text = text_of(queued_emails()[0])
    links = [line for line in text.splitlines() if "://" in line]
    assert len(links) == 3  # cancel, the group's page, my meetings
    assert all(link.startswith("https://circles.example.org/") for link in links)


def test_a_confirmation_arrives_over_smtp(app, world, now, smtp_server):
    rsvp = make_rsvp(next_meeting(world).id, world["member"], companions=0, now=now).rsvp
    queue_rsvp_confirmation(rsvp)
    db.session.commit()
    assert deliver_due_messages().sent == 1
    [message] = smtp_server.messages
    assert message.envelope_recipients == ["member@example.org"]
    assert subject_of(message).startswith("You're going: Tuesday Circle,")
    assert has_cancel_link(message.get_body(preferencelist=("plain",)).get_content(), rsvp)


# --- Meeting changes --------------------------------------------------------------------------


def make_venue(world) -> Venue:
    hall = Venue(
        organisation=world["organisation"], name="Side Room", address_line1="5 Mill Lane",
        town="Sheffield", country="GB", latitude=53.38, longitude=-1.47,
        timezone="Europe/London",
    )  # fmt: skip
    db.session.add(hall)
    return hall


@pytest.fixture
def answered(world, now):
    """The next meeting with one member going, one waiting and one who cancelled."""
    meeting = next_meeting(world)
    meeting.capacity = 1
    going = make_rsvp(meeting.id, world["member"], companions=0, now=now).rsvp
    waiting = make_rsvp(meeting.id, make_user("Waiting"), companions=0, now=now).rsvp
    gone = make_rsvp(meeting.id, make_user("Gone"), companions=0, now=now).rsvp
    cancel_rsvp(gone.id, now=now)
    db.session.commit()
    return meeting, going, waiting


def test_a_cancelled_meeting_is_told_to_people_going_and_waiting_once(world, now, answered):
    meeting, going, waiting = answered
    world["member"].email_reminders = False  # a cancellation is not a reminder
    cancel_meeting(meeting, "The room is flooded.", now=now)
    assert queue_meeting_change_notices(now) == 2
    db.session.commit()

    emails = queued_emails()
    assert recipients(emails) == ["member@example.org", "waiting@example.org"]
    for email in emails:
        assert subject_of(email) == f"Cancelled: Tuesday Circle, {in_london(meeting)}"
        text = text_of(email)
        assert "The room is flooded." in text and "is cancelled" in text
        assert "/rsvps/cancel/" not in text  # nothing left to cancel
        for name in ("Member", "Waiting", "Gone"):
            assert (f"Hello {name}," in text) == (email["To"] == f"{name.lower()}@example.org")
    assert db.session.scalar(sa.select(MeetingChange.notified_at)) is not None

    assert queue_meeting_change_notices(now) == 0
    db.session.commit()
    assert len(queued_emails()) == 2


def test_a_moved_meeting_tells_the_new_time_and_place(world, now, answered):
    meeting, going, waiting = answered
    hall = make_venue(world)
    new_day = meeting.local_date + timedelta(days=1)
    move_meeting(
        meeting, local_date=new_day, start_time=time(11, 0), duration_minutes=60, venue=hall,
        now=now,
    )  # fmt: skip
    assert queue_meeting_change_notices(now) == 2
    db.session.commit()

    member_email, waiting_email = queued_emails()
    assert subject_of(member_email) == f"Moved: Tuesday Circle, now {in_london(meeting)}"
    assert in_london(meeting).endswith("11:00")
    text = text_of(member_email)
    assert "has moved" in text and "Side Room, 5 Mill Lane, Sheffield" in text
    assert "11:00 to 12:00" in text and "Your place is kept for you." in text
    assert has_cancel_link(text, going)
    assert "You keep your place on the waiting list." in text_of(waiting_email)


def test_a_schedule_change_tells_the_new_time_or_the_cancellation(world, now, answered):
    meeting, going, waiting = answered
    later = meetings_of(world)[1]
    make_rsvp(later.id, world["member"], companions=0, now=now)
    db.session.commit()
    schedule = world["schedule"]
    # The first meeting's date leaves the schedule; the second one keeps its date at 19:00.
    rule = Rule(
        frequency="weekly", weekdays=(1,), start_time=time(19, 0), duration_minutes=90,
        timezone="Europe/London", first_date=later.local_date,
    )  # fmt: skip
    apply_schedule_change(schedule, rule, new_venue=world["venue"], now=now, until=horizon_end(now))
    assert queue_meeting_change_notices(now) == 3
    db.session.commit()

    by_subject = {(email["To"], subject_of(email)): email for email in queued_emails()}
    cancelled = by_subject["member@example.org", f"Cancelled: Tuesday Circle, {in_london(meeting)}"]
    assert SCHEDULE_EDIT_CANCEL_REASON in text_of(cancelled)
    assert ("waiting@example.org", f"Cancelled: Tuesday Circle, {in_london(meeting)}") in by_subject
    changed = by_subject["member@example.org", f"Changed: Tuesday Circle, now {in_london(later)}"]
    assert in_london(later).endswith("19:00")
    text = text_of(changed)
    assert "New time or place." in text and "19:00 to 20:30" in text
    assert "The group has changed when or where it usually meets" in text


def test_two_changes_before_anyone_is_told_make_one_email_about_the_latest(world, now, answered):
    meeting, _going, _waiting = answered
    hall = make_venue(world)
    move_meeting(
        meeting, local_date=meeting.local_date, start_time=time(10, 0), duration_minutes=60,
        venue=hall, now=now,
    )  # fmt: skip
    cancel_meeting(meeting, "Our facilitator is ill.", now=now)
    assert queue_meeting_change_notices(now) == 2
    db.session.commit()
    assert {subject_of(email).split(":")[0] for email in queued_emails()} == {"Cancelled"}
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(MeetingChange.notified_at.is_(None)))
        == 0
    )


def test_a_meeting_nobody_is_going_to_sends_nothing(world, now):
    cancel_meeting(next_meeting(world), "Snow.", now=now)
    assert queue_meeting_change_notices(now) == 0
    db.session.commit()
    assert queued_emails() == []
    assert db.session.scalar(sa.select(MeetingChange.notified_at)) is not None


def test_notices_take_the_same_few_queries_for_one_person_or_many(app, world, now):
    def queries_for(meeting, people: int) -> int:
        for number in range(people):
            make_rsvp(meeting.id, make_user(f"P{meeting.id}x{number}"), companions=0, now=now)
        cancel_meeting(meeting, "Closed.", now=now)
        db.session.commit()
        with QueryCounter(db.engine) as counter:
            assert queue_meeting_change_notices(now) == people
        db.session.commit()
        return counter.count

    first, second = meetings_of(world)[:2]
    assert queries_for(first, 1) == queries_for(second, 6)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 7
