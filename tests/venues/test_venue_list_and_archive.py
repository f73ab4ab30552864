"""The venues page lists active venues first and archived ones apart, in a fixed number of
queries; archiving takes a venue out of the choices for new groups and meetings, and planned
meetings keep it."""

import sqlalchemy as sa

from groups.extensions import db
from groups.models import utcnow
from groups.organisations.models import Venue
from groups.schedules.models import Meeting
from groups.venues.logic import active_venues, venues_of
from tests.support import QueryCounter, login_as
from tests.venues.venue_data import VENUES


def add_venues(organisation, count: int, archived: int = 0) -> None:
    for number in range(count + archived):
        db.session.add(
            Venue(
                organisation_id=organisation.id,
                name=f"Hall {number}",
                address_line1=f"{number} Street",
                town="Sheffield",
                country="GB",
                latitude=53.4,
                longitude=-1.5,
                timezone="Europe/London",
                hearing_loop=True,
                parking_distance_m=number * 10,
                archived_at=utcnow() if number >= count else None,
            )  # fmt: skip
        )
    db.session.commit()


def test_the_list_shows_each_venue_with_its_address_time_zone_and_access(world, client):
    world["venue"].parking_distance_m = 30
    world["venue"].public_transport_notes = "Tram to University stop."
    db.session.commit()
    login_as(client, world["staff"])
    page = client.get(VENUES).get_data(as_text=True)
    assert "Room 1" in page and "1 High Street, Sheffield, United Kingdom" in page
    assert "Time zone: Europe/London" in page
    assert "Step-free entrance" in page and "Parking 30 m away" in page
    assert "Tram to University stop." in page
    assert "Hall" not in page  # the other organisation's venue
    assert f"/manage/test-pain-clinic/venues/{world['venue'].id}/edit" in page
    assert "Meetings already planned there are not changed" in page  # what archiving does


def test_a_venue_without_features_says_so(world, client):
    world["venue"].step_free_entrance = False
    db.session.commit()
    login_as(client, world["staff"])
    assert "No accessibility features recorded yet." in client.get(VENUES).get_data(as_text=True)


def test_archived_venues_are_listed_apart_after_the_active_ones(world, client):
    add_venues(world["organisation"], 1, archived=1)
    login_as(client, world["staff"])
    page = client.get(VENUES).get_data(as_text=True)
    archived = page.index("Archived venues")
    assert page.index("Hall 0") < page.index("Room 1") < archived < page.index("Hall 1")
    assert "/restore" in page[page.index("Archived venues") :]


def count_list_queries(client) -> tuple[int, str]:
    db.session.expunge_all()  # the page must load what it shows, not find it in the test's session
    with QueryCounter(db.engine) as counter:
        response = client.get(VENUES)
    assert response.status_code == 200
    return counter.count, response.get_data(as_text=True)


def test_the_list_page_needs_the_same_queries_for_many_venues(world, client):
    login_as(client, world["staff"])
    organisation = world["organisation"]
    one_venue, _ = count_list_queries(client)
    add_venues(db.session.merge(organisation), 8, archived=4)
    many_venues, page = count_list_queries(client)
    assert "Hall 11" in page
    # The user, the organisation, the role, the venues, and the header's "Manage" link.
    assert many_venues == one_venue <= 5


def test_archiving_keeps_planned_meetings_and_takes_the_venue_out_of_new_choices(world, client):
    venue, organisation = world["venue"], world["organisation"]
    add_venues(organisation, 1)
    login_as(client, world["staff"])

    response = client.post(f"{VENUES}/{venue.id}/archive", follow_redirects=True)
    assert "Room 1 is archived" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Venue, venue.id).archived_at is not None
    assert [v.name for v in active_venues(organisation)] == ["Hall 0"]
    assert [v.name for v in active_venues(organisation, keep_id=venue.id)] == ["Hall 0", "Room 1"]
    assert [v.name for v in venues_of(organisation).archived] == ["Room 1"]
    assert world["schedule"].venue_id == venue.id
    meetings = db.session.scalars(
        sa.select(Meeting).where(Meeting.group_id == world["group"].id)
    ).all()
    assert meetings and all(meeting.venue.id == venue.id for meeting in meetings)

    response = client.post(f"{VENUES}/{venue.id}/restore", follow_redirects=True)
    assert "Room 1 is back in use" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Venue, venue.id).archived_at is None
    assert [v.name for v in active_venues(organisation)] == ["Hall 0", "Room 1"]


def test_archiving_twice_keeps_the_first_date(world, client):
    venue = world["venue"]
    login_as(client, world["admin"])
    client.post(f"{VENUES}/{venue.id}/archive")
    db.session.expire_all()
    first = db.session.get(Venue, venue.id).archived_at
    client.post(f"{VENUES}/{venue.id}/archive")
    db.session.expire_all()
    assert db.session.get(Venue, venue.id).archived_at == first


def test_archive_and_restore_only_answer_posts(world, client):
    login_as(client, world["staff"])
    assert client.get(f"{VENUES}/{world['venue'].id}/archive").status_code == 405
    assert client.get(f"{VENUES}/{world['venue'].id}/restore").status_code == 405
