"""Searching near a place: distances on the sphere (across the 180° line and at the poles), each
filter, and which groups and meetings are found."""

import math
from datetime import timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from groups.extensions import db
from groups.finder.search import (
    MAX_RESULTS,
    SearchCriteria,
    TimeOfDay,
    Unit,
    bounding_box,
    default_unit,
    search_groups,
)
from groups.organisations.models import Condition, GroupKind
from groups.rsvps.logic import make_rsvp
from groups.schedules.logic import cancel_meeting
from groups.venues.timezones import EARTH_RADIUS_KM, distance_km
from tests.finder.search_helpers import (
    CENTRE,
    add_meeting,
    add_venue,
    group_at,
    meetings_of,
    near_centre,
    next_local,
    north_of,
)
from tests.support import make_user

LATITUDE, LONGITUDE = CENTRE


def found(criteria, now) -> list[str]:
    return [result.group.name for result in search_groups(criteria, now).results]


@pytest.fixture
def soon(now):
    return now + timedelta(days=2)


def test_a_venue_4_9_km_away_is_in_a_5_km_search_and_one_5_1_km_away_is_not(world, now, soon):
    organisation = world["organisation"]
    group_at(organisation, "Inside North", north_of(LATITUDE, 4.9), LONGITUDE, starts_at=soon)
    group_at(organisation, "Outside South", north_of(LATITUDE, -5.1), LONGITUDE, starts_at=soon)
    db.session.commit()
    outcome = search_groups(near_centre(5), now)
    assert [result.group.name for result in outcome.results] == ["Inside North"]
    assert outcome.results[0].distance_km == pytest.approx(4.9, abs=1e-6)
    assert found(near_centre(5.2), now) == ["Inside North", "Outside South"]


def test_results_are_nearest_first(world, now, soon):
    organisation = world["organisation"]
    for name, km in [("Three", 3), ("One", 1), ("Two", -2)]:
        group_at(organisation, name, north_of(LATITUDE, km), LONGITUDE, starts_at=soon)
    db.session.commit()
    assert found(near_centre(10), now) == ["One", "Two", "Three"]


def test_a_venue_across_the_180_degree_line_is_found(world, now, soon):
    # Fiji straddles the line: 179.99°E and 179.98°W are about 3.2 km apart.
    group_at(
        world["organisation"], "Across The Line", -17.0, -179.98, starts_at=soon,
        timezone="Pacific/Fiji",
    )  # fmt: skip
    db.session.commit()
    criteria = SearchCriteria(latitude=-17.0, longitude=179.99, radius_km=5)
    assert found(criteria, now) == ["Across The Line"]
    west = SearchCriteria(latitude=-17.0, longitude=-179.995, radius_km=5)
    assert found(west, now) == ["Across The Line"]


@pytest.mark.parametrize("latitude", [90.0, -90.0, 89.999, -89.999])
@pytest.mark.parametrize("longitude", [180.0, -180.0, 0.0])
def test_searching_at_the_poles_does_not_crash(world, now, latitude, longitude):
    criteria = SearchCriteria(latitude=latitude, longitude=longitude, radius_km=50)
    assert search_groups(criteria, now).results == []


def test_a_venue_near_the_pole_is_found_from_the_other_side(world, now, soon):
    group_at(world["organisation"], "Polar", 89.98, 120.0, starts_at=soon, timezone="UTC")
    db.session.commit()
    criteria = SearchCriteria(latitude=89.99, longitude=-60.0, radius_km=5)
    assert found(criteria, now) == ["Polar"]  # 3.3 km away, over the pole


def test_the_bounding_box_splits_where_it_crosses_the_180_degree_line():
    box = bounding_box(0.0, 179.99, 10)
    assert len(box.longitude_ranges) == 2
    (west, east), (other_west, other_east) = box.longitude_ranges
    assert east == 180.0 and other_west == -180.0
    assert west < 179.99 and -180 < other_east < -179.9


def test_the_bounding_box_at_a_pole_covers_every_longitude():
    for latitude in (90.0, -90.0, 89.95):
        assert bounding_box(latitude, 10.0, 10).longitude_ranges == ((-180.0, 180.0),)


def _destination(latitude, longitude, bearing, km):
    """The point ``km`` from the start along ``bearing`` (degrees from north), on the sphere."""
    phi, lam, theta = map(math.radians, (latitude, longitude, bearing))
    delta = km / EARTH_RADIUS_KM
    phi2 = math.asin(
        math.sin(phi) * math.cos(delta) + math.cos(phi) * math.sin(delta) * math.cos(theta)
    )
    lam2 = lam + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi),
        math.cos(delta) - math.sin(phi) * math.sin(phi2),
    )
    return math.degrees(phi2), (math.degrees(lam2) + 540) % 360 - 180


@settings(max_examples=300, deadline=None)
@given(
    latitude=st.floats(-90, 90),
    longitude=st.floats(-180, 180),
    bearing=st.floats(0, 360),
    radius=st.floats(2, 80.5),
    fraction=st.floats(0, 1),
)
@example(latitude=0.0, longitude=179.99, bearing=90.0, radius=10.0, fraction=1.0)
@example(latitude=89.99, longitude=0.0, bearing=0.0, radius=50.0, fraction=1.0)
def test_every_point_within_the_radius_is_inside_the_bounding_box(
    latitude, longitude, bearing, radius, fraction
):
    point_latitude, point_longitude = _destination(latitude, longitude, bearing, radius * fraction)
    if distance_km(latitude, longitude, point_latitude, point_longitude) > radius:
        return  # rounding at the very edge
    box = bounding_box(latitude, longitude, radius)
    assert box.min_latitude <= point_latitude <= box.max_latitude
    assert any(west <= point_longitude <= east for west, east in box.longitude_ranges)


def test_day_filter_finds_groups_meeting_on_any_chosen_day(world, now):
    organisation = world["organisation"]
    group_at(organisation, "Monday Group", LATITUDE, LONGITUDE, starts_at=next_local(now, 0, 10))
    group_at(organisation, "Friday Group", LATITUDE, LONGITUDE, starts_at=next_local(now, 4, 10))
    db.session.commit()
    assert found(near_centre(weekdays=frozenset({0})), now) == ["Monday Group"]
    assert set(found(near_centre(weekdays=frozenset({0, 4})), now)) == {
        "Monday Group",
        "Friday Group",
    }
    assert found(near_centre(weekdays=frozenset({2})), now) == []


def test_day_and_time_are_the_venues_local_ones(world, now):
    # Monday 09:00 in Auckland is Sunday evening in UTC: what counts is where the group meets.
    monday_morning = next_local(now, 0, 9, "Pacific/Auckland")
    assert monday_morning.weekday() == 6 and monday_morning.hour >= 17
    group_at(world["organisation"], "Kiwi", LATITUDE, LONGITUDE, starts_at=monday_morning,
             timezone="Pacific/Auckland")  # fmt: skip
    db.session.commit()
    assert found(near_centre(weekdays=frozenset({0})), now) == ["Kiwi"]
    assert found(near_centre(weekdays=frozenset({6})), now) == []
    assert found(near_centre(times_of_day=frozenset({TimeOfDay.MORNING})), now) == ["Kiwi"]
    assert found(near_centre(times_of_day=frozenset({TimeOfDay.EVENING})), now) == []


def test_time_of_day_filter_uses_the_local_start_time(world, now):
    organisation = world["organisation"]
    for name, hour in [("Morning", 11), ("Afternoon", 12), ("Late Afternoon", 16), ("Evening", 17)]:
        group_at(organisation, name, LATITUDE, LONGITUDE, starts_at=next_local(now, 2, hour))
    db.session.commit()

    def at(*times):
        return set(found(near_centre(times_of_day=frozenset(times)), now))

    assert at(TimeOfDay.MORNING) == {"Morning"}
    assert at(TimeOfDay.AFTERNOON) == {"Afternoon", "Late Afternoon"}
    assert at(TimeOfDay.EVENING) == {"Evening"}
    assert at(TimeOfDay.MORNING, TimeOfDay.EVENING) == {"Morning", "Evening"}


def test_a_group_is_shown_with_its_next_meeting_that_suits_the_search(world, now):
    organisation = world["organisation"]
    tuesday = next_local(now, 1, 18)
    group = group_at(organisation, "Twice Weekly", LATITUDE, LONGITUDE, starts_at=tuesday)
    thursday = add_meeting(group, next_local(now, 3, 10))
    db.session.commit()
    [result] = search_groups(near_centre(weekdays=frozenset({3})), now).results
    assert result.meeting.id == thursday.id


def test_kind_filter(world, now, soon):
    organisation = world["organisation"]
    group_at(organisation, "Talk", LATITUDE, LONGITUDE, starts_at=soon, kind=GroupKind.WORKSHOP)
    group_at(organisation, "Peers", LATITUDE, LONGITUDE, starts_at=soon)
    db.session.commit()
    assert found(near_centre(kinds=frozenset({GroupKind.WORKSHOP})), now) == ["Talk"]
    both = frozenset({GroupKind.WORKSHOP, GroupKind.PEER_SUPPORT})
    assert set(found(near_centre(kinds=both), now)) == {"Talk", "Peers"}


def test_condition_filter(world, now, soon):
    organisation = world["organisation"]
    group_at(
        organisation, "Fibro", LATITUDE, LONGITUDE, starts_at=soon,
        conditions=[Condition.FIBROMYALGIA, Condition.CHRONIC_PAIN],
    )  # fmt: skip
    group_at(organisation, "Migraine", LATITUDE, LONGITUDE, starts_at=soon,
             conditions=[Condition.MIGRAINE])  # fmt: skip
    db.session.commit()
    assert found(near_centre(conditions=frozenset({Condition.FIBROMYALGIA})), now) == ["Fibro"]
    assert found(near_centre(conditions=frozenset({Condition.CRPS})), now) == []


def test_accessibility_filters_need_every_feature_ticked(world, now, soon):
    organisation = world["organisation"]
    group_at(organisation, "Loop", LATITUDE, LONGITUDE, starts_at=soon, hearing_loop=True)
    group_at(
        organisation, "Loop And Parking", LATITUDE, LONGITUDE, starts_at=soon, hearing_loop=True,
        parking_distance_m=0,
    )  # fmt: skip
    group_at(organisation, "Plain", LATITUDE, LONGITUDE, starts_at=soon)
    db.session.commit()
    loop = set(found(near_centre(access_features=frozenset({"hearing_loop"})), now))
    assert loop == {"Loop", "Loop And Parking"}
    both = frozenset({"hearing_loop", "parking"})
    assert found(near_centre(access_features=both), now) == ["Loop And Parking"]


def test_has_spaces_leaves_out_groups_whose_next_meeting_is_full(world, now, soon):
    organisation = world["organisation"]
    full = group_at(organisation, "Full Up", LATITUDE, LONGITUDE, starts_at=soon, capacity=3)
    group_at(organisation, "Roomy", LATITUDE, LONGITUDE, starts_at=soon, capacity=30)
    group_at(organisation, "Unlimited", LATITUDE, LONGITUDE, starts_at=soon)
    db.session.commit()
    [meeting] = meetings_of(full)
    make_rsvp(meeting.id, make_user("Alex"), companions=2, now=now)  # three seats
    db.session.commit()
    results = {r.group.name: r for r in search_groups(near_centre(), now).results}
    assert results["Full Up"].spaces_left == 0 and results["Full Up"].is_full
    assert results["Roomy"].spaces_left == 30 and results["Unlimited"].spaces_left is None
    assert set(found(near_centre(has_spaces=True), now)) == {"Roomy", "Unlimited"}


def test_first_timers_filter_leaves_out_closed_courses(world, now, soon):
    organisation = world["organisation"]
    group_at(organisation, "Closed Course", LATITUDE, LONGITUDE, starts_at=soon,
             open_to_newcomers=False)  # fmt: skip
    group_at(organisation, "Drop In", LATITUDE, LONGITUDE, starts_at=soon)
    db.session.commit()
    assert set(found(near_centre(), now)) == {"Closed Course", "Drop In"}
    assert found(near_centre(open_to_newcomers=True), now) == ["Drop In"]


def test_a_group_is_where_its_next_meeting_is_held(world, now, soon):
    far_away = add_venue(world["organisation"], north_of(LATITUDE, 40), LONGITUDE)
    group = group_at(
        world["organisation"], "Moved", LATITUDE, LONGITUDE, starts_at=soon + timedelta(days=30)
    )
    add_meeting(group, soon, venue=far_away)
    db.session.commit()
    # The next meeting is 40 km away; the one after is at the usual venue.
    [result] = search_groups(near_centre(10), now).results
    assert result.meeting.starts_at > soon and result.venue.id == group.default_venue_id
    criteria = SearchCriteria(latitude=far_away.latitude, longitude=LONGITUDE, radius_km=5)
    [result] = search_groups(criteria, now).results
    assert result.venue.id == far_away.id and result.meeting.starts_at == soon


def test_an_archived_venue_still_hosts_its_meetings(world, now, soon):
    group = group_at(world["organisation"], "Old Hall", LATITUDE, LONGITUDE, starts_at=soon)
    group.default_venue.archived_at = now
    db.session.commit()
    assert found(near_centre(), now) == ["Old Hall"]


def test_past_and_cancelled_meetings_are_not_the_next_meeting(world, now, soon):
    group = group_at(world["organisation"], "Quiet", LATITUDE, LONGITUDE, starts_at=soon)
    add_meeting(group, now - timedelta(days=1))
    db.session.commit()
    [meeting] = [m for m in meetings_of(group) if m.starts_at > now]
    cancel_meeting(meeting, "Room closed", now=now)
    db.session.commit()
    assert found(near_centre(), now) == []


def test_only_public_groups_are_found(world, now, soon):
    organisation = world["organisation"]
    unlisted = group_at(organisation, "Unlisted", LATITUDE, LONGITUDE, starts_at=soon)
    unlisted.is_listed = False
    group_at(world["elsewhere"], "Suspended Org", LATITUDE, LONGITUDE, starts_at=soon)
    world["elsewhere"].suspended_at = now
    db.session.commit()
    assert found(near_centre(), now) == []


def test_at_most_the_nearest_fifty_are_shown(world, now, soon):
    for number in range(MAX_RESULTS + 2):
        group_at(world["organisation"], f"Group {number}", north_of(LATITUDE, number / 10),
                 LONGITUDE, starts_at=soon)  # fmt: skip
    db.session.commit()
    outcome = search_groups(near_centre(), now)
    assert len(outcome.results) == MAX_RESULTS and outcome.more_than_shown
    assert outcome.results[-1].group.name == f"Group {MAX_RESULTS - 1}"


def test_british_and_american_english_get_miles_everyone_else_kilometres():
    assert default_unit("en-GB") is Unit.MILES
    assert default_unit("en-us") is Unit.MILES
    assert default_unit("en") is Unit.KM
    assert default_unit("fr-FR") is Unit.KM
    assert default_unit(None) is Unit.KM
    assert Unit.MILES.to_km(10) == pytest.approx(16.09344)
    assert Unit.MILES.from_km(16.09344) == pytest.approx(10)
