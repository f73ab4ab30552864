"""The group page: meetings with counts (never names), RSVP buttons, JSON-LD, a map."""

import json
import re

from groups.extensions import db
from groups.rsvps.logic import make_rsvp
from groups.schedules.logic import cancel_meeting
from tests.rsvps.helpers import upcoming_meetings
from tests.support import QueryCounter, login_as, make_user


def json_ld(page: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return [json.loads(block) for block in blocks]


def test_group_page_counts_people_but_never_names_them(world, client, now):
    first = upcoming_meetings(world)[0]
    people = [make_user(f"Secretname{i}") for i in range(3)]
    for person in people:
        make_rsvp(first.id, person, companions=1, now=now)
    db.session.commit()
    for viewer in (None, world["member"], world["staff"]):
        if viewer:
            login_as(client, viewer)
        page = client.get("/groups/tuesday-circle").get_data(as_text=True)
        assert "3 people are going" in page and "4 places left" in page
        assert "Secretname" not in page and "@example.org" not in page


def test_cancelled_and_moved_meetings_are_marked_with_the_reason(world, client, now):
    first = upcoming_meetings(world)[0]
    cancel_meeting(first, "The hall is being repainted", now=now)
    db.session.commit()
    page = client.get("/groups/tuesday-circle").get_data(as_text=True)
    card = page.split(f'id="meeting-{first.id}"')[1].split("</li>")[0]
    assert "Cancelled:" in card and "The hall is being repainted" in card
    assert "I'm going" not in card


def test_json_ld_describes_each_meeting_as_an_event(world, client, now):
    meetings = upcoming_meetings(world)
    cancel_meeting(meetings[1], "Holiday", now=now)
    make_rsvp(meetings[0].id, make_user("Hidden Person"), companions=0, now=now)
    db.session.commit()
    page = client.get("/groups/tuesday-circle").get_data(as_text=True)
    events = json_ld(page)
    assert len(events) == 8
    first = events[0]
    assert first["@type"] == "Event" and first["name"] == "Tuesday Circle"
    assert first["location"]["address"]["addressLocality"] == "Sheffield"
    assert first["location"]["geo"]["latitude"] == 53.38
    assert first["startDate"].endswith(("+00:00", "+01:00"))
    assert first["remainingAttendeeCapacity"] == 9
    assert events[1]["eventStatus"] == "https://schema.org/EventCancelled"
    assert "Hidden Person" not in json.dumps(events)


def test_json_ld_cannot_be_broken_out_of_by_a_group_name(world, client):
    world["group"].name = "</script><script>alert(1)</script>"
    db.session.commit()
    page = client.get("/groups/tuesday-circle").get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert json_ld(page)[0]["name"] == "</script><script>alert(1)</script>"


def test_venue_map_and_accessibility_details_are_shown(world, client):
    world["venue"].public_transport_notes = "Bus 52 stops outside"
    db.session.commit()
    page = client.get("/groups/tuesday-circle").get_data(as_text=True)
    assert "data-group-map" in page and 'data-latitude="53.38"' in page
    assert "Step-free entrance" in page and "Bus 52 stops outside" in page
    assert "js/group-map.js" in page


def test_group_page_query_count_does_not_grow_with_rsvps(world, client, now):
    login_as(client, world["member"])
    meetings = upcoming_meetings(world)
    make_rsvp(meetings[0].id, world["member"], companions=0, now=now)
    db.session.commit()
    with QueryCounter(db.engine) as few:
        client.get("/groups/tuesday-circle")
    for meeting in meetings[1:8]:
        make_rsvp(meeting.id, world["member"], companions=0, now=now)
        for i in range(3):
            make_rsvp(meeting.id, make_user(f"P{meeting.id}x{i}"), companions=0, now=now)
    db.session.commit()
    with QueryCounter(db.engine) as many:
        page = client.get("/groups/tuesday-circle").get_data(as_text=True)
    assert page.count("You're going") == 8
    assert many.count == few.count


def test_group_page_offers_each_meeting_and_the_whole_group_for_calendars(world, client):
    first = upcoming_meetings(world)[0]
    page = client.get("/groups/tuesday-circle").get_data(as_text=True)
    assert f'href="/meetings/{first.id}.ics"' in page
    assert "webcal://localhost/feeds/groups/tuesday-circle.ics" in page
    assert "Add to Google Calendar" in page and "Add to Outlook" in page
    assert "every 12 to 24 hours" in page
    assert client.get(f"/meetings/{first.id}.ics").status_code == 200
