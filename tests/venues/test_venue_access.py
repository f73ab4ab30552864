"""Who may see and change an organisation's venues: its admins and staff only. Everyone else
gets 404 (they may not know the workspace exists); a venue of another organisation is 404 too."""

import pytest

from groups.extensions import db
from groups.organisations.models import Venue
from tests.support import access_statuses, login_as
from tests.venues.venue_data import VENUES, venue_form

KEPT_OUT = {"anonymous": 302, "member": 404, "other_staff": 404, "other_facilitator": 404}
INSIDERS = ("admin", "staff", "facilitator", "site_admin")


def routes(world) -> list[tuple[str, str, dict | None]]:
    venue = f"{VENUES}/{world['venue'].id}"
    return [
        ("GET", VENUES, None),
        ("GET", f"{VENUES}/new", None),
        ("POST", f"{VENUES}/new", venue_form()),
        ("GET", f"{venue}/edit", None),
        ("POST", f"{venue}/edit", venue_form()),
        ("POST", f"{venue}/archive", {}),
        ("POST", f"{venue}/restore", {}),
        ("GET", f"{VENUES}/timezone?latitude=53.38&longitude=-1.47", None),
    ]


def test_people_outside_the_organisation_are_kept_out_of_every_venue_page(world, client):
    for method, path, data in routes(world):
        assert access_statuses(client, world, method, path, data=data) == KEPT_OUT, (method, path)
    db.session.expire_all()
    assert db.session.get(Venue, world["venue"].id).archived_at is None
    assert db.session.query(Venue).filter_by(name="Broomhill Library").count() == 0


@pytest.mark.parametrize("index", range(8))
def test_admins_and_staff_may_use_every_venue_page_and_facilitators_may_not(world, client, index):
    method, path, data = routes(world)[index]
    expected = 302 if method == "POST" else 200
    statuses = access_statuses(client, world, method, path, INSIDERS, data=data)
    assert statuses == {"admin": expected, "staff": expected, "facilitator": 404, "site_admin": 404}


def test_a_venue_of_another_organisation_is_not_found(world, client):
    elsewhere = f"{VENUES}/{world['elsewhere_venue'].id}"
    login_as(client, world["staff"])
    assert client.get(f"{elsewhere}/edit").status_code == 404
    assert client.post(f"{elsewhere}/edit", data=venue_form()).status_code == 404
    assert client.post(f"{elsewhere}/archive").status_code == 404
    assert client.post(f"{elsewhere}/restore").status_code == 404
    assert client.get(f"{VENUES}/999999/edit").status_code == 404
    # ...and through the other organisation's own address, our staff are not members there.
    assert (
        client.get(
            f"/manage/elsewhere-centre/venues/{world['elsewhere_venue'].id}/edit"
        ).status_code
        == 404
    )
    db.session.expire_all()
    venue = db.session.get(Venue, world["elsewhere_venue"].id)
    assert (venue.name, venue.archived_at) == ("Hall", None)


def test_an_unknown_organisation_is_not_found(world, client):
    login_as(client, world["admin"])
    assert client.get("/manage/no-such-place/venues").status_code == 404
