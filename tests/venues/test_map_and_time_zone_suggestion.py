"""The map on the venue form: Leaflet served from our own static files with its licence, no
outside scripts or stylesheets, and the time zone suggestion it asks for after a click."""

import re
from pathlib import Path

from tests.support import login_as
from tests.venues.venue_data import VENUES

STATIC = Path(__file__).resolve().parents[2] / "static"
SUGGEST = f"{VENUES}/timezone"


def test_leaflet_is_vendored_with_its_licence():
    leaflet = STATIC / "vendor" / "leaflet"
    for name in ("leaflet.js", "leaflet.css", "LICENSE", "images/marker-icon.png",
                 "images/marker-icon-2x.png", "images/marker-shadow.png", "images/layers.png"):  # fmt: skip
        assert (leaflet / name).is_file(), name
    assert "Volodymyr Agafonkin" in (leaflet / "LICENSE").read_text()
    assert 'version="1.9.4"' in (leaflet / "leaflet.js").read_text()
    assert (STATIC / "js" / "venue-map.js").is_file()


def test_the_form_page_loads_scripts_and_styles_only_from_this_site(world, client):
    login_as(client, world["staff"])
    for path in (f"{VENUES}/new", f"{VENUES}/{world['venue'].id}/edit", VENUES):
        page = client.get(path).get_data(as_text=True)
        sources = re.findall(r'<script[^>]*src="([^"]+)"', page)
        links = re.findall(r'<link[^>]*href="([^"]+)"', page)
        assert all(url.startswith("/static/") for url in sources + links), (path, sources, links)
        assert not re.search(r"<script(?![^>]*src=)[^>]*>", page)  # no inline scripts (CSP)
        assert " style=" not in page
    page = client.get(f"{VENUES}/new").get_data(as_text=True)
    assert "/static/vendor/leaflet/leaflet.js" in page and "/static/js/venue-map.js" in page
    assert "/static/vendor/leaflet/leaflet.css" in page
    assert 'data-tile-url="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in page
    assert f'data-timezone-url="{SUGGEST}"' in page
    # The map stays hidden until the script shows it: without JavaScript there is no empty box.
    assert re.search(r'<div id="venue-map" class="venue-map" hidden', page)


def test_the_map_suggests_a_time_zone_for_a_place(world, client):
    login_as(client, world["staff"])
    response = client.get(f"{SUGGEST}?latitude=40.71&longitude=-74.0")
    assert response.status_code == 200
    assert response.get_json() == {"timezone": "America/New_York"}
    assert client.get(f"{SUGGEST}?latitude=-33.87&longitude=151.21").get_json() == {
        "timezone": "Australia/Sydney"
    }


def test_a_time_zone_suggestion_needs_sensible_coordinates(world, client):
    login_as(client, world["staff"])
    for query, field in (
        ("latitude=91&longitude=0", "latitude"),
        ("latitude=0&longitude=-200", "longitude"),
        ("latitude=north&longitude=0", "latitude"),
        ("latitude=nan&longitude=0", "latitude"),
        ("latitude=0", "longitude"),
        ("", "latitude"),
    ):
        response = client.get(f"{SUGGEST}?{query}")
        assert response.status_code == 400, query
        assert response.is_json
        assert response.get_json()["field"] == field
        assert "between" in response.get_json()["message"]
