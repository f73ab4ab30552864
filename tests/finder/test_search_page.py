"""The home page search: a shareable GET form, results nearest first in miles or kilometres, the
choice between places of one name, clear messages for bad input, and nothing private shown."""

import re
from datetime import timedelta
from html import unescape

import pytest

from groups.extensions import db
from groups.organisations.models import GroupKind
from groups.rsvps.logic import make_rsvp
from tests.finder.search_helpers import CENTRE, group_at, meetings_of, north_of
from tests.rsvps.helpers import next_meeting
from tests.support import QueryCounter, make_user

SHEFFIELD = {"latitude": "53.38", "longitude": "-1.47"}  # the `world` venue's own position


def page_text(response) -> str:
    """The page as a person reads it: tags dropped, spaces squeezed."""
    html = response.get_data(as_text=True)
    main = html[html.index("<main") : html.index("</main>")]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", main)).split())


def results_text(response) -> str:
    text = page_text(response)
    return text[text.index("Find groups", text.index("Access you need")) :]


def hrefs(response) -> list[str]:
    return [
        unescape(href) for href in re.findall(r'href="([^"]+)"', response.get_data(as_text=True))
    ]


def test_searching_by_town_lists_the_groups_near_it(world, client):
    response = client.get("/?place=Sheffield&unit=km")
    assert response.status_code == 200
    text = results_text(response)
    assert "1 group within 10 km of Sheffield, England, United Kingdom" in text
    assert "Tuesday Circle" in text and "Peer support group · Test Pain Clinic" in text
    assert "Next meeting: Tuesday" in text and "18:30" in text
    assert "Where: Room 1, Sheffield" in text
    assert "Spaces: 10 spaces left" in text
    assert "Step-free entrance" in text  # the accessibility list, in words
    assert "Elsewhere Circle" not in text  # Leeds has no meetings planned
    assert "/groups/tuesday-circle" in hrefs(response)


def test_the_page_offers_other_places_of_that_name(world, client):
    text = results_text(client.get("/?place=Sheffield"))
    assert "Not the Sheffield you meant? Sheffield, Alabama, United States" in text


def test_use_my_location_searches_around_the_position(world, client):
    response = client.get("/?" + "&".join(f"{k}={v}" for k, v in SHEFFIELD.items()))
    assert response.status_code == 200
    text = results_text(response)
    assert "of your location" in text and "Tuesday Circle" in text
    assert "Searching near your location" in page_text(response)


def test_a_town_typed_after_using_the_location_wins(world, client):
    response = client.get("/?place=Leeds&latitude=53.38&longitude=-1.47&radius=5")
    assert "of Leeds, England, United Kingdom" in results_text(response)
    assert "Tuesday Circle" not in results_text(response)


@pytest.mark.parametrize(
    ("language", "unit", "distance"),
    [("en-GB,en;q=0.8", "miles", "0.0 miles"), ("en-US", "miles", "0.0 miles"),
     ("de-DE,en;q=0.5", "km", "0.0 km"), (None, "km", "0.0 km")],
)  # fmt: skip
def test_the_unit_follows_the_browser_language(world, client, language, unit, distance):
    headers = {"Accept-Language": language} if language else {}
    response = client.get("/?place=Sheffield&latitude=&longitude=", headers=headers)
    text = results_text(response)
    assert f"within 10 {unit} of Sheffield" in text
    assert "Tuesday Circle" in text


def test_a_chosen_unit_wins_over_the_browser_language_and_distances_use_it(world, client):
    venue = world["venue"]
    latitude = north_of(venue.latitude, -8.0)  # 8 km = 4.97 miles due south of the venue
    query = f"/?latitude={latitude}&longitude={venue.longitude}&radius=5"
    in_km = results_text(client.get(query + "&unit=km", headers={"Accept-Language": "en-GB"}))
    assert "within 5 km" in in_km and "Tuesday Circle" not in in_km
    in_miles = results_text(client.get(query + "&unit=mi", headers={"Accept-Language": "fr"}))
    assert "within 5 miles" in in_miles and "5.0 miles away" in in_miles
    in_km = results_text(client.get(query.replace("radius=5", "radius=10") + "&unit=km"))
    assert "8.0 km away" in in_km


def test_ambiguous_newport_offers_a_choice_whose_links_resolve(world, client):
    response = client.get("/?place=Newport&radius=20&unit=km&day=tue")
    assert response.status_code == 200
    text = page_text(response)
    assert "Which Newport do you mean?" in text
    assert "Newport, Wales, United Kingdom" in text
    assert "Newport, Rhode Island, United States" in text
    wales = next(href for href in hrefs(response) if "Newport,+Wales,+United+Kingdom" in href)
    assert "radius=20" in wales and "day=tue" in wales  # the rest of the search is kept
    chosen = client.get(wales)
    assert "within 20 km of Newport, Wales, United Kingdom" in results_text(chosen)


def test_newport_with_its_country_part_resolves(world, client):
    for typed in ("Newport, Wales", "Newport, Rhode Island"):
        response = client.get("/", query_string={"place": typed})
        assert response.status_code == 200
        assert "Which Newport" not in page_text(response)
    assert "of Newport, Rhode Island, United States" in results_text(
        client.get("/", query_string={"place": "Newport, RI"})
    )


def test_an_unknown_place_says_so_beside_the_town_box(world, client):
    response = client.get("/?place=Nowhereville")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    message = (
        "We don&#39;t know a place called “Nowhereville”. Check the spelling, or try a nearby town."
    )
    assert message in html
    assert 'aria-describedby="place-hint place-error"' in html


def test_a_search_without_a_place_asks_for_one(world, client):
    response = client.get("/?place=&day=mon")
    assert response.status_code == 400
    assert "Type the name of your town, or use your location." in page_text(response)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("kind=banana", "“banana” is not one of the choices for kind of group."),
        ("day=funday", "“funday” is not one of the choices for days."),
        ("time=midnight", "“midnight” is not one of the choices for time of day."),
        ("condition=gout", "“gout” is not one of the choices for condition the group focuses on."),
        ("access=helipad", "“helipad” is not one of the choices for access you need at the venue."),
        ("radius=0", "Choose how far you can travel: a number from 2 to 50."),
        ("radius=100000", "Choose how far you can travel: a number from 2 to 50."),
        ("radius=ten", "Choose how far you can travel: a number from 2 to 50."),
        ("unit=furlongs", "Choose miles or kilometres."),
    ],
)
def test_values_we_do_not_know_are_explained_with_a_400(world, client, query, message):
    response = client.get(f"/?place=Sheffield&{query}")
    assert response.status_code == 400
    text = page_text(response)
    assert message in text and "Please check your search" in text
    assert "Tuesday Circle" not in text  # no search ran


@pytest.mark.parametrize(
    ("latitude", "longitude", "message"),
    [
        ("91", "0", "the latitude must be a number between -90 and 90"),
        ("0", "200", "the longitude must be a number between -180 and 180"),
        ("nan", "0", "the latitude must be a number between -90 and 90"),
        ("north", "0", "the latitude must be a number between -90 and 90"),
        ("53.38", "", "Your location was incomplete."),
    ],
)
def test_a_position_we_cannot_use_is_explained_with_a_400(
    world, client, latitude, longitude, message
):
    response = client.get(f"/?latitude={latitude}&longitude={longitude}")
    assert response.status_code == 400
    assert message in page_text(response)
    html = response.get_data(as_text=True)
    # The bad position is not sent again with the next search.
    assert f'name="latitude" type="hidden" value="{latitude}"' not in html or latitude == ""


def test_no_results_offer_a_wider_search_and_one_without_the_filters(world, client):
    response = client.get("/?place=Sheffield&radius=5&unit=mi&day=mon&kind=therapy")
    assert response.status_code == 200
    text = results_text(response)
    assert "No groups within 5 miles" in text
    links = hrefs(response)
    wider = "/?place=Sheffield&radius=10&unit=mi&day=mon&kind=therapy"
    assert wider in links and "Search up to 10 miles away" in text
    assert "/?place=Sheffield&radius=5&unit=mi" in links
    assert "Search again without the extra choices" in text
    assert "Tuesday Circle" in results_text(client.get("/?place=Sheffield&radius=5&unit=mi"))


def test_filters_on_the_page_narrow_the_results(world, client, now):
    assert "Tuesday Circle" in results_text(client.get("/?place=Sheffield&day=tue&time=evening"))
    for narrowing in ("day=wed", "time=morning", "kind=workshop", "condition=migraine",
                      "access=hearing_loop", "access=parking"):  # fmt: skip
        text = results_text(client.get(f"/?place=Sheffield&{narrowing}"))
        assert "Tuesday Circle" not in text, narrowing
    world["group"].open_to_newcomers = False
    db.session.commit()
    assert "Tuesday Circle" in results_text(client.get("/?place=Sheffield"))
    assert "Tuesday Circle" not in results_text(client.get("/?place=Sheffield&newcomers=y"))


def test_a_full_next_meeting_shows_the_waitlist_and_is_left_out_when_spaces_are_wanted(
    world, client, now
):
    world["group"].default_capacity = 2
    db.session.commit()
    make_rsvp(next_meeting(world, now).id, world["member"], companions=1, now=now)
    db.session.commit()
    assert "Spaces: Full – waitlist open" in results_text(client.get("/?place=Sheffield"))
    assert "Tuesday Circle" not in results_text(client.get("/?place=Sheffield&spaces=y"))


def test_results_page_shows_no_member_names_or_emails(world, client, now):
    meeting = next_meeting(world, now)
    people = [make_user(f"Secretperson{number}") for number in range(3)]
    for person in [*people, world["member"]]:
        make_rsvp(meeting.id, person, companions=0, now=now)
    db.session.commit()
    response = client.get("/?place=Sheffield")
    html = response.get_data(as_text=True)
    assert "Tuesday Circle" in html and "6 spaces left" in html
    assert "Secretperson" not in html and "@example.org" not in html
    assert (
        world["member"].display_name not in html and world["facilitator"].display_name not in html
    )


def test_results_carry_the_map_data_without_inline_script(world, client):
    html = client.get("/?place=Sheffield").get_data(as_text=True)
    assert "data-results-map" in html and 'data-latitude="53.38"' in html
    assert "vendor/leaflet/leaflet.js" in html and "js/finder.js" in html
    assert "css/finder.css" in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all(
        "src=" in attributes and not body.strip() for attributes, body in scripts
    )
    assert " style=" not in html and "onclick" not in html


def test_the_form_shows_the_use_my_location_button_only_with_javascript(world, client):
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'<button type="button"[^>]*hidden[^>]*data-use-my-location', html)
    assert 'list="place-suggestions"' in html and '<datalist id="place-suggestions">' in html


def test_query_count_of_a_results_page_does_not_grow_with_the_results(world, client, now):
    def add_groups(how_many: int, start: int) -> None:
        for number in range(start, start + how_many):
            group = group_at(
                world["organisation"], f"Extra {number}", north_of(CENTRE[0], number / 10),
                CENTRE[1], starts_at=now + timedelta(days=1 + number % 5), capacity=5,
                kind=GroupKind.THERAPY,
            )  # fmt: skip
            make_rsvp(meetings_of(group)[0].id, make_user(f"Person{number}"), companions=0, now=now)
        db.session.commit()

    def queries_for_search() -> tuple[int, str]:
        db.session.expire_all()
        with QueryCounter(db.engine) as counter:
            response = client.get(f"/?latitude={CENTRE[0]}&longitude={CENTRE[1]}&radius=20")
        assert response.status_code == 200
        return counter.count, results_text(response)

    add_groups(3, start=0)
    few, text = queries_for_search()
    assert "3 groups within" in text
    add_groups(12, start=3)
    many, text = queries_for_search()
    assert "15 groups within" in text and "4 spaces left" in text
    assert many == few <= 12


def test_a_search_can_be_subscribed_to_as_a_calendar(world, client):
    page = client.get("/?place=Sheffield&unit=km&access=step_free_entrance").get_data(as_text=True)
    link = page.split("Subscribe to this search")[0].rsplit('href="', 1)[1].split('"')[0]
    assert link.startswith("webcal://localhost/feeds/search.ics?")
    assert "place=Sheffield" in link and "access=step_free_entrance" in link
    feed = client.get(link.replace("webcal://localhost", "").replace("&amp;", "&"))
    assert feed.status_code == 200 and b"Tuesday Circle" in feed.data
