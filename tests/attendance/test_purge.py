"""Retention: `flask attendance purge` turns named attendance older than the organisation's
retention period into anonymous counts; running it again changes nothing; reports keep their
numbers, except the people who can no longer be told apart."""

from datetime import date

import pytest
import sqlalchemy as sa

from groups.attendance.models import Attendance
from groups.attendance.reports import attendance_report, group_scope, organisation_scope
from groups.attendance.reports_period import Period
from groups.attendance.retention import purge_named_attendance
from groups.extensions import db
from tests.attendance.reports_world import build_report_world
from tests.support import QueryCounter


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
    assert counter.count <= 1 + organisations  # the organisations, then one UPDATE each
    assert sum(result.rows for result in purged) == 10
