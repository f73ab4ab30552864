"""Report figures, checked against numbers worked out by hand (see reports_world.py)."""

from datetime import date

import pytest

from groups.accounts.logic import delete_account
from groups.attendance.reports import attendance_report, group_scope, organisation_scope
from groups.attendance.reports_period import Period
from groups.extensions import db
from tests.attendance.reports_world import build_report_world
from tests.support import PASSWORD, login_as


@pytest.fixture
def history(world, now):
    return build_report_world(world, now)


def _period(history, timezone="Europe/London") -> Period:
    return Period(
        date.fromisoformat(history.period["from"]), date.fromisoformat(history.period["to"]),
        timezone,
    )  # fmt: skip


def test_group_report_figures_match_the_hand_count(world, history, now):
    report = attendance_report(group_scope(world["group"]), _period(history), now)
    totals = report.totals
    assert (totals.meetings_held, totals.meetings_cancelled, totals.meetings_recorded) == (4, 1, 3)
    assert [m.total for m in report.meetings if not m.cancelled] == [6, 6, 0, 5]
    assert totals.total_attendance == 17
    assert totals.average_attendance == pytest.approx(17 / 3)  # M4 was not recorded
    assert (totals.members_present, totals.companions, totals.walk_ins) == (8, 4, 5)
    # Alice, Bob, Carol (anonymously: a number, never a name) and Dan; the deleted member's
    # attendance can't be told apart from anyone else's, so it is shown on its own.
    assert totals.unique_attendees == 4
    assert totals.anonymised == 1
    assert totals.first_timers == 5  # M1: Alice, Bob, Carol; M2: Dan and the deleted member
    assert totals.returning == 3  # M2: Alice and Bob; M5: Carol
    assert totals.counted_anonymously == 2
    # Going at M1 3 of 4, M2 2 of 3, M5 1 of 2; M4 (not recorded) and M3 (cancelled) left out.
    assert (totals.rsvps_going_present, totals.rsvps_going_counted) == (6, 9)
    assert totals.show_up_rate == pytest.approx(6 / 9)
    assert (totals.waitlisted, totals.waitlisted_peak) == (3, 2)  # M1 1, M2 2 (M3 cancelled)


def test_organisation_report_adds_its_groups_and_counts_a_person_once(world, history, now):
    report = attendance_report(organisation_scope(world["organisation"]), _period(history), now)
    totals = report.totals
    assert (totals.meetings_held, totals.meetings_cancelled, totals.meetings_recorded) == (5, 1, 4)
    assert totals.total_attendance == 19 and totals.walk_ins == 6  # Elsewhere's 7 not counted
    assert totals.average_attendance == pytest.approx(19 / 4)
    assert totals.unique_attendees == 4  # Alice came to both groups: one person
    assert totals.first_timers == 6  # Alice's first time at Thursday Circle counts there
    by_group = {row.group_name: row.totals for row in report.by_group}
    assert list(by_group) == ["Thursday Circle", "Tuesday Circle"]
    assert by_group["Thursday Circle"].total_attendance == 2
    assert by_group["Thursday Circle"].unique_attendees == 1
    assert by_group["Tuesday Circle"].unique_attendees == 4


def test_a_period_with_no_meetings_gives_zeros_not_errors(world, now):
    period = Period(date(2020, 1, 1), date(2020, 3, 31), "Europe/London")
    totals = attendance_report(group_scope(world["group"]), period, now).totals
    assert totals.meetings_held == 0 and totals.average_attendance is None
    assert totals.show_up_rate is None and totals.waitlisted_peak == 0


def test_meetings_that_have_not_started_are_not_counted(world, now):
    today = now.date()
    period = Period(today, date(today.year + 1, 1, 1), "Europe/London")
    report = attendance_report(group_scope(world["group"]), period, now)
    assert all(meeting.starts_at <= now for meeting in report.meetings)


def test_the_page_shows_the_figures_and_says_what_counts(world, history, client):
    login_as(client, world["facilitator"])
    response = client.get(f"/manage/groups/{world['group'].id}/report", query_string=history.period)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<dt>Total attendance</dt><dd>17</dd>" in page
    assert "<dt>Average attendance per meeting</dt><dd>5.7</dd>" in page
    assert "67%" in page and "6 of 9 members going came" in page
    assert "What the figures count" in page and "anonymous walk-ins counted at the door" in page
    for name in ("Alice", "Bob", "Carol", "Dan"):  # the report is numbers only
        assert name not in page


def test_the_chart_is_inline_svg_with_a_table_of_the_same_figures(world, history, client):
    login_as(client, world["staff"])
    page = client.get(
        f"/manage/groups/{world['group'].id}/report", query_string=history.period
    ).get_data(as_text=True)
    assert '<svg viewBox="0 0 720 320" role="img"' in page
    assert page.count('class="chart-members"') == 3  # M1, M2, M5 had members present (M4 none)
    assert "<caption>Attendance at each meeting" in page and "Attendance not recorded" in page
    assert "style=" not in page and "<script" not in page  # the CSP allows neither


def test_the_page_prints_without_the_navigation(world, history, client, app):
    login_as(client, world["staff"])
    page = client.get(f"/manage/groups/{world['group'].id}/report").get_data(as_text=True)
    assert "css/reports.css" in page
    css = client.get("/static/css/reports.css").get_data(as_text=True)
    assert "@media print" in css and ".site-header" in css


def test_the_organisation_page_lists_each_group(world, history, client):
    login_as(client, world["admin"])
    page = client.get("/manage/test-pain-clinic/report", query_string=history.period).get_data(
        as_text=True
    )
    assert "<dt>Total attendance</dt><dd>19</dd>" in page
    assert "Thursday Circle" in page and "Elsewhere Circle" not in page


def test_a_deleted_account_still_counts_as_numbers(world, history, now):
    scope, period = group_scope(world["group"]), _period(history)
    before = attendance_report(scope, period, now).totals
    delete_account(history.people["Bob"], PASSWORD)  # present at M1 and M2 (2 companions)
    db.session.commit()
    after = attendance_report(scope, period, now).totals
    assert after.total_attendance == before.total_attendance == 17
    assert after.first_timers == before.first_timers and after.companions == before.companions
    assert (after.unique_attendees, after.anonymised) == (3, 3)
    # His RSVPs went with his account, and so did his marks' link to them: 2 of 3 at M1,
    # 1 of 2 at M2, 1 of 2 at M5.
    assert (after.rsvps_going_present, after.rsvps_going_counted) == (4, 7)
