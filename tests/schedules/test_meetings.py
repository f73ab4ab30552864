"""Materialising schedules into meetings, editing schedules, and one-meeting exceptions."""

from dataclasses import replace
from datetime import time, timedelta

import pytest
import sqlalchemy as sa

from groups.attendance.models import Attendance, AttendanceStatus
from groups.extensions import db
from groups.rsvps.models import RSVP, RSVPStatus
from groups.schedules.logic import (
    MeetingError,
    add_one_off_meeting,
    apply_schedule_change,
    cancel_meeting,
    extend_all_meetings,
    extend_meetings,
    horizon_end,
    move_meeting,
    plan_schedule_change,
)
from groups.schedules.models import Meeting, MeetingChange, MeetingChangeKind, MeetingStatus
from tests.support import make_user


def meetings_of(schedule):
    return db.session.scalars(
        sa.select(Meeting).where(Meeting.schedule_id == schedule.id).order_by(Meeting.starts_at)
    ).all()


def test_weekly_schedule_materialises_26_weeks_of_tuesday_meetings(world, now):
    meetings = meetings_of(world["schedule"])
    assert len(meetings) in (25, 26, 27)
    assert all(meeting.local_date.weekday() == 1 for meeting in meetings)
    assert all(meeting.starts_at > now for meeting in meetings)
    assert meetings[-1].starts_at < horizon_end(now)


def test_extending_twice_creates_nothing_new(world, now):
    before = len(meetings_of(world["schedule"]))
    assert extend_meetings(world["schedule"], now=now, until=horizon_end(now)) == []
    assert extend_all_meetings(now=now) == 0
    db.session.commit()
    assert len(meetings_of(world["schedule"])) == before


def test_extending_later_adds_only_the_new_weeks(world, now):
    before = len(meetings_of(world["schedule"]))
    assert extend_all_meetings(now=now + timedelta(weeks=2)) == 2
    assert len(meetings_of(world["schedule"])) == before + 2


def test_meetings_extend_command_is_idempotent(app, world):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["meetings", "extend"])
    second = runner.invoke(args=["meetings", "extend"])
    assert first.exit_code == 0 and second.exit_code == 0
    assert "Created 0 meeting(s)" in second.output


def _answer(meeting, user, status=RSVPStatus.GOING):
    db.session.add(RSVP(meeting=meeting, user=user, status=status))


def test_editing_a_schedule_keeps_every_rsvp_and_attendance_row(world, now):
    schedule = world["schedule"]
    meetings = meetings_of(schedule)
    member = world["member"]
    other = make_user("Other")
    _answer(meetings[0], member)
    _answer(meetings[1], other, RSVPStatus.CANCELLED)
    _answer(meetings[2], member, RSVPStatus.WAITLISTED)
    db.session.add(Attendance(meeting=meetings[3], user=member, status=AttendanceStatus.PRESENT))
    db.session.commit()
    rsvps_before = db.session.scalars(sa.select(RSVP.id).order_by(RSVP.id)).all()

    # Tuesdays become Thursdays: no Tuesday meeting fits any more.
    change = apply_schedule_change(
        schedule, replace(schedule.rule, weekdays=(3,)), new_venue=world["venue"],
        now=now, until=horizon_end(now),
    )  # fmt: skip
    db.session.commit()

    assert db.session.scalars(sa.select(RSVP.id).order_by(RSVP.id)).all() == rsvps_before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 1
    kept = {meeting.id for meeting in change.cancelled}
    assert kept == {meetings[0].id, meetings[1].id, meetings[2].id, meetings[3].id}
    for meeting in meetings[:4]:
        db.session.refresh(meeting)
        assert meeting.status is MeetingStatus.CANCELLED
        assert meeting.cancel_reason
    # Unanswered Tuesday meetings are gone, Thursday meetings took their place.
    remaining = meetings_of(schedule)
    assert {m.local_date.weekday() for m in remaining if m.status is MeetingStatus.SCHEDULED} == {3}
    assert len(change.deleted) == len(meetings) - 4


def test_cancelled_by_schedule_edit_records_who_must_be_told(world, now):
    schedule = world["schedule"]
    first = meetings_of(schedule)[0]
    _answer(first, world["member"])
    db.session.commit()
    apply_schedule_change(
        schedule, replace(schedule.rule, weekdays=(3,)), new_venue=world["venue"],
        now=now, until=horizon_end(now),
    )  # fmt: skip
    db.session.commit()
    changes = db.session.scalars(sa.select(MeetingChange)).all()
    assert [(c.meeting_id, c.kind) for c in changes] == [(first.id, MeetingChangeKind.CANCELLED)]
    assert changes[0].notified_at is None


def test_changing_the_start_time_retimes_future_meetings_in_place(world, now):
    schedule = world["schedule"]
    meetings = meetings_of(schedule)
    _answer(meetings[0], world["member"])
    db.session.commit()
    ids = [meeting.id for meeting in meetings]
    change = apply_schedule_change(
        schedule, replace(schedule.rule, start_time=time(19, 0)), new_venue=world["venue"],
        now=now, until=horizon_end(now),
    )  # fmt: skip
    db.session.commit()
    assert not change.added and not change.deleted and not change.cancelled
    assert [meeting.id for meeting in meetings_of(schedule)] == ids
    for meeting in meetings_of(schedule):
        local = meeting.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/London"))
        assert (local.hour, local.minute) == (19, 0)
    assert schedule.sequence == 1
    told = db.session.scalars(sa.select(MeetingChange.meeting_id)).all()
    assert told == [meetings[0].id]  # only the meeting someone is going to


def test_editing_back_reinstates_meetings_the_edit_cancelled(world, now):
    schedule = world["schedule"]
    original = schedule.rule
    first = meetings_of(schedule)[0]
    _answer(first, world["member"])
    db.session.commit()
    until = horizon_end(now)
    apply_schedule_change(
        schedule, replace(original, weekdays=(3,)), new_venue=world["venue"], now=now, until=until
    )
    db.session.commit()
    apply_schedule_change(schedule, original, new_venue=world["venue"], now=now, until=until)
    db.session.commit()
    db.session.refresh(first)
    assert first.status is MeetingStatus.SCHEDULED
    assert first.cancel_reason is None


def test_a_meeting_cancelled_by_staff_stays_cancelled_after_an_edit(world, now):
    schedule = world["schedule"]
    first = meetings_of(schedule)[0]
    cancel_meeting(first, "Room flooded", now=now)
    db.session.commit()
    apply_schedule_change(
        schedule, replace(schedule.rule, start_time=time(19, 0)), new_venue=world["venue"],
        now=now, until=horizon_end(now),
    )  # fmt: skip
    db.session.commit()
    db.session.refresh(first)
    assert first.status is MeetingStatus.CANCELLED and first.cancel_reason == "Room flooded"


def test_planning_a_change_changes_nothing(world, now):
    schedule = world["schedule"]
    before = [(m.id, m.starts_at, m.status) for m in meetings_of(schedule)]
    plan = plan_schedule_change(
        schedule, replace(schedule.rule, weekdays=(3,)), new_venue_id=world["venue"].id,
        now=now, until=horizon_end(now),
    )  # fmt: skip
    assert plan.added and plan.deleted
    db.session.rollback()
    assert [(m.id, m.starts_at, m.status) for m in meetings_of(schedule)] == before


def test_past_meetings_are_never_touched_by_an_edit(world, now):
    schedule = world["schedule"]
    extend_meetings(schedule, now=now - timedelta(weeks=3), until=now)
    db.session.commit()
    past = [m for m in meetings_of(schedule) if m.starts_at <= now]
    assert past
    snapshot = [(m.id, m.starts_at, m.status) for m in past]
    apply_schedule_change(
        schedule, replace(schedule.rule, weekdays=(3,)), new_venue=world["venue"],
        now=now, until=horizon_end(now),
    )  # fmt: skip
    db.session.commit()
    after = [m for m in meetings_of(schedule) if m.id in {s[0] for s in snapshot}]
    assert [(m.id, m.starts_at, m.status) for m in after] == snapshot


def test_cancel_needs_a_reason_and_a_future_meeting(world, now):
    meeting = meetings_of(world["schedule"])[0]
    with pytest.raises(MeetingError) as error:
        cancel_meeting(meeting, "  ", now=now)
    assert error.value.field == "reason"
    with pytest.raises(MeetingError, match="already started"):
        cancel_meeting(meeting, "Ill", now=meeting.starts_at + timedelta(minutes=1))
    cancel_meeting(meeting, "Facilitator unwell", now=now)
    assert meeting.status is MeetingStatus.CANCELLED
    with pytest.raises(MeetingError, match="already cancelled"):
        cancel_meeting(meeting, "Again", now=now)


def test_move_a_meeting_to_another_time_keeps_its_generated_date(world, now):
    meeting = meetings_of(world["schedule"])[1]
    generated_for = meeting.local_date
    move_meeting(
        meeting, local_date=generated_for + timedelta(days=1), start_time=time(10, 0),
        duration_minutes=60, venue=world["venue"], now=now,
    )  # fmt: skip
    db.session.commit()
    assert meeting.status is MeetingStatus.MOVED
    assert meeting.local_date == generated_for
    assert meeting.ends_at - meeting.starts_at == timedelta(minutes=60)
    assert db.session.scalar(sa.select(MeetingChange.kind)) is MeetingChangeKind.MOVED


def test_moving_into_the_past_is_refused(world, now):
    meeting = meetings_of(world["schedule"])[0]
    with pytest.raises(MeetingError, match="in the past"):
        move_meeting(
            meeting, local_date=(now - timedelta(days=2)).date(), start_time=time(10, 0),
            duration_minutes=60, venue=world["venue"], now=now,
        )  # fmt: skip


def test_add_a_one_off_meeting(world, now):
    day = (now + timedelta(days=10)).date()
    meeting = add_one_off_meeting(
        world["group"], local_date=day, start_time=time(14, 0), duration_minutes=90,
        venue=world["venue"], now=now, topic="Guest talk: pacing",
    )  # fmt: skip
    db.session.commit()
    assert meeting.schedule_id is None and meeting.venue is world["venue"]
    assert meeting.topic == "Guest talk: pacing"


def test_one_off_meeting_bad_duration_is_refused(world, now):
    with pytest.raises(MeetingError) as error:
        add_one_off_meeting(
            world["group"], local_date=(now + timedelta(days=3)).date(), start_time=time(9, 0),
            duration_minutes=0, venue=world["venue"], now=now,
        )  # fmt: skip
    assert error.value.field == "duration_minutes"


def test_naive_datetimes_are_refused_by_the_database_layer(world):
    from datetime import datetime

    meeting = meetings_of(world["schedule"])[0]
    meeting.starts_at = datetime(2030, 1, 1, 10, 0)
    with pytest.raises(Exception, match="naive datetime"):
        db.session.commit()
    db.session.rollback()
