"""Site admins approve, refuse, suspend and reinstate organisations; the groups of one that is
not approved, or is suspended, appear nowhere public."""

import pytest
import sqlalchemy as sa

from groups.audit.models import AuditEvent
from groups.extensions import db
from groups.mail.models import OutboxMessage
from groups.organisations.models import (
    Group,
    GroupKind,
    MemberRole,
    Organisation,
    OrganisationKind,
    OrganisationMember,
)
from tests.support import OUTSIDERS, QueryCounter, access_statuses, login_as, make_user

ADMIN_LIST = "/admin/organisations"
NOT_SITE_ADMINS = OUTSIDERS + ("admin", "staff", "facilitator")
EXPECTED = {
    "anonymous": 302, "member": 403, "other_staff": 403, "other_facilitator": 403,
    "admin": 403, "staff": 403, "facilitator": 403,
}  # fmt: skip


def reload(organisation: Organisation) -> Organisation:
    db.session.refresh(organisation)
    return organisation


def recipients() -> list[str]:
    return db.session.scalars(sa.select(OutboxMessage.recipient).order_by(OutboxMessage.id)).all()


def audit_actions(organisation) -> list[str]:
    return db.session.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.organisation_id == organisation.id)
        .order_by(AuditEvent.id)
    ).all()


@pytest.fixture
def pending(world, now):
    """Test Pain Clinic, registered and waiting for a decision."""
    world["organisation"].approved_at = None
    db.session.commit()
    return world["organisation"]


def test_site_admin_pages_are_for_site_admins_only(world, client):
    organisation_id = world["organisation"].id
    assert access_statuses(client, world, "GET", ADMIN_LIST, NOT_SITE_ADMINS) == EXPECTED
    for action in ("approve", "reject", "suspend", "reinstate"):
        path = f"/admin/organisations/{organisation_id}/{action}"
        data = {"reason": "Testing"} if action == "reject" else None
        assert access_statuses(client, world, "POST", path, NOT_SITE_ADMINS, data) == EXPECTED
    reject_page = f"/admin/organisations/{organisation_id}/reject"
    assert access_statuses(client, world, "GET", reject_page, NOT_SITE_ADMINS) == EXPECTED
    organisation = reload(world["organisation"])
    assert organisation.is_public and organisation.rejected_at is None
    assert audit_actions(organisation) == []
    assert access_statuses(client, world, "GET", ADMIN_LIST, ("site_admin",)) == {"site_admin": 200}


def test_the_list_shows_waiting_organisations_first(world, client, pending):
    login_as(client, world["site_admin"])
    page = client.get(ADMIN_LIST).get_data(as_text=True)
    waiting = page.index("Awaiting approval")
    assert page.index("Test Pain Clinic") > waiting
    assert "admin@example.org" in page and "Approve" in page
    assert page.index("Test Pain Clinic") < page.index("Elsewhere Centre")


def test_the_list_takes_a_fixed_number_of_queries(world, client, now):
    login_as(client, world["site_admin"])
    db.session.expunge_all()  # the page must load what it shows, not find it in the test's session
    with QueryCounter(db.engine) as few:
        client.get(ADMIN_LIST)
    for number in range(5):
        organisation = Organisation(
            name=f"Clinic {number}", slug=f"clinic-{number}", kind=OrganisationKind.CLINIC
        )
        member = make_user(f"Boss{number}")
        db.session.add(
            OrganisationMember(organisation=organisation, user=member, role=MemberRole.ADMIN)
        )
    db.session.commit()
    db.session.expunge_all()
    with QueryCounter(db.engine) as many:
        assert "Clinic 4" in client.get(ADMIN_LIST).get_data(as_text=True)
    assert many.count == few.count


def test_approving_lists_the_organisation_and_emails_its_admins(world, client, pending):
    login_as(client, world["site_admin"])
    response = client.post(f"/admin/organisations/{pending.id}/approve")
    assert response.status_code == 302 and response.headers["Location"] == ADMIN_LIST
    assert reload(pending).is_public
    assert recipients() == [world["admin"].email]  # admins only, not staff
    assert audit_actions(pending) == ["organisation.approved"]
    again = client.post(f"/admin/organisations/{pending.id}/approve", follow_redirects=True)
    assert "already approved" in again.get_data(as_text=True)


def test_rejecting_needs_a_reason_which_is_kept_and_emailed(world, client, pending):
    login_as(client, world["site_admin"])
    path = f"/admin/organisations/{pending.id}/reject"
    assert "Why it is not approved" in client.get(path).get_data(as_text=True)
    response = client.post(path, data={"reason": "   "})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Write a reason: it is sent to the organisation&#39;s admins." in html
    assert reload(pending).rejected_at is None and recipients() == []

    too_long = client.post(path, data={"reason": "x" * 2001})
    assert too_long.status_code == 400 and "x" * 2001 in too_long.get_data(as_text=True)

    assert client.post(path, data={"reason": "We couldn't find your website."}).status_code == 302
    organisation = reload(pending)
    assert organisation.rejected_at is not None and not organisation.is_public
    assert organisation.rejection_reason == "We couldn't find your website."
    assert organisation.status_label == "Not approved"
    assert recipients() == [world["admin"].email]
    message = db.session.scalar(sa.select(OutboxMessage)).message.decode()
    assert "find your website" in message
    assert audit_actions(pending) == ["organisation.rejected"]

    login_as(client, world["admin"])
    assert "We couldn&#39;t find your website." in client.get("/manage/test-pain-clinic/").get_data(
        as_text=True
    )


def test_suspending_and_reinstating(world, client):
    organisation = world["organisation"]
    login_as(client, world["site_admin"])
    assert client.post(f"/admin/organisations/{organisation.id}/suspend").status_code == 302
    assert reload(organisation).suspended_at is not None and not organisation.is_public
    assert client.post(f"/admin/organisations/{organisation.id}/reinstate").status_code == 302
    assert reload(organisation).is_public
    assert audit_actions(organisation) == ["organisation.suspended", "organisation.reinstated"]
    assert recipients() == [world["admin"].email] * 2
    again = client.post(f"/admin/organisations/{organisation.id}/reinstate", follow_redirects=True)
    assert "is not suspended" in again.get_data(as_text=True)


def test_an_organisation_that_is_not_approved_cannot_be_suspended(world, client, pending):
    login_as(client, world["site_admin"])
    response = client.post(f"/admin/organisations/{pending.id}/suspend", follow_redirects=True)
    assert "can&#39;t be suspended" in response.get_data(as_text=True)
    assert reload(pending).suspended_at is None


def test_an_unknown_organisation_is_404(world, client):
    login_as(client, world["site_admin"])
    assert client.post("/admin/organisations/999999/approve").status_code == 404


# Public pages -----------------------------------------------------------------------------


def assert_public(client, shown: bool) -> None:
    home = client.get("/").get_data(as_text=True)
    assert ("Tuesday Circle" in home) is shown
    assert client.get("/groups/tuesday-circle").status_code == (200 if shown else 404)
    assert "Elsewhere Circle" in home  # the other organisation is untouched


@pytest.mark.parametrize(
    ("state", "undo"),
    [
        ({"approved_at": None}, "approve"),
        ({"approved_at": None, "rejected_at": "now", "rejection_reason": "No"}, "approve"),
        ({"suspended_at": "now"}, "reinstate"),
    ],
)  # fmt: skip
def test_groups_are_hidden_until_approved_or_reinstated(world, client, now, state, undo):
    for key, value in state.items():
        setattr(world["organisation"], key, now if value == "now" else value)
    db.session.commit()
    assert_public(client, shown=False)
    login_as(client, world["site_admin"])
    client.post(f"/admin/organisations/{world['organisation'].id}/{undo}")
    client.delete_cookie("session")
    assert_public(client, shown=True)


def test_suspending_and_rejecting_hide_an_approved_organisations_groups(world, client):
    assert_public(client, shown=True)
    login_as(client, world["site_admin"])
    client.post(f"/admin/organisations/{world['organisation'].id}/suspend")
    assert_public(client, shown=False)
    client.post(f"/admin/organisations/{world['organisation'].id}/reinstate")
    assert_public(client, shown=True)
    client.post(f"/admin/organisations/{world['organisation'].id}/reject", data={"reason": "Fake"})
    assert_public(client, shown=False)


def test_a_newly_registered_organisations_group_is_not_public(world, client):
    login_as(client, world["member"])
    client.post("/organisations/new", data={
        "name": "New Clinic", "kind": "clinic", "contact_email": "new@example.org",
    })  # fmt: skip
    organisation = db.session.scalar(
        sa.select(Organisation).where(Organisation.name == "New Clinic")
    )
    group = Group(
        organisation=organisation, name="New Circle", slug="new-circle", kind=GroupKind.PEER_SUPPORT
    )
    db.session.add(group)
    db.session.commit()
    assert "New Circle" not in client.get("/").get_data(as_text=True)
    assert client.get("/groups/new-circle").status_code == 404
