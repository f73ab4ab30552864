"""The facilitator's home: their groups, today's and the next meetings, and a big "Take
attendance" button for the meeting on now or just ended."""

from datetime import timedelta

import pytest

from groups.attendance.facilitator_home import facilitator_home
from groups.extensions import db
from groups.organisations.models import Group, GroupKind
from groups.schedules.models import MeetingStatus
from tests.attendance.roster_helpers import meeting_at
from tests.support import QueryCounter, login_as, status_for

HOME = "/facilitate/"


@pytest.fixture
def noon(now):
    """Midday today (UTC): meetings a few hours either side are still today in London."""
    return now.replace(hour=12, minute=0, second=0, microsecond=0)


@pytest.fixture
def group(world):
    """A group of the clinic with no schedule, so only the meetings a test makes exist."""
    group = Group(
        organisation=world["organisation"], name="Drop-in", slug="drop-in",
        kind=GroupKind.PEER_SUPPORT, default_venue=world["venue"],
    )  # fmt: skip
    group.facilitators = [world["other_facilitator"]]
    db.session.add(group)
    return group


def test_the_meeting_on_now_or_just_ended_gets_the_button(world, group, noon):
    starting = meeting_at(group, noon + timedelta(minutes=20))
    just_ended = meeting_at(group, noon - timedelta(hours=2, minutes=30))
    long_ago = meeting_at(group, noon - timedelta(hours=4))
    later = meeting_at(group, noon + timedelta(hours=3))
    next_ones = [meeting_at(group, noon + timedelta(days=days)) for days in (2, 9, 16)]

    home = facilitator_home(world["other_facilitator"], noon)

    day = next(day for day in home.groups if day.group is group)
    assert home.on_now == [just_ended, starting]
    assert day.today == [later]
    assert day.recent == [long_ago]
    assert day.next == next_ones[:2]


def test_a_cancelled_meeting_gets_no_button(world, group, noon):
    meeting = meeting_at(group, noon)
    meeting.status, meeting.cancel_reason = MeetingStatus.CANCELLED, "Snow"

    assert facilitator_home(world["other_facilitator"], noon).on_now == []


def test_the_page_links_the_button_to_the_roster(client, world, now):
    meeting = meeting_at(world["group"], now - timedelta(hours=1))
    db.session.commit()
    login_as(client, world["facilitator"])

    page = client.get(HOME).get_data(as_text=True)

    assert f'href="/manage/meetings/{meeting.id}/attendance">Take attendance' in page
    assert 'class="button button-huge"' in page


def test_recent_meetings_say_whether_attendance_was_taken(client, world, now):
    meeting = meeting_at(world["group"], now - timedelta(days=2))
    db.session.commit()
    login_as(client, world["facilitator"])

    before = client.get(HOME).get_data(as_text=True)
    client.post(f"/manage/meetings/{meeting.id}/attendance", data={"walk_ins": "2"})
    after = client.get(HOME).get_data(as_text=True)

    assert "not recorded yet" in before
    assert "attendance saved" in after and "not recorded yet" not in after


def test_staff_see_their_organisations_groups_and_nobody_elses(client, world, now):
    meeting_at(world["group"], now - timedelta(minutes=10))
    db.session.commit()

    def page_for(role) -> str:
        client.delete_cookie("session")
        login_as(client, world[role])
        return client.get(HOME).get_data(as_text=True)

    for role in ("staff", "admin", "facilitator"):
        assert "Tuesday Circle" in page_for(role), role
    for role in ("member", "other_staff", "other_facilitator", "site_admin"):
        assert "Tuesday Circle" not in page_for(role), role
    assert "Elsewhere Circle" in page_for("other_staff")
    assert "You don't facilitate a group" in page_for("member")


def test_signed_out_people_are_sent_to_sign_in(client, world):
    assert status_for(client, world, "anonymous", "GET", HOME) == 302


def test_the_page_query_count_does_not_grow_with_groups_and_meetings(client, world, now):
    login_as(client, world["staff"])

    def queries() -> int:
        with QueryCounter(db.engine) as counter:
            assert client.get(HOME).status_code == 200
        return counter.count

    meeting_at(world["group"], now - timedelta(hours=1))
    db.session.commit()
    few = queries()
    for number in range(5):
        group = Group(
            organisation=world["organisation"], name=f"Circle {number}", slug=f"circle-{number}",
            kind=GroupKind.PEER_SUPPORT, default_venue=world["venue"],
        )  # fmt: skip
        db.session.add(group)
        for days in range(0, 8):
            meeting_at(group, now - timedelta(days=days, hours=1))
            meeting_at(group, now + timedelta(days=days, hours=2))
    db.session.commit()

    assert queries() == few
