"""Feeds over HTTP: headers, 304s that build nothing, byte-stable output, and who gets a 404."""

from datetime import timedelta

import pytest

from groups.extensions import db
from groups.feeds import views as feed_views
from groups.organisations.models import GroupSlugRedirect
from groups.schedules.logic import cancel_meeting
from groups.schedules.models import Meeting
from tests.feeds.helpers import assert_well_formed
from tests.support import QueryCounter

GROUP_FEED = "/feeds/groups/tuesday-circle.ics"


def _first_meeting(world) -> Meeting:
    return db.session.scalar(
        db.select(Meeting).where(Meeting.group_id == world["group"].id).order_by(Meeting.starts_at)
    )


def test_group_feed_is_a_public_calendar_with_validators(client, world):
    response = client.get(GROUP_FEED)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="tuesday-circle.ics"'
    assert response.headers["Cache-Control"] == "public, max-age=900"
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    calendar = assert_well_formed(response.data)
    assert calendar["X-WR-CALNAME"] == "Tuesday Circle" and calendar["NAME"] == "Tuesday Circle"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in response.data
    assert b"X-PUBLISHED-TTL:PT1H\r\n" in response.data
    series = calendar.walk("VEVENT")[0]
    assert series["LOCATION"] == "Room 1, 1 High Street, Sheffield"
    assert series["URL"] == "http://localhost/groups/tuesday-circle"
    assert series.decoded("GEO") is not None


def test_same_data_gives_the_same_bytes(client, world):
    assert client.get(GROUP_FEED).data == client.get(GROUP_FEED).data


def test_if_none_match_gets_304_without_building_the_calendar(client, world, monkeypatch):
    first = client.get(GROUP_FEED)

    def must_not_build(*_args, **_kwargs):
        raise AssertionError("a 304 built the calendar")

    monkeypatch.setattr(feed_views, "group_calendar", must_not_build)
    with QueryCounter(db.engine) as queries:
        response = client.get(GROUP_FEED, headers={"If-None-Match": first.headers["ETag"]})

    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["ETag"] == first.headers["ETag"]
    assert queries.count <= 4  # the group, then the version's three small queries


def test_a_public_calendar_is_built_once_for_each_version(client, world, monkeypatch):
    first = client.get(GROUP_FEED)

    def must_not_build(*_args, **_kwargs):
        raise AssertionError("the calendar was built again for the same version")

    monkeypatch.setattr(feed_views, "group_calendar", must_not_build)
    again = client.get(GROUP_FEED)

    assert again.status_code == 200
    assert again.data == first.data
    assert again.headers["ETag"] == first.headers["ETag"]


def test_if_modified_since_gets_304(client, world):
    first = client.get(GROUP_FEED)
    response = client.get(GROUP_FEED, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert response.status_code == 304


def test_a_change_gives_a_new_etag_and_the_full_calendar(client, world, now):
    first = client.get(GROUP_FEED)
    cancel_meeting(_first_meeting(world), "Snow", now=now)
    db.session.commit()

    response = client.get(GROUP_FEED, headers={"If-None-Match": first.headers["ETag"]})

    assert response.status_code == 200
    assert response.headers["ETag"] != first.headers["ETag"]
    assert b"STATUS:CANCELLED" in response.data


def test_renaming_the_venue_changes_the_etag(client, world):
    first = client.get(GROUP_FEED)
    world["venue"].name = "Room 2"
    db.session.commit()
    assert client.get(GROUP_FEED).headers["ETag"] != first.headers["ETag"]


@pytest.mark.parametrize("hide", ["unlisted", "unapproved", "suspended"])
def test_feeds_of_groups_not_public_are_not_found(client, world, now, hide):
    if hide == "unlisted":
        world["group"].is_listed = False
    elif hide == "unapproved":
        world["organisation"].approved_at = None
    else:
        world["organisation"].suspended_at = now
    db.session.commit()
    meeting_id = _first_meeting(world).id

    assert client.get(GROUP_FEED).status_code == 404
    assert client.get(f"/meetings/{meeting_id}.ics").status_code == 404
    if hide != "unlisted":
        assert client.get("/feeds/organisations/test-pain-clinic.ics").status_code == 404


def test_organisation_feed_holds_its_listed_groups_only(client, world):
    world["group"].is_listed = True
    response = client.get("/feeds/organisations/test-pain-clinic.ics")
    assert response.status_code == 200
    calendar = assert_well_formed(response.data)
    assert {str(e["SUMMARY"]) for e in calendar.walk("VEVENT")} == {"Tuesday Circle"}

    world["group"].is_listed = False
    db.session.commit()
    calendar = assert_well_formed(client.get("/feeds/organisations/test-pain-clinic.ics").data)
    assert calendar.walk("VEVENT") == []


def test_search_feed_takes_the_search_pages_parameters(client, world):
    response = client.get("/feeds/search.ics?latitude=53.38&longitude=-1.47&radius=10&unit=km")
    assert response.status_code == 200
    calendar = assert_well_formed(response.data)
    assert {str(e["SUMMARY"]) for e in calendar.walk("VEVENT")} == {"Tuesday Circle"}

    far = client.get("/feeds/search.ics?latitude=51.5&longitude=-0.12&radius=5&unit=km")
    assert assert_well_formed(far.data).walk("VEVENT") == []
    assert client.get("/feeds/search.ics").status_code == 404


def test_single_meeting_file(client, world):
    meeting = _first_meeting(world)
    response = client.get(f"/meetings/{meeting.id}.ics")
    assert response.status_code == 200
    event = assert_well_formed(response.data).walk("VEVENT")[0]
    assert event["UID"].startswith(f"meeting-{meeting.id}@")
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert event["URL"].endswith(f"/groups/tuesday-circle#meeting-{meeting.id}")


def test_meeting_guide_lists_weekly_schedules_only(client, world):
    world["schedule"].venue.accessible_toilet = True
    db.session.commit()
    entries = client.get("/feeds/meeting-guide.json").json
    assert len(entries) == 1
    entry = entries[0]
    assert entry["day"] == [2] and entry["time"] == "18:30" and entry["end_time"] == "20:00"
    assert entry["types"] == ["X", "XB"]
    assert entry["timezone"] == "Europe/London" and entry["entity"] == "Test Pain Clinic"

    world["schedule"].repeat_interval = 2
    db.session.commit()
    assert client.get("/feeds/meeting-guide.json").json == []


def test_feeds_never_name_anyone_going(client, world, now):
    from groups.rsvps.logic import make_rsvp

    make_rsvp(_first_meeting(world).id, world["member"], companions=0, now=now - timedelta(0))
    db.session.commit()
    data = (
        client.get(GROUP_FEED).data + client.get(f"/meetings/{_first_meeting(world).id}.ics").data
    )
    assert b"Member" not in data and b"member@example.org" not in data


def test_organisation_feed_reads_a_fixed_few_queries_however_many_groups(client, world):
    from datetime import time

    from tests.feeds.helpers import new_group_with_schedule, weekly

    def count_queries() -> int:
        db.session.expunge_all()
        with QueryCounter(db.engine) as queries:
            assert client.get("/feeds/organisations/test-pain-clinic.ics").status_code == 200
        return queries.count

    start = world["schedule"].first_date
    with_one = count_queries()
    venue = db.session.merge(world["venue"])
    organisation = db.session.merge(world["organisation"])
    for slug in ("second-circle", "third-circle"):
        new_group_with_schedule(
            organisation,
            venue,
            slug,
            weekly(4, time(10, 0), "Europe/London", start),
            now=db.session.scalar(db.select(db.func.min(Meeting.starts_at))) - timedelta(days=1),
            until=db.session.scalar(db.select(db.func.max(Meeting.starts_at))),
        )
    db.session.commit()
    assert count_queries() == with_one


def test_renaming_the_group_or_venue_moves_last_modified_on(client, world):
    first = client.get(GROUP_FEED)
    later = world["group"].updated_at + timedelta(minutes=5)
    world["venue"].name = "Room 2"
    world["venue"].updated_at = later  # as if edited five minutes on
    db.session.commit()
    response = client.get(GROUP_FEED, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert response.status_code == 200 and b"Room 2" in response.data
    assert response.headers["Last-Modified"] != first.headers["Last-Modified"]


def test_a_renamed_groups_old_feed_address_redirects_and_a_hidden_one_does_not(client, world):
    db.session.add(GroupSlugRedirect(slug="old-circle", group_id=world["group"].id))
    db.session.commit()
    response = client.get("/feeds/groups/old-circle.ics")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/feeds/groups/tuesday-circle.ics")
    world["group"].is_listed = False
    db.session.commit()
    assert client.get("/feeds/groups/old-circle.ics").status_code == 404
    assert client.get("/groups/old-circle").status_code == 404


def test_a_304_carries_the_etag_and_caching_headers_only(client, world):
    first = client.get(GROUP_FEED)
    response = client.get(GROUP_FEED, headers={"If-None-Match": first.headers["ETag"]})

    assert response.status_code == 304
    assert response.headers["ETag"] == first.headers["ETag"]
    assert response.headers["Cache-Control"] == "public, max-age=900"
    # RFC 9110 15.4.5: with an ETag there, a 304 sends no other metadata of the calendar.
    assert "Last-Modified" not in response.headers and "Content-Type" not in response.headers
