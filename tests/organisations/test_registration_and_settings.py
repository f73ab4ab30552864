"""A signed-in person registers their organisation, finds it under Manage, and its admins edit
its settings; the web address (slug) never changes."""

import pytest
import sqlalchemy as sa

from groups.audit.models import AuditEvent
from groups.extensions import db
from groups.mail.models import OutboxMessage
from groups.organisations.models import (
    Group,
    MemberRole,
    Organisation,
    OrganisationKind,
    OrganisationMember,
)
from tests.support import OUTSIDERS, QueryCounter, access_statuses, login_as, make_user

GOOD = {
    "name": "St Mary's Pain Clinic",
    "kind": "clinic",
    "contact_email": "Pain.Team@StMarys.example.org",
    "contact_phone": "0114 496 0000",
    "website": "www.stmarys.example.org/pain",
}


def organisation_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Organisation))


def test_registering_makes_an_unapproved_organisation_with_me_as_admin(world, client):
    login_as(client, world["member"])
    response = client.post("/organisations/new", data=GOOD)
    assert response.status_code == 302
    organisation = db.session.scalar(
        sa.select(Organisation).where(Organisation.name == GOOD["name"])
    )
    assert response.headers["Location"] == "/manage/st-mary-s-pain-clinic/"
    assert organisation.slug == "st-mary-s-pain-clinic"
    assert organisation.kind is OrganisationKind.CLINIC
    assert organisation.website == "https://www.stmarys.example.org/pain"
    assert organisation.contact_phone == "0114 496 0000"
    assert not organisation.is_approved and not organisation.is_public
    member = db.session.scalar(sa.select(OrganisationMember).where(
        OrganisationMember.organisation_id == organisation.id))  # fmt: skip
    assert member.user_id == world["member"].id and member.role is MemberRole.ADMIN
    assert (
        db.session.scalar(
            sa.select(AuditEvent.action).where(AuditEvent.organisation_id == organisation.id)
        )
        == "organisation.registered"
    )

    page = client.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "awaiting approval" in page.lower()


def test_site_admins_are_emailed_about_a_new_organisation(world, client):
    login_as(client, world["member"])
    client.post("/organisations/new", data=GOOD)
    recipients = db.session.scalars(sa.select(OutboxMessage.recipient)).all()
    assert recipients == [world["site_admin"].email]


def test_slugs_are_unique_and_stay_the_same_after_a_rename(world, client):
    login_as(client, world["member"])
    client.post("/organisations/new", data={**GOOD, "name": "Test Pain Clinic"})
    client.post("/organisations/new", data={**GOOD, "name": "Test Pain Clinic!"})
    slugs = db.session.scalars(
        sa.select(Organisation.slug).where(Organisation.name.like("Test Pain Clinic%"))
        .order_by(Organisation.id)
    ).all()  # fmt: skip
    assert slugs == ["test-pain-clinic", "test-pain-clinic-2", "test-pain-clinic-3"]

    client.post("/manage/test-pain-clinic-2/settings", data={**GOOD, "name": "Renamed Clinic"})
    renamed = db.session.scalar(
        sa.select(Organisation).where(Organisation.name == "Renamed Clinic")
    )
    assert renamed.slug == "test-pain-clinic-2"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": ""}, "Enter the organisation's name."),
        ({"name": "x" * 161}, "Field cannot be longer than 160 characters."),
        ({"kind": ""}, "Choose the kind of organisation."),
        ({"kind": "cult"}, "Not a valid choice"),
        ({"contact_email": ""}, "Enter an email address people can write to."),
        ({"contact_email": "pain team"}, "Enter an email address like name@example.org."),
        ({"contact_phone": "call us!"}, "Use numbers, spaces and + ( ) - only"),
        ({"website": "javascript:alert(1)"}, "Enter a web address like https://www.example.org."),
        (
            {"website": "ftp://files.example.org"},
            "Enter a web address like https://www.example.org.",
        ),
        ({"website": "https://localhost"}, "Enter a web address like https://www.example.org."),
    ],
)
def test_bad_registration_keeps_what_was_typed_and_saves_nothing(world, client, change, message):
    login_as(client, world["member"])
    before = organisation_count()
    response = client.post("/organisations/new", data={**GOOD, **change})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message.replace("'", "&#39;") in html
    assert 'class="error"' in html
    assert 'aria-invalid="true"' in html or "kind" in change  # radios mark their fieldset
    assert "0114 496 0000" in html or change.get("contact_phone")
    assert "Pain.Team@StMarys.example.org" in html or "contact_email" in change
    assert organisation_count() == before


def test_registering_needs_an_account(world, client):
    response = client.get("/organisations/new")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    assert client.post("/organisations/new", data=GOOD).status_code == 302
    assert organisation_count() == 2


def test_my_organisations_lists_my_memberships_and_facilitated_groups(world, client):
    login_as(client, world["admin"])
    page = client.get("/manage/").get_data(as_text=True)
    assert "/manage/test-pain-clinic/" in page and "Elsewhere Centre" not in page
    assert "/organisations/new" in page

    login_as(client, world["facilitator"])
    page = client.get("/manage/").get_data(as_text=True)
    assert "Tuesday Circle" in page and "/manage/test-pain-clinic/" not in page

    login_as(client, world["member"])
    page = client.get("/manage/").get_data(as_text=True)
    assert "ask one of its admins to invite you" in page

    client.delete_cookie("session")
    assert client.get("/manage/").status_code == 302


# Settings ---------------------------------------------------------------------------------

SETTINGS = "/manage/test-pain-clinic/settings"


def test_settings_access(world, client):
    assert access_statuses(client, world, "GET", SETTINGS) == {
        "anonymous": 302, "member": 404, "other_staff": 404, "other_facilitator": 404,
    }  # fmt: skip
    roles = ("admin", "staff", "facilitator", "site_admin")
    assert access_statuses(client, world, "GET", SETTINGS, roles) == {
        "admin": 200, "staff": 403, "facilitator": 404, "site_admin": 404,
    }  # fmt: skip
    statuses = access_statuses(client, world, "POST", SETTINGS, OUTSIDERS + roles[1:], data=GOOD)
    assert statuses == {
        "anonymous": 302, "member": 404, "other_staff": 404, "other_facilitator": 404,
        "staff": 403, "facilitator": 404, "site_admin": 404,
    }  # fmt: skip
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(Organisation.name == GOOD["name"])) == 0
    )


def test_admins_edit_the_settings_and_the_change_is_audited(world, client):
    login_as(client, world["admin"])
    page = client.get(SETTINGS).get_data(as_text=True)
    assert 'value="Test Pain Clinic"' in page and 'checked id="kind-0"' in page
    data = {**GOOD, "kind": "hospital", "facilitators_manage_schedules": "y"}
    response = client.post(SETTINGS, data=data)
    assert response.status_code == 302
    organisation = db.session.get(Organisation, world["organisation"].id)
    db.session.refresh(organisation)
    assert organisation.name == GOOD["name"] and organisation.kind is OrganisationKind.HOSPITAL
    assert organisation.facilitators_manage_schedules
    assert organisation.slug == "test-pain-clinic"
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "organisation.updated")
    )
    assert (
        event.actor_id == world["admin"].id
        and "facilitators_manage_schedules" in event.detail["fields"]
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": ""}, "Enter the organisation&#39;s name."),
        ({"website": "not a website"}, "Enter a web address like https://www.example.org."),
        ({"contact_email": "nobody"}, "Enter an email address like name@example.org."),
    ],
)
def test_bad_settings_keep_what_was_typed_and_save_nothing(world, client, change, message):
    login_as(client, world["admin"])
    data = {**GOOD, "facilitators_manage_schedules": "y", **change}
    response = client.post(SETTINGS, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and message in html
    assert "0114 496 0000" in html and 'aria-invalid="true"' in html
    organisation = db.session.get(Organisation, world["organisation"].id)
    db.session.refresh(organisation)
    assert (
        organisation.name == "Test Pain Clinic" and not organisation.facilitators_manage_schedules
    )


def test_registering_a_second_organisation_keeps_the_first(world, client):
    person = make_user("Newcomer")
    db.session.commit()
    login_as(client, person)
    client.post("/organisations/new", data=GOOD)
    client.post("/organisations/new", data={**GOOD, "name": "Another Place"})
    page = client.get("/manage/").get_data(as_text=True)
    assert "St Mary&#39;s Pain Clinic" in page and "Another Place" in page
    assert page.count("Awaiting approval") == 2


def test_my_organisations_takes_a_fixed_number_of_queries(world, client):
    person = make_user("Busy")
    world["group"].facilitators.append(person)
    db.session.commit()
    login_as(client, person)

    def count() -> int:
        db.session.expunge_all()
        with QueryCounter(db.engine) as counter:
            assert client.get("/manage/").status_code == 200
        return counter.count

    client.post("/organisations/new", data=GOOD)
    before = count()
    for number in range(3):
        client.post("/organisations/new", data={**GOOD, "name": f"Clinic {number}"})
    person = db.session.merge(person)
    for group in db.session.scalars(sa.select(Group)):
        if person not in group.facilitators:
            group.facilitators.append(person)
    db.session.commit()
    assert count() == before
