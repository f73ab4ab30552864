"""What staff type reaches the feeds exactly: forms store line breaks as LF and drop control
characters, so a title can't carry the CR that iCalendar text can't hold, nor break out of its
property."""

import icalendar
import sqlalchemy as sa

from groups.extensions import db
from groups.schedules.models import Meeting
from tests.support import login_as

HOSTILE = "Pain\r\nATTENDEE:mailto:x@example.com"


def test_a_hostile_topic_typed_by_staff_round_trips_exactly_in_the_group_feed(world, client, now):
    meeting = db.session.scalars(
        sa.select(Meeting).where(Meeting.starts_at > now).order_by(Meeting.starts_at)
    ).first()
    login_as(client, world["staff"])
    client.post(f"/manage/meetings/{meeting.id}/details", data={"topic": HOSTILE + "\x07"})
    db.session.expire_all()
    stored = db.session.get(Meeting, meeting.id).topic
    assert stored == "Pain\nATTENDEE:mailto:x@example.com"

    feed = client.get("/feeds/groups/tuesday-circle.ics").data
    assert b"\r\nATTENDEE" not in feed
    calendar = icalendar.Calendar.from_ical(feed)
    summaries = [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]
    assert f"Tuesday Circle: {stored}" in summaries
    assert not any("ATTENDEE" in event for event in calendar.walk("VEVENT"))
