"""A member's own page: what they're going to, their waitlist places, what they went to."""

from datetime import timedelta

from groups.attendance.models import Attendance, AttendanceStatus
from groups.extensions import db
from groups.rsvps.logic import make_rsvp
from groups.schedules.logic import cancel_meeting
from groups.schedules.models import Meeting, MeetingStatus
from tests.rsvps.helpers import upcoming_meetings
from tests.support import QueryCounter, login_as, make_user


def test_my_meetings_shows_going_waiting_cancelled_and_attended(world, client, now):
    first, second, third = upcoming_meetings(world)[:3]
    second.capacity = 1
    make_rsvp(first.id, world["member"], companions=1, now=now)
    make_rsvp(second.id, world["staff"], companions=0, now=now)
    make_rsvp(second.id, world["member"], companions=0, now=now)
    make_rsvp(third.id, world["member"], companions=0, now=now)
    cancel_meeting(third, "Snow", now=now)
    past = Meeting(
        group_id=world["group"].id, starts_at=now - timedelta(days=7),
        ends_at=now - timedelta(days=7, hours=-1), local_date=(now - timedelta(days=7)).date(),
        status=MeetingStatus.SCHEDULED,
    )  # fmt: skip
    db.session.add(past)
    db.session.flush()
    db.session.add(Attendance(meeting=past, user=world["member"], status=AttendanceStatus.PRESENT))
    db.session.commit()
    login_as(client, world["member"])
    page = client.get("/my/meetings").get_data(as_text=True)
    assert "You're going</strong> with 1 companion" in page
    assert "You're number 1 on the waiting list" in page
    assert "Cancelled:" in page and "Snow" in page
    assert "Meetings you went to" in page and f"{past.local_date.day}" in page
    assert "Staff" not in page.split("<main")[1]  # never another member's name


def test_my_meetings_query_count_does_not_grow_with_rsvps(world, client, now):
    login_as(client, world["member"])
    meetings = upcoming_meetings(world)

    def wait_for(meeting):
        meeting.capacity = 1
        make_rsvp(meeting.id, make_user(f"Other{meeting.id}"), companions=0, now=now)
        make_rsvp(meeting.id, world["member"], companions=0, now=now)

    wait_for(meetings[0])
    db.session.commit()
    with QueryCounter(db.engine) as few:
        client.get("/my/meetings")
    for meeting in meetings[1:12]:
        wait_for(meeting)
    db.session.commit()
    with QueryCounter(db.engine) as many:
        page = client.get("/my/meetings").get_data(as_text=True)
    assert page.count("on the waiting list") == 12
    assert many.count == few.count
