"""The reminder the day before: one email per member going, on the day before the meeting by the
meeting's own calendar, whatever hour cron runs `flask meetings remind` and however often."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from groups.extensions import db
from groups.rsvps.emails import queue_reminders
from groups.rsvps.logic import cancel_rsvp, make_rsvp
from groups.rsvps.models import RSVP
from groups.schedules.logic import cancel_meeting
from groups.schedules.models import Meeting
from groups.schedules.recurrence import local_instant
from tests.rsvps.emails_support import (
    LONDON,
    has_cancel_link,
    meetings_of,
    next_meeting,
    queued_emails,
    subject_of,
    text_of,
)
from tests.support import QueryCounter, make_user


def one_off(world, local_date: date, start: time) -> Meeting:
    """A meeting of the world's group at ``start`` London time on ``local_date``."""
    starts_at = local_instant(local_date, start, "Europe/London")
    meeting = Meeting(
        group=world["group"], starts_at=starts_at, ends_at=starts_at + timedelta(minutes=90),
        local_date=local_date, venue_override=world["venue"],
    )  # fmt: skip
    db.session.add(meeting)
    db.session.flush()
    return meeting


def day_before_at(meeting: Meeting, hour: int) -> datetime:
    """``hour`` o'clock London time on the day before ``meeting``, as a UTC instant."""
    day = meeting.local_date - timedelta(days=1)
    return local_instant(day, time(hour), "Europe/London").astimezone(UTC)


def going(meeting: Meeting, user, now: datetime) -> RSVP:
    rsvp = make_rsvp(meeting.id, user, companions=0, now=now).rsvp
    db.session.commit()
    return rsvp


def test_a_member_going_tomorrow_is_reminded_once(world, now):
    meeting = next_meeting(world)
    rsvp = going(meeting, world["member"], now)
    cron = day_before_at(meeting, 10)

    assert queue_reminders(cron) == 1
    db.session.commit()
    assert queue_reminders(cron + timedelta(hours=1)) == 0
    db.session.commit()

    [email] = queued_emails()
    assert subject_of(email) == "Reminder: Tuesday Circle tomorrow at 18:30"
    text = text_of(email)
    assert "Room 1, 1 High Street, Sheffield" in text and has_cancel_link(text, rsvp)
    assert "/settings" in text  # how to turn reminders off
    db.session.refresh(rsvp)
    assert rsvp.reminder_sent_at == cron


@pytest.mark.parametrize(
    ("local_date", "start"),
    [
        (date(2026, 12, 8), time(18, 30)),  # an ordinary Tuesday
        (date(2027, 3, 29), time(9, 0)),  # the day before is 23 hours long (clocks go forward)
        (date(2027, 11, 1), time(0, 30)),  # the day before is 25 hours long (clocks go back)
    ],
)
@pytest.mark.parametrize("minute", [0, 17, 59])
def test_cron_every_hour_sends_exactly_one_reminder_on_the_day_before(
    world, local_date, start, minute
):
    meeting = one_off(world, local_date, start)
    three_days_before = meeting.starts_at - timedelta(days=3)
    going(meeting, world["member"], three_days_before)

    sent_at = []
    cron = three_days_before.replace(minute=minute, second=0, microsecond=0)
    while cron < meeting.starts_at + timedelta(hours=2):
        if queue_reminders(cron):
            sent_at.append(cron)
        db.session.commit()
        cron += timedelta(hours=1)

    [when] = sent_at
    assert when.astimezone(LONDON).date() == local_date - timedelta(days=1)
    assert len(queued_emails()) == 1


@pytest.mark.parametrize("hour", [0, 6, 12, 23])
def test_cron_once_a_day_at_any_hour_sends_it_too(world, hour):
    meeting = one_off(world, date(2026, 12, 8), time(9, 0))
    first_run = local_instant(date(2026, 12, 3), time(hour), "Europe/London")
    going(meeting, world["member"], first_run)
    runs = [first_run + timedelta(days=day) for day in range(6)]
    assert [queue_reminders(run) for run in runs if run < meeting.starts_at].count(1) == 1


def test_members_who_turned_reminders_off_get_none(world, now):
    meeting = next_meeting(world)
    world["member"].email_reminders = False
    going(meeting, world["member"], now)
    assert queue_reminders(day_before_at(meeting, 10)) == 0


def test_people_waiting_and_people_who_cancelled_get_none(world, now):
    meeting = next_meeting(world)
    meeting.capacity = 1
    first = going(meeting, make_user("First"), now)
    going(meeting, world["member"], now)  # waiting
    cancel_rsvp(first.id, now=now)  # the member is promoted
    cancelled = going(meeting, make_user("Later"), now)  # waiting, then cancels
    cancel_rsvp(cancelled.id, now=now)
    db.session.commit()
    assert queue_reminders(day_before_at(meeting, 10)) == 1
    db.session.commit()
    assert [email["To"] for email in queued_emails()] == ["member@example.org"]


def test_a_cancelled_meeting_sends_no_reminder(world, now):
    meeting = next_meeting(world)
    going(meeting, world["member"], now)
    cancel_meeting(meeting, "Snow.", now=now)
    db.session.commit()
    assert queue_reminders(day_before_at(meeting, 10)) == 0


def test_a_meeting_in_three_days_sends_nothing_yet(world, now):
    meeting = next_meeting(world)
    going(meeting, world["member"], now)
    three_days_before = meeting.starts_at - timedelta(days=3)
    assert queue_reminders(three_days_before) == 0
    assert queue_reminders(meeting.starts_at - timedelta(hours=2)) == 0  # the day itself: late


def test_reminders_take_the_same_few_queries_for_one_person_or_many(world, now):
    def queries_for(meeting, people: int) -> int:
        for number in range(people):
            going(meeting, make_user(f"P{meeting.id}x{number}"), now)
        with QueryCounter(db.engine) as counter:
            assert queue_reminders(day_before_at(meeting, 10)) == people
        db.session.commit()
        return counter.count

    first, second = meetings_of(world)[:2]
    assert queries_for(first, 1) == queries_for(second, 6)


def test_the_remind_command_sends_pending_notices_then_reminders_once(app, world, now):
    tomorrow = (now.astimezone(LONDON) + timedelta(days=1)).date()
    meeting = one_off(world, tomorrow, time(18, 30))
    going(meeting, world["member"], now)
    later = meetings_of(world)[2]
    going(later, world["member"], now)
    cancel_meeting(later, "Our facilitator is away.", now=now)
    db.session.commit()

    cron = app.test_cli_runner()
    first = cron.invoke(args=["meetings", "remind"])
    assert first.exit_code == 0, first.output
    assert first.output == (
        "Queued 1 email(s) about changed meetings.\nQueued 1 reminder(s) for tomorrow's meetings.\n"
    )
    second = cron.invoke(args=["meetings", "remind"])
    assert second.output == (
        "Queued 0 email(s) about changed meetings.\nQueued 0 reminder(s) for tomorrow's meetings.\n"
    )
    subjects = sorted(subject_of(email) for email in queued_emails())
    assert subjects[0].startswith("Cancelled: Tuesday Circle,")
    assert subjects[1] == "Reminder: Tuesday Circle tomorrow at 18:30"


def test_the_notify_command_sends_pending_notices_once(app, world, now):
    meeting = next_meeting(world)
    going(meeting, world["member"], now)
    cancel_meeting(meeting, "Snow.", now=now)
    db.session.commit()
    cron = app.test_cli_runner()
    assert cron.invoke(args=["meetings", "notify"]).output == (
        "Queued 1 email(s) about changed meetings.\n"
    )
    assert cron.invoke(args=["meetings", "notify"]).output == (
        "Queued 0 email(s) about changed meetings.\n"
    )
    assert len(queued_emails()) == 1
