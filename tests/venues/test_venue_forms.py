"""Adding and editing a venue: every field is kept, the time zone is worked out when it is not
chosen, and wrong input comes back with the typed values and a message by each field."""

import re

import sqlalchemy as sa

from groups.audit.models import AuditEvent
from groups.extensions import db
from groups.organisations.models import Venue
from tests.support import login_as
from tests.venues.venue_data import ACCESS_FIELDS, VENUES, venue_form


def venue_named(name: str) -> Venue | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(Venue).where(Venue.name == name))


def venue_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Venue.id)))


def error_for(page: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', page)
    return found.group(1) if found else ""


def test_staff_add_a_venue_with_every_detail(world, client):
    login_as(client, world["staff"])
    response = client.post(f"{VENUES}/new", data=venue_form(timezone="Europe/London"))
    assert response.status_code == 302 and response.location.endswith(VENUES)

    venue = venue_named("Broomhill Library")
    assert venue.organisation_id == world["organisation"].id
    assert (venue.address_line1, venue.address_line2) == (
        "Taptonville Road",
        "Community Room, first floor",
    )
    assert (venue.town, venue.postcode, venue.country) == ("Sheffield", "S10 5BR", "GB")
    assert (venue.latitude, venue.longitude, venue.timezone) == (53.3811, -1.498, "Europe/London")
    assert all(getattr(venue, name) is True for name in ACCESS_FIELDS)
    assert venue.parking_distance_m == 50
    assert venue.public_transport_notes == "Bus 52 stops outside."
    assert venue.accessibility_notes == "The side door has a ramp; ring the bell."
    assert venue.archived_at is None
    assert (
        db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.object_id == venue.id))
        == "venue.created"
    )

    page = client.get(VENUES).get_data(as_text=True)
    assert "Broomhill Library is added. Its time zone is Europe/London." in page


def test_an_empty_venue_keeps_no_features_and_no_parking(world, client):
    login_as(client, world["admin"])
    data = venue_form(**{name: None for name in ACCESS_FIELDS}, parking_distance_m="",
                      address_line2="", postcode="", public_transport_notes="", accessibility_notes="")  # fmt: skip
    assert client.post(f"{VENUES}/new", data=data).status_code == 302
    venue = venue_named("Broomhill Library")
    assert all(getattr(venue, name) is False for name in ACCESS_FIELDS)
    assert venue.parking_distance_m is None
    assert (venue.address_line2, venue.postcode) == (None, None)
    assert (venue.public_transport_notes, venue.accessibility_notes) == (None, None)


def test_editing_changes_every_field_and_shows_what_is_saved(world, client):
    login_as(client, world["staff"])
    venue_id = world["venue"].id
    edit = f"{VENUES}/{venue_id}/edit"
    page = client.get(edit).get_data(as_text=True)
    assert 'value="Room 1"' in page and 'value="53.38"' in page and 'value="-1.47"' in page
    assert re.search(r'<option selected value="Europe/London">', page)

    data = venue_form(
        name="Room 2", address_line1="3 Market Place", address_line2="Back entrance", town="Leeds",
        postcode="LS1 6AA", latitude="53.7997", longitude="-1.5492", timezone="Europe/Dublin",
        step_free_entrance=None, lift="y", accessible_toilet=None, seating_with_back_support="y",
        space_to_stand_and_move=None, hearing_loop="y", quiet_room=None, parking_distance_m="0",
        public_transport_notes="Leeds station, 5 minutes on the flat.", accessibility_notes="Lift at the back.",
    )  # fmt: skip
    assert client.post(edit, data=data).status_code == 302

    venue = venue_named("Room 2")
    assert venue.id == venue_id
    assert (venue.address_line1, venue.address_line2, venue.town, venue.postcode) == (
        "3 Market Place", "Back entrance", "Leeds", "LS1 6AA",
    )  # fmt: skip
    assert (venue.latitude, venue.longitude, venue.timezone) == (53.7997, -1.5492, "Europe/Dublin")
    assert {name: getattr(venue, name) for name in ACCESS_FIELDS} == {
        "step_free_entrance": False, "lift": True, "accessible_toilet": False,
        "seating_with_back_support": True, "space_to_stand_and_move": False, "hearing_loop": True,
        "quiet_room": False,
    }  # fmt: skip
    assert venue.parking_distance_m == 0
    assert venue.public_transport_notes == "Leeds station, 5 minutes on the flat."
    assert venue.accessibility_notes == "Lift at the back."

    page = client.get(edit).get_data(as_text=True)
    assert 'value="Room 2"' in page and 'value="0"' in page
    assert 'id="lift" name="lift" type="checkbox" value="y"' in page
    assert re.search(r'<input[^>]* checked[^>]*id="lift"', page)
    assert not re.search(r'<input[^>]* checked[^>]*id="quiet_room"', page)
    assert "Lift at the back." in page


def add_venue(client, **changes) -> Venue:
    response = client.post(f"{VENUES}/new", data=venue_form(**changes))
    assert response.status_code == 302, response.get_data(as_text=True)
    return venue_named(changes.get("name", "Broomhill Library"))


def test_time_zone_is_worked_out_from_the_coordinates(world, client):
    login_as(client, world["staff"])
    assert (
        add_venue(client, name="Sheffield", latitude="53.38", longitude="-1.47").timezone
        == "Europe/London"
    )
    assert add_venue(client, name="New York", town="New York", country="US", latitude="40.71",
                     longitude="-74.0").timezone == "America/New_York"  # fmt: skip
    assert add_venue(client, name="Sydney", town="Sydney", country="AU", latitude="-33.87",
                     longitude="151.21").timezone == "Australia/Sydney"  # fmt: skip
    # The coordinates decide, not the country chosen: a pin in Belfast is in Europe/London.
    assert (
        add_venue(client, name="Belfast", latitude="54.597", longitude="-5.93").timezone
        == "Europe/London"
    )


def test_without_coordinates_the_town_gives_the_place_and_the_time_zone(world, client):
    login_as(client, world["staff"])
    response = client.post(
        f"{VENUES}/new",
        data=venue_form(town="Perth", country="AU", latitude="", longitude=""),
        follow_redirects=True,
    )
    venue = venue_named("Broomhill Library")
    assert venue.timezone == "Australia/Perth"
    assert round(venue.latitude) == -32 and round(venue.longitude) == 116
    assert "We put it at the centre of Perth" in response.get_data(as_text=True)

    edinburgh = add_venue(client, name="Edinburgh", town="Edinburgh", latitude="", longitude="")
    assert edinburgh.timezone == "Europe/London" and round(edinburgh.latitude) == 56


def test_a_chosen_time_zone_is_kept(world, client):
    login_as(client, world["staff"])
    venue = add_venue(client, latitude="53.38", longitude="-1.47", timezone="Europe/Paris")
    assert venue.timezone == "Europe/Paris"


def test_a_pair_of_coordinates_pasted_into_the_latitude_box_fills_both(world, client):
    login_as(client, world["staff"])
    venue = add_venue(client, latitude="53.3811, -1.4980", longitude="")
    assert (venue.latitude, venue.longitude) == (53.3811, -1.498)


def test_wrong_input_comes_back_with_what_was_typed_and_a_message_by_each_field(world, client):
    login_as(client, world["staff"])
    before = venue_count()
    data = venue_form(
        name="", town="", latitude="91", longitude="-200", timezone="Mars/Olympus_Mons",
        parking_distance_m="-5", address_line1="12 Mill Lane", postcode="S1 2AB",
    )  # fmt: skip
    response = client.post(f"{VENUES}/new", data=data)
    page = response.get_data(as_text=True)

    assert response.status_code == 400
    assert venue_count() == before
    assert "Please check the form" in page
    assert error_for(page, "name") == "Enter the venue&#39;s name."
    assert error_for(page, "town") == "Enter the town or city."
    assert error_for(page, "latitude").startswith("The latitude must be between -90 and 90.")
    assert error_for(page, "longitude").startswith("The longitude must be between -180 and 180.")
    assert error_for(page, "timezone") == "Choose a time zone from the list, or “Work it out”."
    assert error_for(page, "parking_distance_m") == "The distance can&#39;t be less than 0 metres."
    for typed in (
        'value="91"',
        'value="-200"',
        'value="-5"',
        'value="12 Mill Lane"',
        'value="S1 2AB"',
    ):
        assert typed in page
    assert 'aria-describedby="latitude-hint latitude-error"' in page
    assert "The side door has a ramp; ring the bell." in page  # the notes typed are kept too


def test_words_where_numbers_belong_are_explained(world, client):
    login_as(client, world["staff"])
    data = venue_form(
        latitude="north", longitude="1.5", parking_distance_m="about 50", country="XX"
    )
    page = client.post(f"{VENUES}/new", data=data).get_data(as_text=True)
    assert error_for(page, "latitude") == "Enter the latitude as a number, like 53.3811."
    assert (
        error_for(page, "parking_distance_m")
        == "Enter the distance in whole metres, like 50, or leave it empty."
    )
    assert error_for(page, "country") == "Choose the country from the list."
    assert venue_named("Broomhill Library") is None


def test_one_coordinate_alone_is_not_enough(world, client):
    login_as(client, world["staff"])
    page = client.post(f"{VENUES}/new", data=venue_form(longitude="")).get_data(as_text=True)
    assert error_for(page, "longitude").startswith("Enter both the latitude and the longitude")
    assert venue_named("Broomhill Library") is None


def test_a_town_we_cannot_place_needs_coordinates(world, client):
    login_as(client, world["staff"])
    data = venue_form(town="Little Snoring", latitude="", longitude="")
    response = client.post(f"{VENUES}/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert error_for(page, "latitude") == (
        "We don&#39;t know where Little Snoring in United Kingdom is. Enter the latitude and "
        "longitude, or choose the place on the map."
    )
    assert venue_named("Broomhill Library") is None


def test_a_town_name_shared_by_far_apart_places_needs_coordinates(world, client):
    login_as(client, world["staff"])
    page = client.post(
        f"{VENUES}/new", data=venue_form(town="Newport", latitude="", longitude="")
    ).get_data(as_text=True)
    assert error_for(page, "latitude").startswith(
        "There is more than one Newport in United Kingdom."
    )
    assert venue_named("Broomhill Library") is None


def test_a_failed_edit_changes_nothing(world, client):
    login_as(client, world["staff"])
    venue_id = world["venue"].id
    data = venue_form(name="Renamed", town="Little Snoring", latitude="", longitude="")
    response = client.post(f"{VENUES}/{venue_id}/edit", data=data)
    assert response.status_code == 400
    assert 'value="Renamed"' in response.get_data(as_text=True)
    db.session.expire_all()
    venue = db.session.get(Venue, venue_id)
    assert (venue.name, venue.town, venue.latitude) == ("Room 1", "Sheffield", 53.38)


def test_the_form_groups_its_fields_and_offers_every_time_zone(world, client):
    login_as(client, world["staff"])
    page = client.get(f"{VENUES}/new").get_data(as_text=True)
    for legend in ("Address", "Where it is on the map", "Accessibility"):
        assert f"<legend>{legend}</legend>" in page
    assert '<option selected value="">Work it out from the location</option>' in page
    assert '<option value="Pacific/Auckland">Pacific/Auckland</option>' in page
    assert '<option selected value="GB">United Kingdom</option>' in page
    assert "A toilet with room for a wheelchair and grab rails." in page  # hints in plain words
    assert 'aria-label="Map of where the venue is"' in page
