"""Every email about a meeting carries its .ics, which a calendar parser reads back."""

import icalendar

from groups.extensions import db
from groups.rsvps.emails import queue_rsvp_confirmation
from groups.rsvps.logic import make_rsvp
from tests.rsvps.emails_support import queued_emails
from tests.rsvps.helpers import next_meeting


def ics_of(email) -> icalendar.Calendar:
    [part] = [p for p in email.iter_attachments() if p.get_content_type() == "text/calendar"]
    return icalendar.Calendar.from_ical(part.get_content())


def test_the_confirmation_carries_the_meetings_calendar_file(world, now):
    meeting = next_meeting(world, now)
    rsvp = make_rsvp(meeting.id, world["member"], companions=0, now=now).rsvp
    queue_rsvp_confirmation(rsvp)
    db.session.commit()
    [email] = queued_emails()
    [event] = ics_of(email).walk("VEVENT")
    assert event.decoded("DTSTART") == meeting.starts_at
    assert str(event["SUMMARY"]) == "Tuesday Circle"
    assert "ATTENDEE" not in event


def test_a_discreet_member_gets_a_neutral_calendar_file(world, now):
    world["member"].discreet_calendar = True
    meeting = next_meeting(world, now)
    rsvp = make_rsvp(meeting.id, world["member"], companions=0, now=now).rsvp
    queue_rsvp_confirmation(rsvp)
    db.session.commit()
    [email] = queued_emails()
    [event] = ics_of(email).walk("VEVENT")
    assert "Tuesday Circle" not in event.to_ical().decode()
