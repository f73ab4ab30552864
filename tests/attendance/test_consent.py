"""A member chooses, per group, to be counted anonymously: the roster then never names them."""

from datetime import timedelta

import pytest

from groups.attendance.consent import is_counted_anonymously
from groups.attendance.roster import ANONYMOUS_LABEL
from groups.extensions import db
from tests.attendance.roster_helpers import answered, attendance_of, came, meeting_at
from tests.support import login_as, status_for


def counting_url(group) -> str:
    return f"/my/groups/{group.slug}/counting"


@pytest.fixture
def signed_in_member(client, world):
    login_as(client, world["member"])
    return client


def test_a_member_chooses_to_be_counted_anonymously(signed_in_member, world, now):
    meeting = meeting_at(world["group"], now - timedelta(hours=1))
    answered(meeting, world["member"])
    db.session.commit()

    response = signed_in_member.post(counting_url(world["group"]), data={"counting": "anonymous"})

    assert response.status_code == 302
    assert is_counted_anonymously(world["member"], world["group"])
    login_as(signed_in_member, world["facilitator"])
    roster = signed_in_member.get(f"/manage/meetings/{meeting.id}/attendance")
    page = roster.get_data(as_text=True)
    assert ANONYMOUS_LABEL in page
    assert ">Member<" not in page and f'name="mark-{world["member"].id}"' not in page


def test_the_choice_is_per_group(signed_in_member, world):
    signed_in_member.post(counting_url(world["group"]), data={"counting": "anonymous"})

    assert not is_counted_anonymously(world["member"], world["elsewhere_group"])


def test_choosing_anonymous_also_hides_the_name_on_meetings_already_recorded(
    signed_in_member, world, now
):
    earlier = meeting_at(world["group"], now - timedelta(days=7))
    came(earlier, world["member"])
    db.session.commit()

    signed_in_member.post(counting_url(world["group"]), data={"counting": "anonymous"})

    assert attendance_of(earlier)[world["member"].id][3] is True


def test_a_member_can_change_back_to_being_named(signed_in_member, world):
    signed_in_member.post(counting_url(world["group"]), data={"counting": "anonymous"})
    signed_in_member.post(counting_url(world["group"]), data={"counting": "named"})

    db.session.expire_all()
    assert not is_counted_anonymously(world["member"], world["group"])


def test_saving_the_same_choice_twice_is_harmless(signed_in_member, world):
    for _ in range(2):
        response = signed_in_member.post(
            counting_url(world["group"]), data={"counting": "anonymous"}
        )
        assert response.status_code == 302
    assert is_counted_anonymously(world["member"], world["group"])


def test_the_page_says_the_current_choice(signed_in_member, world):
    signed_in_member.post(counting_url(world["group"]), data={"counting": "anonymous"})

    page = signed_in_member.get(counting_url(world["group"])).get_data(as_text=True)

    assert "Now: <strong>counted anonymously</strong>" in page
    assert '<input checked id="counting-1" name="counting" type="radio" value="anonymous">' in page


def test_a_made_up_choice_is_refused(signed_in_member, world):
    response = signed_in_member.post(counting_url(world["group"]), data={"counting": "invisible"})

    assert response.status_code == 400
    assert not is_counted_anonymously(world["member"], world["group"])


def test_signed_out_people_are_sent_to_sign_in(client, world):
    assert status_for(client, world, "anonymous", "GET", counting_url(world["group"])) == 302
    assert status_for(client, world, "anonymous", "POST", counting_url(world["group"])) == 302


def test_an_unlisted_group_is_only_for_people_who_have_been(signed_in_member, world, now):
    world["group"].is_listed = False
    db.session.commit()

    assert signed_in_member.get(counting_url(world["group"])).status_code == 404
    assert signed_in_member.get("/my/groups/no-such-group/counting").status_code == 404

    came(meeting_at(world["group"], now - timedelta(days=7)), world["member"])
    db.session.commit()
    assert signed_in_member.get(counting_url(world["group"])).status_code == 200
