"""Who may see reports, and that a report's queries don't grow with its meetings."""

from datetime import timedelta

from groups.extensions import db
from tests.attendance.reports_world import mark, past_meeting, rsvp, walk_ins
from tests.support import QueryCounter, access_statuses, login_as, make_user

INSIDERS = ("admin", "staff", "facilitator", "site_admin")
KEPT_OUT = {"anonymous": 302, "member": 404, "other_staff": 404, "other_facilitator": 404}


def _group_urls(world) -> list[str]:
    base = f"/manage/groups/{world['group'].id}/report"
    return [base, f"{base}.csv"]


def test_group_report_is_for_its_facilitators_and_the_organisations_admins_and_staff(world, client):
    for url in _group_urls(world):
        assert access_statuses(client, world, "GET", url) == KEPT_OUT, url
        assert access_statuses(client, world, "GET", url, INSIDERS) == {
            "admin": 200, "staff": 200, "facilitator": 200, "site_admin": 404,
        }, url  # fmt: skip


def test_organisation_report_is_for_admins_and_staff_not_a_groups_facilitator(world, client):
    for url in ("/manage/test-pain-clinic/report", "/manage/test-pain-clinic/report.csv"):
        assert access_statuses(client, world, "GET", url) == KEPT_OUT, url
        assert access_statuses(client, world, "GET", url, INSIDERS) == {
            "admin": 200, "staff": 200, "facilitator": 404, "site_admin": 404,
        }, url  # fmt: skip


def test_named_attendance_is_for_organisation_admins_only(world, client):
    group_named = f"/manage/groups/{world['group'].id}/report/named.csv"
    assert access_statuses(client, world, "POST", group_named) == KEPT_OUT
    assert access_statuses(client, world, "POST", group_named, INSIDERS) == {
        "admin": 200, "staff": 403, "facilitator": 403, "site_admin": 404,
    }  # fmt: skip
    organisation_named = "/manage/test-pain-clinic/report/named.csv"
    assert access_statuses(client, world, "POST", organisation_named) == KEPT_OUT
    assert access_statuses(client, world, "POST", organisation_named, INSIDERS) == {
        "admin": 200, "staff": 403, "facilitator": 404, "site_admin": 404,
    }  # fmt: skip


def test_reports_of_another_organisation_stay_hidden(world, client):
    login_as(client, world["admin"])
    assert client.get(f"/manage/groups/{world['elsewhere_group'].id}/report").status_code == 404
    assert client.get("/manage/elsewhere-centre/report").status_code == 404
    assert client.get("/manage/no-such-place/report").status_code == 404


def test_only_admins_see_the_named_download_button(world, client):
    url = f"/manage/groups/{world['group'].id}/report"
    for role, shown in (("admin", True), ("staff", False), ("facilitator", False)):
        login_as(client, world[role])
        assert ("Download attendance with names" in client.get(url).get_data(as_text=True)) is (
            shown
        ), role


def _history(world, now, meetings: int, prefix: str) -> None:
    """``meetings`` past meetings of each group, each with marks, RSVPs and walk-ins."""
    people = [make_user(f"{prefix}{index}") for index in range(3)]
    for group in (world["group"], world["elsewhere_group"]):
        for index in range(meetings):
            meeting = past_meeting(group, now, 40 + index)
            for number, person in enumerate(people):
                rsvp(meeting, person)
                mark(meeting, person, companions=number % 2, first_time=index == 0)
            walk_ins(meeting, 1)
    db.session.commit()


def _queries(client, now, url: str) -> int:
    period = {"from": (now - timedelta(days=365)).date().isoformat()}
    with QueryCounter(db.engine) as counter:
        response = client.get(url, query_string=period)
    assert response.status_code == 200
    return counter.count


def test_report_queries_do_not_grow_with_the_number_of_meetings(world, client, now, app):
    login_as(client, world["admin"])
    urls = [
        f"/manage/groups/{world['group'].id}/report",
        f"/manage/groups/{world['group'].id}/report.csv",
        "/manage/test-pain-clinic/report",
    ]
    _history(world, now, 3, "Early")
    few = [_queries(client, now, url) for url in urls]
    _history(world, now - timedelta(days=3), 17, "Later")  # 20 meetings of each group now
    many = [_queries(client, now, url) for url in urls]
    assert few == many
