"""The roster page at the door: who may open and save it, what it shows, how a save answers
(a page without JavaScript, JSON for roster.js), and that a failed save loses no mark."""

import re
from datetime import timedelta

import pytest

from groups.attendance.models import MeetingHeadcount
from groups.attendance.roster import ANONYMOUS_LABEL, roster_for
from groups.extensions import db
from groups.rsvps.models import RSVPStatus
from tests.attendance.roster_helpers import (
    answered,
    attendance_events,
    attendance_of,
    came,
    counted_anonymously,
    meeting_at,
)
from tests.support import QueryCounter, access_statuses, login_as, make_user, status_for

OUTSIDERS_REFUSED = {"anonymous": 302, "member": 404, "other_staff": 404, "other_facilitator": 404}
JSON = {"Accept": "application/json"}


@pytest.fixture
def meeting(world, now):
    """A meeting of the Tuesday Circle that started an hour ago."""
    meeting = meeting_at(world["group"], now - timedelta(hours=1))
    db.session.commit()
    return meeting


def url(meeting) -> str:
    return f"/manage/meetings/{meeting.id}/attendance"


def signed_in(client, user):
    login_as(client, user)
    return client


def test_outsiders_can_neither_open_nor_save_the_roster(client, world, meeting):
    maria = answered(meeting, "Maria")
    db.session.commit()
    data = {f"mark-{maria.id}": "present", "walk_ins": "5"}

    assert access_statuses(client, world, "GET", url(meeting)) == OUTSIDERS_REFUSED
    assert access_statuses(client, world, "POST", url(meeting), data=data) == OUTSIDERS_REFUSED
    assert status_for(client, world, "site_admin", "GET", url(meeting)) == 404
    assert attendance_of(meeting) == {}
    assert db.session.get(MeetingHeadcount, meeting.id) is None


@pytest.mark.parametrize("role", ["facilitator", "staff", "admin"])
def test_the_groups_facilitators_staff_and_admins_take_attendance(client, world, meeting, role):
    maria = answered(meeting, "Maria")
    db.session.commit()

    assert status_for(client, world, role, "GET", url(meeting)) == 200
    data = {f"mark-{maria.id}": "present"}
    assert status_for(client, world, role, "POST", url(meeting), data=data) == 302
    assert attendance_of(meeting) == {maria.id: ("present", 0, True, False)}


def test_an_unknown_meeting_is_not_found(client, world):
    assert status_for(client, world, "staff", "GET", "/manage/meetings/999999/attendance") == 404


def test_the_page_lists_people_with_big_toggles_labelled_by_name(client, world, meeting):
    maria = answered(meeting, "Maria", companions=1)
    answered(meeting, "Dev", status=RSVPStatus.WAITLISTED)
    db.session.commit()

    page = signed_in(client, world["facilitator"]).get(url(meeting)).get_data(as_text=True)

    assert f'name="mark-{maria.id}"' in page
    assert f'<label class="mark mark-present" for="mark-{maria.id}-present">Came' in page
    assert "<legend>" in page and "Maria" in page and "Waiting list" in page
    assert "First meeting" in page
    assert "disabled" not in page  # an open roster: every box is sent with the form
    assert 'role="status"' in page and 'role="alert"' in page
    # The CSP forbids inline script and style: the page has neither.
    assert "style=" not in page
    assert re.findall(r"<script(?![^>]*\ssrc=)", page) == []
    assert "js/roster.js" in page


def test_a_member_counted_anonymously_is_never_named_on_the_roster(client, world, meeting, now):
    shy = answered(meeting, "Shyanne", companions=1)
    counted_anonymously(world["group"], shy)
    earlier = meeting_at(world["group"], now - timedelta(days=7))
    came(earlier, shy, anonymous=True)
    db.session.commit()

    client = signed_in(client, world["facilitator"])
    pages = [
        client.get(url(meeting)).get_data(as_text=True),
        client.get(url(meeting) + "?q=shy").get_data(as_text=True),  # walk-in search
        client.get(url(meeting) + f"?add={shy.id}").get_data(as_text=True),
    ]

    for page in pages:
        assert "Shyanne" not in page
        assert f'name="mark-{shy.id}"' not in page
        assert ANONYMOUS_LABEL in page


def test_saving_without_javascript_says_when_it_was_saved(client, world, meeting):
    maria = answered(meeting, "Maria")
    db.session.commit()

    client = signed_in(client, world["facilitator"])
    response = client.post(
        url(meeting), data={f"mark-{maria.id}": "present", "walk_ins": "2"}, follow_redirects=True
    )

    page = response.get_data(as_text=True)
    assert re.search(r"Saved at \d\d:\d\d\.", page)
    assert f'id="mark-{maria.id}-present" value="present" checked' in page
    assert db.session.get(MeetingHeadcount, meeting.id).walk_ins == 2


def test_roster_js_gets_json_and_saving_twice_doubles_nothing(client, world, meeting):
    maria = answered(meeting, "Maria")
    db.session.commit()
    data = {f"mark-{maria.id}": "present", "walk_ins": "3", "note": "Cold room"}

    client = signed_in(client, world["facilitator"])
    first = client.post(url(meeting), data=data, headers=JSON)
    second = client.post(url(meeting), data=data, headers=JSON)

    assert first.status_code == 200 and first.json["changed"] is True
    assert re.fullmatch(r"Saved at \d\d:\d\d\.", first.json["message"])
    assert second.json["changed"] is False
    assert attendance_of(meeting) == {maria.id: ("present", 0, True, False)}
    assert db.session.get(MeetingHeadcount, meeting.id).walk_ins == 3
    assert len(attendance_events(meeting)) == 1


def test_negative_walk_ins_give_a_clear_message_and_keep_the_marks(client, world, meeting):
    maria = answered(meeting, "Maria")
    db.session.commit()
    data = {f"mark-{maria.id}": "present", "walk_ins": "-2"}

    client = signed_in(client, world["facilitator"])
    response = client.post(url(meeting), data=data)
    as_json = client.post(url(meeting), data=data, headers=JSON)

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The number of walk-ins can&#39;t be below 0." in page
    assert f'id="mark-{maria.id}-present" value="present" checked' in page  # nothing lost
    assert as_json.status_code == 400 and "below 0" in as_json.json["error"]
    assert attendance_of(meeting) == {}


def test_a_tampered_person_id_saves_nothing(client, world, meeting, now):
    maria = answered(meeting, "Maria")
    stranger = answered(meeting_at(world["elsewhere_group"], now), "Stranger")
    db.session.commit()

    response = signed_in(client, world["facilitator"]).post(
        url(meeting),
        data={f"mark-{maria.id}": "present", f"mark-{stranger.id}": "present"},
        headers=JSON,
    )

    assert response.status_code == 400
    assert "isn't on this meeting's list" in response.json["error"]
    assert attendance_of(meeting) == {}


def test_a_made_up_mark_saves_nothing(client, world, meeting):
    maria = answered(meeting, "Maria")
    db.session.commit()

    response = signed_in(client, world["facilitator"]).post(
        url(meeting), data={f"mark-{maria.id}": "maybe"}, headers=JSON
    )

    assert response.status_code == 400
    assert attendance_of(meeting) == {}


def test_a_meeting_past_the_window_shows_why_and_saves_nothing(client, world, now):
    old = meeting_at(world["group"], now - timedelta(days=20))
    maria = answered(old, "Maria")
    db.session.commit()

    client = signed_in(client, world["facilitator"])
    page = client.get(url(old)).get_data(as_text=True)
    response = client.post(url(old), data={f"mark-{maria.id}": "present"})

    assert "can&#39;t be changed any more" in page
    assert "Save attendance" not in page
    assert response.status_code == 400
    assert attendance_of(old) == {}


def test_a_walk_in_is_found_by_name_and_added_to_the_list(client, world, meeting, now):
    earlier = meeting_at(world["group"], now - timedelta(days=7))
    morgan = make_user("Morgan")
    came(earlier, morgan)
    db.session.commit()

    client = signed_in(client, world["facilitator"])
    found = client.get(url(meeting) + "?q=morg").get_data(as_text=True)
    added = client.get(url(meeting) + f"?add={morgan.id}").get_data(as_text=True)
    client.post(url(meeting), data={f"mark-{morgan.id}": "present"})

    assert "Add Morgan to the list" in found
    assert f'name="mark-{morgan.id}"' in added and "Walk-in" in added
    assert attendance_of(meeting) == {morgan.id: ("present", 0, False, False)}


def test_the_roster_page_query_count_does_not_grow_with_people(client, world, meeting, now):
    earlier = meeting_at(world["group"], now - timedelta(days=7))

    def queries_for_page() -> int:
        login_as(client, world["facilitator"])
        with QueryCounter(db.engine) as counter:
            assert client.get(url(meeting)).status_code == 200
        return counter.count

    for index in range(2):
        came(earlier, answered(meeting, f"Person{index}"))
    db.session.commit()
    few = queries_for_page()
    for index in range(2, 12):
        user = answered(meeting, f"Person{index}", status=RSVPStatus.WAITLISTED)
        if index % 2:
            counted_anonymously(world["group"], user)
    db.session.commit()

    assert queries_for_page() == few
    assert len(roster_for(meeting).entries) == 12


def test_a_save_without_the_forms_token_is_refused(app, client, world, meeting, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    maria = answered(meeting, "Maria")
    db.session.commit()
    client = signed_in(client, world["facilitator"])

    page = client.get(url(meeting)).get_data(as_text=True)
    refused = client.post(url(meeting), data={f"mark-{maria.id}": "present"}, headers=JSON)

    assert 'name="csrf_token"' in page  # roster.js sends the whole form, token included
    assert refused.status_code == 400
    assert attendance_of(meeting) == {}
