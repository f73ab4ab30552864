"""Who may open each schedule and meeting management page.

Outsiders (people of another organisation, members, the signed-out) never learn a group's
management pages exist; the group's facilitators run single meetings, and its schedules only when
the organisation allows it; staff and admins do everything.
"""

import pytest
import sqlalchemy as sa

from groups.extensions import db
from groups.schedules.models import Meeting
from tests.support import access_statuses, status_for

OUTSIDERS_REFUSED = {"anonymous": 302, "member": 404, "other_staff": 404, "other_facilitator": 404}


def next_meeting_id(world) -> int:
    return db.session.scalar(
        sa.select(Meeting.id)
        .where(Meeting.schedule_id == world["schedule"].id)
        .order_by(Meeting.starts_at)
        .limit(1)
    )


def meeting_urls(world) -> list[str]:
    group_id, meeting_id = world["group"].id, next_meeting_id(world)
    return [
        f"/manage/groups/{group_id}/meetings",
        f"/manage/groups/{group_id}/meetings/new",
        f"/manage/meetings/{meeting_id}/cancel",
        f"/manage/meetings/{meeting_id}/move",
        f"/manage/meetings/{meeting_id}/details",
    ]


def schedule_urls(world) -> list[str]:
    schedule_id = world["schedule"].id
    return [
        f"/manage/groups/{world['group'].id}/schedules/new",
        f"/manage/schedules/{schedule_id}/edit",
        f"/manage/schedules/{schedule_id}/end",
    ]


def all_urls(world) -> list[str]:
    return meeting_urls(world) + schedule_urls(world)


def test_outsiders_are_kept_out_of_every_page(client, world):
    for url in all_urls(world):
        assert access_statuses(client, world, "GET", url) == OUTSIDERS_REFUSED, url


def test_outsiders_cannot_post_to_any_form(client, world):
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Meeting))
    for url in all_urls(world)[1:]:  # the meetings page itself takes no POST
        assert access_statuses(client, world, "POST", url) == OUTSIDERS_REFUSED, url
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == before


def test_signed_out_people_are_sent_to_sign_in(client, world):
    for url in all_urls(world):
        response = client.get(url)
        assert response.status_code == 302
        assert "/sign-in" in response.headers["Location"], url


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_staff_and_admins_open_every_page(client, world, role):
    for url in all_urls(world):
        assert status_for(client, world, role, "GET", url) == 200, url


def test_facilitators_run_single_meetings_but_not_schedules(client, world):
    for url in meeting_urls(world):
        assert status_for(client, world, "facilitator", "GET", url) == 200, url
    for url in schedule_urls(world):
        assert status_for(client, world, "facilitator", "GET", url) == 403, url
        assert status_for(client, world, "facilitator", "POST", url) == 403, url


def test_facilitators_edit_schedules_when_the_organisation_allows_it(client, world):
    world["organisation"].facilitators_manage_schedules = True
    db.session.commit()
    for url in all_urls(world):
        assert status_for(client, world, "facilitator", "GET", url) == 200, url


def test_the_site_admin_has_no_role_inside_an_organisation(client, world):
    for url in all_urls(world):
        assert status_for(client, world, "site_admin", "GET", url) == 404, url


def test_pages_of_things_that_do_not_exist_are_not_found(client, world):
    for url in [
        "/manage/groups/999999/meetings",
        "/manage/groups/999999/meetings/new",
        "/manage/groups/999999/schedules/new",
        "/manage/schedules/999999/edit",
        "/manage/schedules/999999/end",
        "/manage/meetings/999999/cancel",
        "/manage/meetings/999999/move",
        "/manage/meetings/999999/details",
    ]:
        assert status_for(client, world, "staff", "GET", url) == 404, url


def test_staff_of_another_organisation_manage_their_own_group_only(client, world):
    elsewhere = f"/manage/groups/{world['elsewhere_group'].id}/meetings"
    assert status_for(client, world, "other_staff", "GET", elsewhere) == 200
    assert status_for(client, world, "other_facilitator", "GET", elsewhere) == 200
    assert status_for(client, world, "staff", "GET", elsewhere) == 404
