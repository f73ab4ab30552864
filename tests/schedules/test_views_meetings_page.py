"""The group's meetings page: its schedules, the next 26 weeks of meetings with their answers,
and the last ten meetings on request."""

from datetime import time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from groups.extensions import db
from groups.organisations.models import Group, Venue
from groups.rsvps.models import RSVP, RSVPStatus
from groups.schedules.logic import add_one_off_meeting, cancel_meeting, move_meeting
from groups.schedules.models import Meeting, MeetingStatus
from tests.support import QueryCounter, login_as, make_user


def upcoming(world) -> list[Meeting]:
    return db.session.scalars(
        sa.select(Meeting)
        .where(Meeting.schedule_id == world["schedule"].id)
        .order_by(Meeting.starts_at)
    ).all()


def page(client, world, user="staff", query="") -> str:
    login_as(client, world[user])
    response = client.get(f"/manage/groups/{world['group'].id}/meetings{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_staff_see_the_schedule_and_the_next_meetings_in_local_time(client, world):
    html = page(client, world)
    assert "Every week on Tuesday at 18:30" in html
    assert "Room 1" in html
    first = upcoming(world)[0]
    local = first.starts_at.astimezone(ZoneInfo("Europe/London"))
    assert f"{local:%A} {local.day} {local:%B %Y}, 18:30 to 20:00" in html
    assert "Add an extra meeting" in html and "Add a schedule" in html
    assert f"/manage/schedules/{world['schedule'].id}/edit" in html
    assert f"/manage/meetings/{first.id}/cancel" in html
    assert f"/manage/meetings/{first.id}/move" in html
    assert f"/manage/meetings/{first.id}/details" in html


def test_facilitators_see_no_schedule_links_unless_the_organisation_allows(client, world):
    html = page(client, world, "facilitator")
    assert "Add an extra meeting" in html
    assert "Add a schedule" not in html
    assert f"/manage/schedules/{world['schedule'].id}/edit" not in html
    world["organisation"].facilitators_manage_schedules = True
    db.session.commit()
    html = page(client, world, "facilitator")
    assert "Add a schedule" in html
    assert f"/manage/schedules/{world['schedule'].id}/edit" in html


def test_each_meeting_shows_its_status_topic_places_and_answers(client, world, now):
    meetings = upcoming(world)
    cancel_meeting(meetings[0], "The room is being painted.", now=now)
    move_meeting(
        meetings[1], local_date=meetings[1].local_date + timedelta(days=1),
        start_time=time(10, 0), duration_minutes=60, venue=world["venue"], now=now,
    )  # fmt: skip
    meetings[2].topic, meetings[2].guest_speaker, meetings[2].capacity = "Pacing", "Dr Rao", 4
    db.session.add_all([
        RSVP(meeting=meetings[2], user=world["member"], status=RSVPStatus.GOING, companions=2),
        RSVP(meeting=meetings[2], user=make_user("Second"), status=RSVPStatus.GOING),
        RSVP(meeting=meetings[2], user=make_user("Third"), status=RSVPStatus.WAITLISTED),
        RSVP(meeting=meetings[2], user=make_user("Fourth"), status=RSVPStatus.CANCELLED),
    ])  # fmt: skip
    db.session.commit()
    html = page(client, world)
    assert "Cancelled" in html and "The room is being painted." in html
    assert "Moved" in html and "It was planned for" in html
    assert "Topic: Pacing" in html and "Guest speaker: Dr Rao" in html
    assert "Going: 2 people (4 places taken with companions) · Places: 4 · Waiting list: 1" in html
    # A cancelled meeting can't be cancelled or moved again, but its details can be read.
    assert f"/manage/meetings/{meetings[0].id}/cancel" not in html
    assert f"/manage/meetings/{meetings[0].id}/details" in html


def test_an_extra_meeting_is_marked_as_one(client, world, now):
    add_one_off_meeting(
        world["group"], local_date=(now + timedelta(days=3)).date(), start_time=time(14, 0),
        duration_minutes=60, venue=world["venue"], now=now, topic="Summer picnic",
    )  # fmt: skip
    db.session.commit()
    html = page(client, world)
    assert "Extra meeting" in html and "Summer picnic" in html


def test_the_last_ten_past_meetings_show_on_request(client, world, now):
    for weeks in range(1, 13):
        start = now - timedelta(weeks=weeks)
        db.session.add(
            Meeting(
                group=world["group"], starts_at=start, ends_at=start + timedelta(hours=1),
                local_date=start.date(), status=MeetingStatus.SCHEDULED,
                venue_override=world["venue"], topic=f"Past topic {weeks:02d}",
            )
        )  # fmt: skip
    db.session.commit()
    html = page(client, world)
    assert "Past topic" not in html
    assert "Show the last 10 meetings" in html
    html = page(client, world, query="?past=1")
    assert "Past topic 01" in html and "Past topic 10" in html
    assert "Past topic 11" not in html
    assert html.count("/cancel") == len(upcoming(world))  # no actions on past meetings


def _count_queries(client, group_id: int) -> int:
    db.session.remove()  # an empty identity map, as in a real request
    with QueryCounter(db.engine) as counter:
        response = client.get(f"/manage/groups/{group_id}/meetings?past=1")
    assert response.status_code == 200
    return counter.count


def _add_meetings(group, now, numbers) -> None:
    """Extra and past meetings, each at its own venue, each with someone going."""
    for number in numbers:
        venue = Venue(
            organisation=group.organisation, name=f"Room {number + 10}", address_line1="1 Road",
            town="Sheffield", country="GB", latitude=53.3, longitude=-1.4,
            timezone="Europe/London",
        )  # fmt: skip
        meeting = add_one_off_meeting(
            group, local_date=(now + timedelta(days=number + 2)).date(), start_time=time(9, 0),
            duration_minutes=60, venue=venue, now=now,
        )  # fmt: skip
        person = make_user(f"Person{number}")
        db.session.add(RSVP(meeting=meeting, user=person, status=RSVPStatus.GOING, companions=1))
        start = now - timedelta(days=number + 1)
        db.session.add(Meeting(group=group, starts_at=start, ends_at=start + timedelta(hours=1),
                               local_date=start.date(), venue_override=venue))  # fmt: skip
    db.session.commit()


def test_the_page_needs_the_same_few_queries_however_many_meetings(client, world, now):
    group_id = world["group"].id
    login_as(client, world["staff"])
    _add_meetings(world["group"], now, [0])
    before = _count_queries(client, group_id)

    _add_meetings(db.session.get(Group, group_id), now, range(1, 9))
    assert _count_queries(client, group_id) == before
    assert before <= 14
