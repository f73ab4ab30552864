"""Members say they're coming from the group page: one tap, companions, every meeting, the
waitlist, cancelling; bad input changes nothing."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from groups.extensions import db
from groups.rsvps.logic import make_rsvp
from groups.rsvps.models import RSVP, RSVPStatus, StandingRSVP
from groups.schedules.logic import cancel_meeting, extend_meetings
from groups.schedules.models import Meeting, MeetingStatus
from tests.rsvps.helpers import next_meeting, rsvps_of
from tests.support import login_as, make_user


def test_one_tap_rsvp_from_the_group_page(world, client, now):
    meeting = next_meeting(world, now)
    login_as(client, world["member"])
    page = client.get("/groups/tuesday-circle").get_data(as_text=True)
    assert f'action="/meetings/{meeting.id}/rsvp"' in page
    response = client.post(f"/meetings/{meeting.id}/rsvp", data={"companions": "0"})
    assert response.status_code == 302
    assert response.location.endswith(f"/groups/tuesday-circle#meeting-{meeting.id}")
    [rsvp] = rsvps_of(meeting)
    assert (rsvp.user_id, rsvp.status, rsvp.companions) == (
        world["member"].id, RSVPStatus.GOING, 0,
    )  # fmt: skip
    page = client.get("/groups/tuesday-circle").get_data(as_text=True)
    assert "You're going" in page and "Cancel my place" in page


def test_rsvp_with_a_companion_takes_two_places(world, client, now):
    meeting = next_meeting(world, now)
    login_as(client, world["member"])
    client.post(f"/meetings/{meeting.id}/rsvp", data={"companions": "1"})
    [rsvp] = rsvps_of(meeting)
    assert rsvp.seats == 2
    page = client.get("/groups/tuesday-circle").get_data(as_text=True)
    assert "You're going</strong> with 1 companion" in page
    assert "8 places left" in page


def test_signing_in_from_the_rsvp_button_returns_to_the_meeting(world, client, now):
    meeting = next_meeting(world, now)
    page = client.get("/groups/tuesday-circle").get_data(as_text=True)
    assert f'href="/meetings/{meeting.id}/rsvp"' in page
    response = client.get(f"/meetings/{meeting.id}/rsvp")
    assert response.status_code == 302 and "/sign-in?next=" in response.location
    response = client.post(
        response.location,
        data={"email": "member@example.org", "password": "correct horse battery staple",
              "next": f"/meetings/{meeting.id}/rsvp"},
    )  # fmt: skip
    assert response.location == f"/meetings/{meeting.id}/rsvp"
    page = client.get(response.location).get_data(as_text=True)
    assert "Just me" in page and "every meeting" in page


def test_a_full_meeting_puts_the_member_on_the_waitlist_with_their_place(world, client, now):
    meeting = next_meeting(world, now)
    meeting.capacity = 1
    make_rsvp(meeting.id, world["staff"], companions=0, now=now)
    make_rsvp(meeting.id, world["admin"], companions=0, now=now)  # waitlist 1
    db.session.commit()
    login_as(client, world["member"])
    page = client.get("/groups/tuesday-circle").get_data(as_text=True)
    assert "Join the waiting list" in page
    client.post(f"/meetings/{meeting.id}/rsvp", data={"companions": "0"}, follow_redirects=True)
    page = client.get("/groups/tuesday-circle").get_data(as_text=True)
    assert "You're number 2 on the waiting list" in page


def test_every_meeting_of_the_schedule_gives_a_place_at_each_and_at_new_ones(world, client, now):
    meeting = next_meeting(world, now)
    login_as(client, world["member"])
    client.post(f"/meetings/{meeting.id}/rsvp", data={"companions": "1", "every_meeting": "y"})
    going = db.session.scalars(
        sa.select(RSVP).where(RSVP.user_id == world["member"].id, RSVP.status == RSVPStatus.GOING)
    ).all()
    planned = db.session.scalar(
        sa.select(sa.func.count()).select_from(Meeting).where(Meeting.starts_at > now)
    )
    assert len(going) == planned and {r.companions for r in going} == {1}
    # Meetings planned later get an RSVP too.
    schedule = world["schedule"]
    created = extend_meetings(schedule, now=now, until=now + timedelta(weeks=40))
    db.session.commit()
    assert created
    for new in created:
        assert [r.user_id for r in rsvps_of(new)] == [world["member"].id]


def test_stopping_every_meeting_frees_the_places(world, client, now):
    meeting = next_meeting(world, now)
    login_as(client, world["member"])
    client.post(f"/meetings/{meeting.id}/rsvp", data={"companions": "0", "every_meeting": "y"})
    standing = db.session.scalar(sa.select(StandingRSVP))
    page = client.get("/my/meetings").get_data(as_text=True)
    assert "Groups you go to every time" in page
    client.post(f"/my/every-meeting/{standing.id}/stop")
    db.session.expire_all()
    assert db.session.scalar(sa.select(StandingRSVP)) is None
    assert not db.session.scalars(sa.select(RSVP).where(RSVP.status != RSVPStatus.CANCELLED)).all()


def test_cancelling_promotes_the_next_waiting_member(world, client, now, app):
    meeting = next_meeting(world, now)
    meeting.capacity = 1
    mine = make_rsvp(meeting.id, world["member"], companions=0, now=now).rsvp
    waiting = make_rsvp(meeting.id, world["staff"], companions=0, now=now).rsvp
    db.session.commit()
    login_as(client, world["member"])
    response = client.post(f"/rsvps/{mine.id}/cancel")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(RSVP, mine.id).status is RSVPStatus.CANCELLED
    assert db.session.get(RSVP, waiting.id).status is RSVPStatus.GOING


def test_a_member_cannot_cancel_someone_elses_rsvp(world, client, now):
    meeting = next_meeting(world, now)
    theirs = make_rsvp(meeting.id, world["staff"], companions=0, now=now).rsvp
    db.session.commit()
    login_as(client, world["member"])
    assert client.post(f"/rsvps/{theirs.id}/cancel").status_code == 404
    db.session.expire_all()
    assert db.session.get(RSVP, theirs.id).status is RSVPStatus.GOING


def test_rsvp_pages_need_a_signed_in_member(world, client, now):
    meeting = next_meeting(world, now)
    assert client.post(f"/meetings/{meeting.id}/rsvp", data={"companions": "0"}).status_code == 302
    assert client.get("/my/meetings").status_code == 302
    assert client.post("/rsvps/1/cancel").status_code == 302
    assert client.post("/my/every-meeting/1/stop").status_code == 302
    assert rsvps_of(meeting) == []


def test_meetings_of_unlisted_groups_or_unapproved_organisations_take_no_rsvps(world, client, now):
    meeting = next_meeting(world, now)
    world["group"].is_listed = False
    db.session.commit()
    login_as(client, world["member"])
    assert client.post(f"/meetings/{meeting.id}/rsvp", data={"companions": "0"}).status_code == 404
    assert client.get("/meetings/999999/rsvp").status_code == 404
    assert rsvps_of(meeting) == []


# --- Bad input: a clear message, nothing changes --------------------------------------------


@pytest.mark.parametrize("companions", ["7", "-1", "many", ""])
def test_impossible_companion_numbers_are_refused(world, client, now, companions):
    meeting = next_meeting(world, now)
    login_as(client, world["member"])
    response = client.post(f"/meetings/{meeting.id}/rsvp", data={"companions": companions})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert (
        "Choose how many come with you" in page
        or "Not a valid choice" in page
        or ("Invalid Choice" in page)
    )
    assert rsvps_of(meeting) == []


def test_a_duplicated_rsvp_is_refused_and_nothing_doubles(world, client, now):
    meeting = next_meeting(world, now)
    login_as(client, world["member"])
    client.post(f"/meetings/{meeting.id}/rsvp", data={"companions": "0"})
    response = client.post(f"/meetings/{meeting.id}/rsvp", data={"companions": "2"})
    assert response.status_code == 400
    assert "already said you" in response.get_data(as_text=True)
    [rsvp] = rsvps_of(meeting)
    assert rsvp.companions == 0


def test_a_cancelled_meeting_is_refused_with_a_clear_message(world, client, now):
    meeting = next_meeting(world, now)
    cancel_meeting(meeting, "The room flooded", now=now)
    db.session.commit()
    login_as(client, world["member"])
    page = client.get(f"/meetings/{meeting.id}/rsvp").get_data(as_text=True)
    assert "This meeting is cancelled" in page and "I'm going</button>" not in page
    response = client.post(f"/meetings/{meeting.id}/rsvp", data={"companions": "0"})
    assert response.status_code == 400
    assert "This meeting is cancelled" in response.get_data(as_text=True)
    assert rsvps_of(meeting) == []


def test_a_meeting_in_the_past_is_refused_with_a_clear_message(world, client, now):
    past = Meeting(
        group_id=world["group"].id, starts_at=now - timedelta(days=2),
        ends_at=now - timedelta(days=2) + timedelta(hours=1),
        local_date=(now - timedelta(days=2)).date(), status=MeetingStatus.SCHEDULED,
    )  # fmt: skip
    db.session.add(past)
    db.session.commit()
    login_as(client, world["member"])
    response = client.post(f"/meetings/{past.id}/rsvp", data={"companions": "0"})
    assert response.status_code == 400
    assert "already started" in response.get_data(as_text=True)
    assert rsvps_of(past) == []


def test_rsvp_needs_the_csrf_token_when_protection_is_on(world, client, app, now):
    meeting = next_meeting(world, now)
    login_as(client, world["member"])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(f"/meetings/{meeting.id}/rsvp", data={"companions": "0"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert rsvps_of(meeting) == []


def test_group_without_rsvps_says_just_come_along(world, client, now):
    world["group"].rsvp_open = False
    db.session.commit()
    login_as(client, world["member"])
    page = client.get("/groups/tuesday-circle").get_data(as_text=True)
    assert "just come along" in page and "I'm going" not in page
    outsider = make_user("Walker")
    db.session.commit()
    login_as(client, outsider)
    meeting = next_meeting(world, now)
    assert client.post(f"/meetings/{meeting.id}/rsvp", data={"companions": "0"}).status_code == 400


def test_a_member_cannot_stop_someone_elses_standing_rsvp(world, client, now):
    meeting = next_meeting(world, now)
    login_as(client, world["staff"])
    client.post(f"/meetings/{meeting.id}/rsvp", data={"companions": "0", "every_meeting": "y"})
    standing = db.session.scalar(sa.select(StandingRSVP))
    login_as(client, world["member"])
    assert client.post(f"/my/every-meeting/{standing.id}/stop").status_code == 404
    db.session.expire_all()
    assert db.session.get(StandingRSVP, standing.id) is not None


def test_a_member_already_going_can_add_every_meeting(world, client, now):
    meeting = next_meeting(world, now)
    login_as(client, world["member"])
    client.post(f"/meetings/{meeting.id}/rsvp", data={"companions": "1"})
    page = client.get(f"/meetings/{meeting.id}/rsvp").get_data(as_text=True)
    assert "going to every meeting of this group</button>" in page
    client.post(f"/meetings/{meeting.id}/rsvp", data={"companions": "1", "every_meeting": "y"})
    assert db.session.scalar(sa.select(StandingRSVP.companions)) == 1
    assert len(rsvps_of(meeting)) == 1
    later = db.session.scalar(
        sa.select(sa.func.count()).select_from(RSVP).where(RSVP.status == RSVPStatus.GOING)
    )
    assert later > 1
    # Saying it twice changes nothing and says why.
    response = client.post(
        f"/meetings/{meeting.id}/rsvp", data={"companions": "1", "every_meeting": "y"}
    )
    assert response.status_code == 400 and "already going to every meeting" in response.get_data(
        as_text=True
    )


def test_new_meetings_of_a_group_no_longer_taking_rsvps_get_no_standing_copies(world, client, now):
    meeting = next_meeting(world, now)
    login_as(client, world["member"])
    client.post(f"/meetings/{meeting.id}/rsvp", data={"companions": "0", "every_meeting": "y"})
    world["group"].rsvp_open = False
    db.session.commit()
    created = extend_meetings(world["schedule"], now=now, until=now + timedelta(weeks=40))
    db.session.commit()
    assert created
    assert all(rsvps_of(new) == [] for new in created)
    assert db.session.scalar(sa.select(StandingRSVP)) is not None  # kept for when it reopens
