"""When staff cancel or move a meeting, or change a schedule, the people going and waiting are
emailed in the same request: the notices are queued before the change is saved."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from groups.extensions import db
from groups.mail.models import OutboxMessage
from groups.rsvps.logic import make_rsvp
from groups.schedules.models import MeetingChange
from tests.rsvps.emails_support import (
    in_london,
    next_meeting,
    queued_emails,
    recipients,
    subject_of,
    text_of,
)
from tests.support import login_as, make_user


@pytest.fixture
def staff(client, world):
    login_as(client, world["staff"])
    return client


@pytest.fixture
def people(world, now):
    """The next meeting, full, with the member going and someone else waiting."""
    meeting = next_meeting(world)
    meeting.capacity = 1
    make_rsvp(meeting.id, world["member"], companions=0, now=now)
    make_rsvp(meeting.id, make_user("Waiting"), companions=0, now=now)
    db.session.commit()
    return meeting


def untold_changes() -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(MeetingChange.notified_at.is_(None)))


def test_cancelling_through_the_staff_page_emails_the_people_going_and_waiting(staff, people):
    meeting = people
    response = staff.post(f"/manage/meetings/{meeting.id}/cancel", data={"reason": "Snow."})
    assert response.status_code == 302

    emails = queued_emails()
    assert recipients(emails) == ["member@example.org", "waiting@example.org"]
    assert {subject_of(email) for email in emails} == {
        f"Cancelled: Tuesday Circle, {in_london(meeting)}"
    }
    assert all("Snow." in text_of(email) for email in emails)
    assert untold_changes() == 0
    # Delivered once the response had gone (the test client closes it, as a server does).
    assert db.session.scalar(sa.select(sa.func.count()).where(OutboxMessage.sent_at.is_(None))) == 0


def test_moving_through_the_staff_page_emails_the_new_time(staff, world, people):
    meeting = people
    data = {
        "local_date": (meeting.local_date + timedelta(days=1)).isoformat(),
        "start_time": "11:15", "duration_minutes": "60", "venue_id": str(world["venue"].id),
    }  # fmt: skip
    assert staff.post(f"/manage/meetings/{meeting.id}/move", data=data).status_code == 302

    db.session.refresh(meeting)
    emails = queued_emails()
    assert len(emails) == 2
    assert {subject_of(email) for email in emails} == {
        f"Moved: Tuesday Circle, now {in_london(meeting)}"
    }
    assert "11:15 to 12:15" in text_of(emails[0])
    assert untold_changes() == 0


def test_a_refused_cancellation_emails_nobody(staff, people):
    response = staff.post(f"/manage/meetings/{people.id}/cancel", data={"reason": "  "})
    assert response.status_code == 200
    assert queued_emails() == []


def test_a_confirmed_schedule_edit_emails_the_people_whose_meeting_it_cancels(staff, world, people):
    data = {
        "pattern": "weekly", "interval": "1", "weekdays": ["3"], "week_of_month": "1",
        "month_weekday": "0", "day_of_month": "1", "start_time": "18:30",
        "duration_minutes": "90", "venue_id": str(world["venue"].id),
        "first_date": world["schedule"].first_date.isoformat(), "end": "never",
        "last_date": "", "occurrence_count": "", "action": "save", "confirm": "yes",
    }  # fmt: skip
    response = staff.post(f"/manage/schedules/{world['schedule'].id}/edit", data=data)
    assert response.status_code == 302

    emails = queued_emails()
    assert recipients(emails) == ["member@example.org", "waiting@example.org"]
    assert all(subject_of(email).startswith("Cancelled: Tuesday Circle,") for email in emails)
    assert "The group's regular meeting times changed" in text_of(emails[0])
    assert untold_changes() == 0


def test_more_places_email_the_people_who_now_have_a_seat(staff, people):
    meeting = people
    response = staff.post(f"/manage/meetings/{meeting.id}/details", data={"capacity": "2"})
    assert response.status_code == 302
    [email] = queued_emails()
    assert email["To"] == "waiting@example.org"
    assert subject_of(email) == (
        f"A seat is free: you're going now to Tuesday Circle, {in_london(meeting)}"
    )
