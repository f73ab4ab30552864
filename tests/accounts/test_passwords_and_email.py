"""Resetting and changing passwords, changing the email address, and the settings page."""

import pytest

from groups.accounts import logic
from groups.accounts.models import User
from groups.extensions import db
from tests.accounts.test_sign_up_and_sign_in import NEW_PASSWORD, link_in, local, sign_in
from tests.support import PASSWORD, login_as


def ask_for_reset(client, smtp_server, email):
    client.post("/forgot-password", data={"email": email})
    return local(link_in(smtp_server.messages[-1], "/reset-password/"))


def new_password(client, link, password=NEW_PASSWORD):
    return client.post(link, data={"password": password, "password_again": password})


def test_password_reset_link_sets_a_new_password_once(world, client, smtp_server):
    link = ask_for_reset(client, smtp_server, world["member"].email)
    assert client.get(link).status_code == 200
    assert new_password(client, link).status_code == 302
    assert sign_in(client, world["member"].email, NEW_PASSWORD).status_code == 302

    reused = client.get(link)
    assert reused.status_code == 400
    assert "already been used" in reused.get_data(as_text=True)
    assert new_password(client, link, "another long password").status_code == 400


def test_password_reset_link_tampered_or_expired_is_refused(
    world, client, smtp_server, monkeypatch
):
    link = ask_for_reset(client, smtp_server, world["member"].email)
    assert client.get(link + "x").status_code == 400
    monkeypatch.setattr(logic, "RESET_MAX_AGE", -1)
    response = new_password(client, link)
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)
    db.session.refresh(world["member"])
    assert world["member"].check_password(PASSWORD)


def test_changing_the_password_invalidates_older_reset_links(world, client, smtp_server):
    first = ask_for_reset(client, smtp_server, world["member"].email)
    second = ask_for_reset(client, smtp_server, world["member"].email)
    new_password(client, second)
    assert client.get(first).status_code == 400


def test_a_reset_ends_every_other_session(app, world, client, smtp_server):
    other_device = app.test_client()
    sign_in(other_device, world["member"].email)
    assert other_device.get("/settings").status_code == 200
    new_password(client, ask_for_reset(client, smtp_server, world["member"].email))
    assert other_device.get("/settings").status_code == 302


def test_reset_mismatched_passwords_are_refused(world, client, smtp_server):
    link = ask_for_reset(client, smtp_server, world["member"].email)
    page = client.post(link, data={"password": NEW_PASSWORD, "password_again": "different one!"})
    assert "The two passwords are different" in page.get_data(as_text=True)
    db.session.refresh(world["member"])
    assert world["member"].check_password(PASSWORD)


def test_change_password_needs_the_current_one_and_signs_out_other_devices(app, world, smtp_server):
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, world["member"].email)
    sign_in(elsewhere, world["member"].email)
    wrong = here.post(
        "/settings/password",
        data={
            "current_password": "not it at all",
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
        },
    )
    assert "That isn&#39;t your current password" in wrong.get_data(as_text=True)
    right = here.post(
        "/settings/password",
        data={
            "current_password": PASSWORD,
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
        },
    )
    assert right.status_code == 302
    assert here.get("/settings").status_code == 200  # this device stays signed in
    assert elsewhere.get("/settings").status_code == 302
    assert smtp_server.messages[-1]["Subject"] == "Your Circles password was changed"


def test_change_email_is_confirmed_from_the_new_address(world, client, smtp_server):
    login_as(client, world["member"])
    client.post(
        "/settings/email", data={"email": "member.new@example.org", "current_password": PASSWORD}
    )
    message = smtp_server.messages[-1]
    assert message["To"] == "member.new@example.org"
    db.session.refresh(world["member"])
    assert world["member"].email == "member@example.org"  # not until the link is opened

    link = local(link_in(message, "/settings/email/confirm/"))
    assert client.get(link).status_code == 302
    db.session.refresh(world["member"])
    assert world["member"].email == "member.new@example.org"
    assert smtp_server.messages[-1]["To"] == "member@example.org"  # the old address is told
    assert client.get(link).status_code == 400  # used once


def test_change_email_to_an_address_taken_meanwhile_is_refused(world, client, smtp_server):
    login_as(client, world["member"])
    client.post(
        "/settings/email", data={"email": "taken@example.org", "current_password": PASSWORD}
    )
    link = local(link_in(smtp_server.messages[-1], "/settings/email/confirm/"))
    db.session.add(User(email="taken@example.org", display_name="Taken", password_hash="x"))
    db.session.commit()
    response = client.get(link)
    assert response.status_code == 400 and "Another account" in response.get_data(as_text=True)


def test_change_email_with_a_wrong_password_changes_nothing(world, client, smtp_server):
    login_as(client, world["member"])
    page = client.post(
        "/settings/email", data={"email": "x@example.org", "current_password": "nope nope"}
    )
    assert "That isn&#39;t your current password" in page.get_data(as_text=True)
    assert smtp_server.messages == []


def test_settings_save_display_name_and_preferences(world, client):
    login_as(client, world["member"])
    response = client.post(
        "/settings", data={"display_name": "  Sunny  ", "discreet_calendar": "y"}
    )
    assert response.status_code == 302
    db.session.refresh(world["member"])
    assert world["member"].display_name == "Sunny"
    assert world["member"].discreet_calendar and not world["member"].email_reminders


@pytest.mark.parametrize("name", ["", "   ", "x" * 81])
def test_settings_refuse_a_bad_display_name(world, client, name):
    login_as(client, world["member"])
    page = client.post("/settings", data={"display_name": name}).get_data(as_text=True)
    assert 'class="error"' in page
    db.session.refresh(world["member"])
    assert world["member"].display_name == "Member"
