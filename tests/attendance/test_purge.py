"""Retention: `flask attendance purge` turns named attendance older than the organisation's
retention period into anonymous counts; running it again changes nothing; reports keep their
numbers, except the people who can no longer be told apart."""

from datetime import date

import pytest
import sqlalchemy as sa

from groups.attendance.models import Attendance
from groups.attendance.reports import attendance_report, group_scope, organisation_scope
from groups.attendance.reports_period import Period
from groups.attendance.retention import PURGED_DETAIL, purge_named_attendance
from groups.audit.models import AuditEvent
from groups.extensions import db
from groups.rsvps.models import RSVP
from tests.attendance.reports_world import build_report_world
from tests.support import QueryCounter, login_as


@pytest.fixture
def history(world, now):
    return build_report_world(world, now)


def _rows(meeting) -> list[tuple]:
    return db.session.execute(
        sa.select(
            Attendance.user_id,
            Attendance.recorded_by_id,
            Attendance.status,
            Attendance.companions,
            Attendance.first_time,
            Attendance.anonymous,
        )
        .where(Attendance.meeting_id == meeting.id)
        .order_by(Attendance.id)
    ).all()


def _run(app) -> str:
    result = app.test_cli_runner().invoke(args=["attendance", "purge"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


def _figures(report) -> dict:
    totals = report.totals
    names = [
        "meetings_held", "meetings_cancelled", "meetings_recorded", "total_attendance",
        "average_attendance", "members_present", "companions", "walk_ins", "first_timers",
        "returning", "counted_anonymously", "waitlisted", "waitlisted_peak",
    ]  # fmt: skip
    figures = {name: getattr(totals, name) for name in names}
    figures["per_meeting"] = [(m.meeting_id, m.total, m.first_timers) for m in report.meetings]
    return figures


def test_old_rows_lose_the_person_and_keep_what_reports_count(world, history, app):
    world["organisation"].attendance_retention_months = 2
    db.session.commit()
    old, recent = history.meetings["M1"], history.meetings["M5"]  # 70 and 42 days ago
    before_old, before_recent = _rows(old), _rows(recent)

    output = _run(app)

    after_old = _rows(old)
    assert all(user is None and recorder is None for user, recorder, *_ in after_old)
    assert [row[2:] for row in after_old] == [row[2:] for row in before_old]
    assert _rows(recent) == before_recent  # within the retention period
    assert "Test Pain Clinic: anonymised" in output
    # Another organisation keeps its default 24 months.
    assert all(row[0] is not None for row in _rows(history.meetings["E1"]))


def test_purging_again_changes_nothing(world, history, app):
    world["organisation"].attendance_retention_months = 1
    db.session.commit()
    first = _run(app)
    snapshot = {name: _rows(meeting) for name, meeting in history.meetings.items()}
    second = _run(app)
    assert "Anonymised 10 attendance record(s) in all." in first
    assert "Anonymised 0 attendance record(s) in all." in second
    assert {name: _rows(meeting) for name, meeting in history.meetings.items()} == snapshot


def test_reports_stay_the_same_except_people_who_cannot_be_told_apart(world, history, app, now):
    period = Period(
        date.fromisoformat(history.period["from"]), date.fromisoformat(history.period["to"]),
        "Europe/London",
    )  # fmt: skip
    scopes = [group_scope(world["group"]), organisation_scope(world["organisation"])]
    before = [attendance_report(scope, period, now) for scope in scopes]
    world["organisation"].attendance_retention_months = 1  # every meeting of the history
    db.session.commit()
    _run(app)
    after = [attendance_report(scope, period, now) for scope in scopes]

    for old, new in zip(before, after, strict=True):
        assert _figures(new) == _figures(old)
        # Named rows became anonymised ones: the people can no longer be told apart (documented
        # on the report page); the show-up rate stays, as each row kept whether its person had
        # said they were going.
        assert new.totals.unique_attendees == 0 < old.totals.unique_attendees
        assert new.totals.anonymised == old.totals.members_present
        assert new.totals.show_up_rate == old.totals.show_up_rate is not None
    assert before[0].totals.unique_attendees == 4 and before[0].totals.anonymised == 1


def test_purge_is_bulk_updates_not_a_query_per_row(world, history, app, now):
    world["organisation"].attendance_retention_months = 1
    db.session.commit()
    with QueryCounter(db.engine) as counter:
        purged = purge_named_attendance(now)
    db.session.commit()
    organisations = len(purged)
    assert organisations == 2
    # The organisations, then one UPDATE each of attendance, RSVPs and audit events.
    assert counter.count <= 1 + 3 * organisations
    assert sum(result.rows for result in purged) == 10


def test_old_rsvps_and_audit_events_lose_their_people_too(world, history, app, client, now):
    old = history.meetings["M1"]
    db.session.add(AuditEvent(
        actor_id=world["facilitator"].id, organisation_id=world["organisation"].id,
        action="attendance.changed", object_type="meeting", object_id=old.id,
        detail={"changes": [{"user": world["member"].id, "from": None, "to": "present"}]},
    ))  # fmt: skip
    db.session.commit()
    named_rsvps = db.session.scalar(
        sa.select(sa.func.count()).select_from(RSVP).where(RSVP.meeting_id == old.id)
    )
    world["organisation"].attendance_retention_months = 2
    db.session.commit()
    output = _run(app)

    rsvps = db.session.scalars(sa.select(RSVP).where(RSVP.meeting_id == old.id)).all()
    assert len(rsvps) == named_rsvps and all(rsvp.user_id is None for rsvp in rsvps)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.object_id == old.id))
    assert event.detail == PURGED_DETAIL and event.actor_id == world["facilitator"].id
    assert named_rsvps and " RSVP(s) of meetings before " in output
    # The staff pages of the old meeting still open, and name nobody.
    login_as(client, world["admin"])
    for path in (f"/manage/meetings/{old.id}/rsvps", f"/manage/meetings/{old.id}/attendance"):
        response = client.get(path)
        assert response.status_code == 200, path
