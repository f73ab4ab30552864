"""The report's CSV files: figures without names for everyone who may see the report; named
attendance for organisation admins only, each download audited; no cell runs as a formula."""

import csv
import io

import pytest
import sqlalchemy as sa

from groups.attendance.reports_export import csv_safe
from groups.audit.models import AuditEvent
from groups.extensions import db
from tests.attendance.reports_world import build_report_world, mark, past_meeting
from tests.support import login_as, make_user


@pytest.fixture
def history(world, now):
    return build_report_world(world, now)


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def _named_events() -> list[AuditEvent]:
    return db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "attendance.named_export")
    ).all()


def test_figures_csv_has_a_row_per_meeting_and_totals_and_no_names(world, history, client):
    login_as(client, world["facilitator"])
    response = client.get(
        f"/manage/groups/{world['group'].id}/report.csv", query_string=history.period
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="tuesday-circle-attendance-figures-'
        f'{history.period["from"]}-to-{history.period["to"]}.csv"'
    )
    rows = _rows(response)
    header, meetings, totals, unique = rows[0], rows[1:6], rows[6], rows[7]
    assert header[:8] == [
        "Date", "Time", "Group", "Meeting", "Members present", "Companions",
        "Anonymous walk-ins", "Total attendance",
    ]  # fmt: skip
    assert [row[3] for row in meetings] == [
        "Held", "Held", "Cancelled", "Held, not recorded", "Held",
    ]  # fmt: skip
    assert [row[7] for row in meetings] == ["6", "6", "", "0", "5"]
    assert meetings[0][:2] == [history.meetings["M1"].local_date.isoformat(), "18:30"]  # BST
    assert totals[3] == "4 held, 1 cancelled" and totals[4:8] == ["8", "4", "5", "17"]
    assert totals[12:] == ["9", "6", "3"]  # RSVPs going (counted), came, still waiting
    assert unique[:5] == ["Unique attendees", "", "", "", "4"]
    text = response.get_data(as_text=True)
    for person in history.people.values():
        assert person.display_name not in text and person.email not in text


def test_named_csv_lists_people_with_anonymous_members_unnamed_and_is_audited(
    world, history, client
):
    login_as(client, world["admin"])
    response = client.post(
        f"/manage/groups/{world['group'].id}/report/named.csv", query_string=history.period
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    rows = _rows(response)
    assert rows[0] == ["Date", "Time", "Group", "Person", "Marked", "Companions", "First meeting"]
    people = [(row[3], row[4], row[5], row[6]) for row in rows[1:]]
    assert people == [
        ("Alice", "Present", "1", "Yes"), ("Bob", "Present", "0", "Yes"),
        ("Dan", "Absent", "0", "No"), ("Anonymous", "Present", "0", "Yes"),
        ("Alice", "Present", "0", "No"), ("Anonymised (no longer linked to a person)", "Present",
         "0", "Yes"), ("Bob", "Present", "2", "No"), ("Dan", "Present", "0", "Yes"),
        ("Alice", "Absent", "0", "No"), ("Anonymous", "Present", "1", "No"),
    ]  # fmt: skip
    assert "Carol" not in response.get_data(as_text=True)  # she chose anonymous counting
    [event] = _named_events()
    assert (event.actor_id, event.object_type, event.object_id) == (
        world["admin"].id, "group", world["group"].id,
    )  # fmt: skip
    assert event.organisation_id == world["organisation"].id
    assert event.detail == {"period": history.period}


def test_each_named_download_is_audited_for_the_organisation_too(world, history, client):
    login_as(client, world["admin"])
    url = "/manage/test-pain-clinic/report/named.csv"
    client.post(url, query_string=history.period)
    response = client.post(url, query_string=history.period)
    assert "Thursday Circle" in response.get_data(as_text=True)
    assert "Zed" not in response.get_data(as_text=True)  # another organisation's member
    events = _named_events()
    assert len(events) == 2
    assert {(e.object_type, e.object_id) for e in events} == {
        ("organisation", world["organisation"].id)
    }


def test_refused_named_downloads_leave_no_audit_event_and_no_names(world, history, client):
    for role in ("staff", "facilitator"):
        login_as(client, world[role])
        response = client.post(
            f"/manage/groups/{world['group'].id}/report/named.csv", query_string=history.period
        )
        assert response.status_code == 403 and "Alice" not in response.get_data(as_text=True)
    assert _named_events() == []


def test_named_download_needs_the_pages_csrf_token(world, history, client, app):
    login_as(client, world["admin"])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(f"/manage/groups/{world['group'].id}/report/named.csv")
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert _named_events() == []


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
        ("+44 cmd", "'+44 cmd"), ("-1+1", "'-1+1"), ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"), ("Alice", "Alice"), ("", ""), (3, 3),
    ],
)  # fmt: skip
def test_cells_a_spreadsheet_would_run_are_made_text(value, safe):
    assert csv_safe(value) == safe


def test_group_and_person_names_cannot_inject_formulas(world, client, now):
    group = world["group"]
    group.name = "=cmd|' /C calc'!A0"
    meeting = past_meeting(group, now, 40)
    mark(meeting, make_user("@Mallory"), first_time=True)
    db.session.commit()
    login_as(client, world["admin"])
    figures = _rows(client.get(f"/manage/groups/{group.id}/report.csv"))
    assert figures[1][2] == "'=cmd|' /C calc'!A0"
    named = _rows(client.post(f"/manage/groups/{group.id}/report/named.csv"))
    assert named[1][2:4] == ["'=cmd|' /C calc'!A0", "'@Mallory"]
