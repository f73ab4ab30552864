"""Staff and facilitators change one meeting: cancel it with a reason, move it, set its topic,
speaker and places, or add an extra one. Past meetings are history and can't be changed."""

import re
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from groups.extensions import db
from groups.rsvps.models import RSVP, RSVPStatus
from groups.schedules.models import Meeting, MeetingChange, MeetingChangeKind, MeetingStatus
from tests.support import login_as, make_user

LONDON = ZoneInfo("Europe/London")


def next_meeting(world) -> Meeting:
    return db.session.scalar(
        sa.select(Meeting)
        .where(Meeting.schedule_id == world["schedule"].id)
        .order_by(Meeting.starts_at)
        .limit(1)
    )


def past_meeting(world, now) -> Meeting:
    start = now - timedelta(days=2)
    meeting = Meeting(
        group=world["group"], starts_at=start, ends_at=start + timedelta(hours=1),
        local_date=start.date(), venue_override=world["venue"],
    )  # fmt: skip
    db.session.add(meeting)
    db.session.commit()
    return meeting


def error_for(html: str, field_id: str) -> str:
    found = re.search(rf'<p class="error" id="{field_id}-error">(.*?)</p>', html, re.S)
    return found.group(1) if found else ""


def snapshot() -> list:
    """Every meeting as it is, to show that a refused form changed nothing."""
    return db.session.execute(
        sa.select(
            Meeting.id, Meeting.starts_at, Meeting.ends_at, Meeting.status, Meeting.venue_id,
            Meeting.capacity, Meeting.topic, Meeting.guest_speaker, Meeting.cancel_reason,
        ).order_by(Meeting.id)
    ).all()  # fmt: skip


def future_day(days: int = 10) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


@pytest.fixture
def staff(client, world):
    login_as(client, world["staff"])
    return client


# --- Cancelling ------------------------------------------------------------------------------


def test_a_facilitator_cancels_a_meeting_with_a_reason_members_see(client, world):
    meeting = next_meeting(world)
    db.session.add(RSVP(meeting=meeting, user=world["member"], status=RSVPStatus.GOING))
    db.session.commit()
    login_as(client, world["facilitator"])
    url = f"/manage/meetings/{meeting.id}/cancel"
    html = client.get(url).get_data(as_text=True)
    assert "1 person is going" in html and "Why is it cancelled?" in html
    response = client.post(url, data={"reason": "  The room is flooded.  "})
    assert response.status_code == 302
    db.session.refresh(meeting)
    assert meeting.status is MeetingStatus.CANCELLED
    assert meeting.cancel_reason == "The room is flooded."
    change = db.session.scalar(sa.select(MeetingChange))
    assert change.kind is MeetingChangeKind.CANCELLED and change.meeting_id == meeting.id
    html = client.get(f"/manage/groups/{world['group'].id}/meetings").get_data(as_text=True)
    assert "The meeting is cancelled" in html


def test_cancelling_without_a_reason_is_refused(staff, world):
    meeting = next_meeting(world)
    before = snapshot()
    html = staff.post(f"/manage/meetings/{meeting.id}/cancel", data={"reason": "   "}).get_data(
        as_text=True
    )
    assert "Say why the meeting is cancelled; members will see it." in error_for(html, "reason")
    assert snapshot() == before


def test_cancelling_a_reason_that_is_too_long_keeps_the_text(staff, world):
    meeting = next_meeting(world)
    before = snapshot()
    reason = "Closed. " * 200
    html = staff.post(f"/manage/meetings/{meeting.id}/cancel", data={"reason": reason}).get_data(
        as_text=True
    )
    assert "Use up to 1000 characters." in error_for(html, "reason")
    assert "Closed. Closed." in html
    assert snapshot() == before


def test_a_meeting_already_cancelled_says_so(staff, world, now):
    meeting = next_meeting(world)
    url = f"/manage/meetings/{meeting.id}/cancel"
    staff.post(url, data={"reason": "Snow."})
    html = staff.get(url).get_data(as_text=True)
    assert "already cancelled" in html and "Snow." in html
    html = staff.post(url, data={"reason": "Again."}).get_data(as_text=True)
    assert "This meeting is already cancelled." in html
    db.session.refresh(meeting)
    assert meeting.cancel_reason == "Snow."


@pytest.mark.parametrize("action", ["cancel", "move", "details"])
def test_past_meetings_cannot_be_changed(staff, world, now, action):
    meeting = past_meeting(world, now)
    before = snapshot()
    url = f"/manage/meetings/{meeting.id}/{action}"
    message = "This meeting has already started or taken place, so it can"
    assert message in staff.get(url).get_data(as_text=True)
    data = {
        "reason": "Too late.", "local_date": future_day(), "start_time": "10:00",
        "duration_minutes": "60", "venue_id": str(world["venue"].id), "topic": "History",
        "capacity": "3",
    }  # fmt: skip
    response = staff.post(url, data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert snapshot() == before


# --- Moving ----------------------------------------------------------------------------------


def test_the_move_form_starts_with_the_meeting_as_it_is(staff, world):
    meeting = next_meeting(world)
    html = staff.get(f"/manage/meetings/{meeting.id}/move").get_data(as_text=True)
    assert f'value="{meeting.local_date.isoformat()}"' in html
    assert 'value="18:30"' in html and '<option selected value="90">' in html


def test_moving_a_meeting_to_another_day_and_time(staff, world):
    meeting = next_meeting(world)
    new_day = meeting.local_date + timedelta(days=2)
    data = {
        "local_date": new_day.isoformat(), "start_time": "11:15", "duration_minutes": "120",
        "venue_id": str(world["venue"].id),
    }  # fmt: skip
    assert staff.post(f"/manage/meetings/{meeting.id}/move", data=data).status_code == 302
    db.session.refresh(meeting)
    start = meeting.starts_at.astimezone(LONDON)
    assert (start.date(), start.time()) == (new_day, time(11, 15))
    assert meeting.ends_at - meeting.starts_at == timedelta(hours=2)
    assert meeting.status is MeetingStatus.MOVED
    assert db.session.scalar(sa.select(MeetingChange.kind)) is MeetingChangeKind.MOVED


BAD_MOVES = [
    ({"local_date": (date.today() - timedelta(days=3)).isoformat()}, "local_date",
     "The new time is in the past. Choose a later date or time."),
    ({"local_date": ""}, "local_date", "Enter the date of the meeting."),
    ({"local_date": "31/02/2027"}, "local_date", "Enter a date like 24/03/2026."),
    ({"start_time": "quarter past"}, "start_time", "Enter a time on the 24-hour clock"),
    ({"duration_minutes": "0"}, "duration_minutes", "A meeting lasts between 1 minute and 12 hours."),
    ({"duration_minutes": "800"}, "duration_minutes", "A meeting lasts between 1 minute and 12 hours."),
    ({"venue_id": "elsewhere"}, "venue_id", "Choose one of your organisation&#39;s venues."),
]  # fmt: skip


@pytest.mark.parametrize(("change", "field_id", "message"), BAD_MOVES)
def test_a_bad_move_is_explained_and_changes_nothing(staff, world, change, field_id, message):
    meeting = next_meeting(world)
    data = {
        "local_date": future_day(), "start_time": "09:05", "duration_minutes": "60",
        "venue_id": str(world["venue"].id), **change,
    }  # fmt: skip
    if data["venue_id"] == "elsewhere":
        data["venue_id"] = str(world["elsewhere_venue"].id)
    before = snapshot()
    response = staff.post(f"/manage/meetings/{meeting.id}/move", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in error_for(html, field_id)
    if "start_time" not in change:
        assert 'value="09:05"' in html
    assert snapshot() == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MeetingChange)) == 0


# --- Topic, speaker and places ---------------------------------------------------------------


def test_setting_a_topic_speaker_and_places(staff, world):
    meeting = next_meeting(world)
    url = f"/manage/meetings/{meeting.id}/details"
    data = {"topic": "Sleep and pain", "guest_speaker": "Sam Lee, physiotherapist", "capacity": "6"}
    assert staff.post(url, data=data).status_code == 302
    db.session.refresh(meeting)
    assert (meeting.topic, meeting.guest_speaker, meeting.capacity) == (
        "Sleep and pain", "Sam Lee, physiotherapist", 6,
    )  # fmt: skip
    assert (
        staff.post(url, data={"topic": "", "guest_speaker": "", "capacity": ""}).status_code == 302
    )
    db.session.refresh(meeting)
    assert (meeting.topic, meeting.guest_speaker, meeting.capacity) == (None, None, None)
    assert meeting.effective_capacity == world["group"].default_capacity


def _fill(meeting, world, going_parties=(), waiting=0):
    for number, companions in enumerate(going_parties):
        db.session.add(RSVP(meeting=meeting, user=make_user(f"Going{number}"),
                            status=RSVPStatus.GOING, companions=companions))  # fmt: skip
    for number in range(waiting):
        db.session.add(RSVP(meeting=meeting, user=make_user(f"Waiting{number}"),
                            status=RSVPStatus.WAITLISTED))  # fmt: skip
    db.session.commit()


@pytest.mark.parametrize(
    ("capacity", "message"),
    [
        ("0", "Use a number from 1 to 500"),
        ("-3", "Use a number from 1 to 500"),
        ("many", "Not a valid integer value."),
        (
            "3",
            "5 places are already taken by people going (companions count too). Choose 5 or more",
        ),
    ],
)
def test_places_below_one_or_below_the_seats_taken_are_refused(staff, world, capacity, message):
    meeting = next_meeting(world)
    _fill(meeting, world, going_parties=(2, 0, 0))  # 3 people, 5 seats
    before = snapshot()
    data = {"topic": "Kept topic", "guest_speaker": "", "capacity": capacity}
    html = staff.post(f"/manage/meetings/{meeting.id}/details", data=data).get_data(as_text=True)
    assert message in error_for(html, "capacity")
    assert 'value="Kept topic"' in html and f'value="{capacity}"' in html
    assert snapshot() == before


def test_more_places_give_seats_to_people_waiting(staff, world):
    meeting = next_meeting(world)
    meeting.capacity = 2
    _fill(meeting, world, going_parties=(0, 0), waiting=2)
    response = staff.post(f"/manage/meetings/{meeting.id}/details", data={"capacity": "3"})
    assert response.status_code == 302
    statuses = db.session.scalars(
        sa.select(RSVP.status).where(RSVP.meeting_id == meeting.id).order_by(RSVP.id)
    ).all()
    assert statuses.count(RSVPStatus.GOING) == 3 and statuses.count(RSVPStatus.WAITLISTED) == 1


# --- Extra meetings --------------------------------------------------------------------------


def add_url(world) -> str:
    return f"/manage/groups/{world['group'].id}/meetings/new"


def test_a_facilitator_adds_an_extra_meeting(client, world):
    login_as(client, world["facilitator"])
    data = {
        "local_date": future_day(5), "start_time": "14:00", "duration_minutes": "60",
        "venue_id": str(world["venue"].id), "topic": "Summer picnic",
    }  # fmt: skip
    assert client.post(add_url(world), data=data).status_code == 302
    meeting = db.session.scalar(sa.select(Meeting).where(Meeting.schedule_id.is_(None)))
    assert meeting.topic == "Summer picnic" and meeting.venue_override == world["venue"]
    assert meeting.starts_at.astimezone(LONDON).time() == time(14, 0)


@pytest.mark.parametrize(("change", "field_id", "message"), BAD_MOVES)
def test_a_bad_extra_meeting_is_explained_and_nothing_is_added(staff, world, change, field_id, message):  # fmt: skip
    data = {
        "local_date": future_day(), "start_time": "09:05", "duration_minutes": "60",
        "venue_id": str(world["venue"].id), "topic": "Typed topic", **change,
    }  # fmt: skip
    if data["venue_id"] == "elsewhere":
        data["venue_id"] = str(world["elsewhere_venue"].id)
    message = message.replace("The new time is in the past", "That time is in the past")
    before = snapshot()
    html = staff.post(add_url(world), data=data).get_data(as_text=True)
    assert message in error_for(html, field_id)
    assert 'value="Typed topic"' in html
    assert snapshot() == before
