"""An organisation's admins set how long named attendance is kept and how long it can be
corrected, on the settings page."""

import pytest

from groups.extensions import db
from groups.organisations.models import Organisation
from tests.support import login_as

SETTINGS = "/manage/test-pain-clinic/settings"
GOOD = {
    "name": "Test Pain Clinic",
    "kind": "clinic",
    "contact_email": "team@clinic.example.org",
}


def _organisation(world) -> Organisation:
    organisation = db.session.get(Organisation, world["organisation"].id)
    db.session.refresh(organisation)
    return organisation


def test_the_settings_page_shows_the_defaults(world, client):
    login_as(client, world["admin"])
    page = client.get(SETTINGS).get_data(as_text=True)
    assert 'name="attendance_retention_months"' in page and 'value="24"' in page
    assert 'name="attendance_correction_days"' in page and 'value="14"' in page


def test_admins_change_retention_and_correction_window(world, client):
    login_as(client, world["admin"])
    data = {**GOOD, "attendance_retention_months": "36", "attendance_correction_days": "30"}
    assert client.post(SETTINGS, data=data).status_code == 302
    organisation = _organisation(world)
    assert organisation.attendance_retention_months == 36
    assert organisation.attendance_correction_days == 30


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"attendance_retention_months": "0"}, "Enter a number of months from 1 to 120."),
        ({"attendance_retention_months": "121"}, "Enter a number of months from 1 to 120."),
        ({"attendance_retention_months": ""}, "Enter a number of months from 1 to 120."),
        ({"attendance_retention_months": "two"}, "Enter a number of months from 1 to 120."),
        ({"attendance_correction_days": "0"}, "Enter a number of days from 1 to 90."),
        ({"attendance_correction_days": "91"}, "Enter a number of days from 1 to 90."),
    ],
)
def test_values_out_of_range_are_refused_and_nothing_is_saved(world, client, change, message):
    login_as(client, world["admin"])
    data = {
        **GOOD, "attendance_retention_months": "36", "attendance_correction_days": "30", **change,
    }  # fmt: skip
    response = client.post(SETTINGS, data=data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    organisation = _organisation(world)
    assert organisation.attendance_retention_months == 24
    assert organisation.attendance_correction_days == 14
