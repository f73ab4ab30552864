"""Staff create and edit their groups, choose facilitators, and old links keep working."""

import re

import pytest
import sqlalchemy as sa

from groups.audit.models import AuditEvent
from groups.extensions import db
from groups.organisations.models import Condition, Group, GroupKind, Invitation, InvitationRole
from tests.support import OUTSIDERS, access_statuses, login_as, make_user

GOOD = {
    "name": "Fibro Friends",
    "kind": "peer_support",
    "conditions": ["fibromyalgia", "chronic_pain"],
    "description": "We **chat**.",
    "who_it_is_for": "Anyone with fibromyalgia.",
    "first_time_expectations": "Tea.",
    "default_capacity": "12",
    "rsvp_open": "y",
    "open_to_newcomers": "y",
    "is_listed": "y",
}


def group_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Group))


def test_staff_create_a_group_with_every_field(world, client):
    login_as(client, world["staff"])
    data = {**GOOD, "default_venue_id": str(world["venue"].id)}
    response = client.post("/manage/test-pain-clinic/groups/new", data=data)
    assert response.status_code == 302
    group = db.session.scalar(sa.select(Group).where(Group.name == "Fibro Friends"))
    assert group.slug == "fibro-friends" and group.kind is GroupKind.PEER_SUPPORT
    assert set(group.conditions) == {Condition.FIBROMYALGIA, Condition.CHRONIC_PAIN}
    assert group.default_venue == world["venue"] and group.default_capacity == 12
    assert group.rsvp_open and group.is_listed and group.open_to_newcomers
    assert (
        db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.object_id == group.id))
        == "group.created"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": ""}, "This field is required"),
        ({"kind": ""}, "Choose the kind of group"),
        ({"kind": "cult"}, "Not a valid choice"),
        ({"default_capacity": "0"}, "Use a number from 1 to 500"),
        ({"default_capacity": "lots"}, "Not a valid integer"),
        ({"conditions": ["sadness"]}, "not a valid choice"),
    ],
)
def test_bad_group_input_keeps_what_was_typed_and_saves_nothing(world, client, change, message):
    login_as(client, world["admin"])
    before = group_count()
    page = client.post("/manage/test-pain-clinic/groups/new", data={**GOOD, **change})
    html = page.get_data(as_text=True)
    assert message.lower() in html.lower()
    assert "Anyone with fibromyalgia." in html
    assert group_count() == before


def test_a_venue_of_another_organisation_is_refused(world, client):
    login_as(client, world["admin"])
    before = group_count()
    data = {**GOOD, "default_venue_id": str(world["elsewhere_venue"].id)}
    assert "Not a valid choice" in client.post(
        "/manage/test-pain-clinic/groups/new", data=data
    ).get_data(as_text=True)
    assert group_count() == before


def test_the_description_preview_is_sanitised_and_saves_nothing(world, client):
    login_as(client, world["staff"])
    before = group_count()
    data = {**GOOD, "description": "**Hi** <script>alert(1)</script>", "preview": "1"}
    html = client.post("/manage/test-pain-clinic/groups/new", data=data).get_data(as_text=True)
    assert "Preview of the description" in html and "<strong>Hi</strong>" in html
    assert "<script>alert" not in html
    assert group_count() == before


def test_a_course_is_marked_closed_to_newcomers(world, client):
    login_as(client, world["staff"])
    data = {key: value for key, value in GOOD.items() if key != "open_to_newcomers"}
    client.post(f"/manage/groups/{world['group'].id}/edit", data=data)
    db.session.expire_all()
    assert world["group"].open_to_newcomers is False
    page = client.get("/groups/fibro-friends").get_data(as_text=True)
    assert "newcomers join when a new course starts" in page


def test_renaming_a_group_keeps_its_old_link_working(world, client):
    login_as(client, world["staff"])
    group = world["group"]
    client.post(f"/manage/groups/{group.id}/edit", data={**GOOD, "name": "Tuesday Evening Circle"})
    db.session.refresh(group)
    assert group.slug == "tuesday-evening-circle"
    old = client.get("/groups/tuesday-circle")
    assert old.status_code == 301 and old.headers["Location"].endswith(
        "/groups/tuesday-evening-circle"
    )
    assert client.get("/groups/tuesday-evening-circle").status_code == 200


def test_renaming_back_takes_the_old_slug_back_and_slugs_stay_unique(world, client):
    login_as(client, world["staff"])
    group = world["group"]
    client.post(f"/manage/groups/{group.id}/edit", data={**GOOD, "name": "Something Else"})
    client.post(f"/manage/groups/{group.id}/edit", data={**GOOD, "name": "Tuesday Circle"})
    db.session.refresh(group)
    assert group.slug == "tuesday-circle"
    # A new group may not take a slug that still redirects to another group.
    client.post("/manage/test-pain-clinic/groups/new", data={**GOOD, "name": "Something Else"})
    new = db.session.scalar(sa.select(Group).where(Group.name == "Something Else"))
    assert new.slug == "something-else-2"


def test_editing_keeps_unchanged_slug_when_only_case_changes(world, client):
    login_as(client, world["staff"])
    client.post(f"/manage/groups/{world['group'].id}/edit", data={**GOOD, "name": "TUESDAY circle"})
    db.session.refresh(world["group"])
    assert world["group"].slug == "tuesday-circle"


def test_the_edit_form_shows_the_saved_values(world, client):
    world["group"].conditions = [Condition.MIGRAINE]
    db.session.commit()
    login_as(client, world["staff"])
    html = client.get(f"/manage/groups/{world['group'].id}/edit").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="migraine"', html)
    assert not re.search(r'<input checked[^>]*value="fibromyalgia"', html)
    assert 'value="Tuesday Circle"' in html


def test_add_and_remove_a_facilitator_from_the_organisation(world, client):
    login_as(client, world["admin"])
    group = world["group"]
    client.post(f"/manage/groups/{group.id}/facilitators", data={"user_id": world["staff"].id})
    db.session.refresh(group)
    assert world["staff"] in group.facilitators
    client.post(f"/manage/groups/{group.id}/facilitators/{world['staff'].id}/remove")
    db.session.refresh(group)
    assert world["staff"] not in group.facilitators
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["group.facilitator_added", "group.facilitator_removed"]


def test_someone_outside_the_organisation_cannot_be_added_directly(world, client):
    login_as(client, world["admin"])
    response = client.post(
        f"/manage/groups/{world['group'].id}/facilitators",
        data={"user_id": world["other_staff"].id},
    )
    assert response.status_code == 400
    db.session.refresh(world["group"])
    assert world["other_staff"] not in world["group"].facilitators


def test_invite_a_facilitator_by_email(world, client):
    login_as(client, world["admin"])
    response = client.post(
        f"/manage/groups/{world['group'].id}/facilitators/invite", data={"email": "vol@example.org"}
    )
    assert response.status_code == 302
    invitation = db.session.scalar(sa.select(Invitation))
    assert (
        invitation.role is InvitationRole.FACILITATOR and invitation.group_id == world["group"].id
    )
    bad = client.post(
        f"/manage/groups/{world['group'].id}/facilitators/invite", data={"email": "not an email"}
    )
    assert bad.status_code == 400 and "Enter an email address" in bad.get_data(as_text=True)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/manage/groups/{group}/edit"),
        ("POST", "/manage/groups/{group}/edit"),
        ("GET", "/manage/groups/{group}/facilitators"),
        ("POST", "/manage/groups/{group}/facilitators"),
        ("POST", "/manage/groups/{group}/facilitators/invite"),
        ("POST", "/manage/groups/{group}/facilitators/{facilitator}/remove"),
    ],
)
def test_group_editing_is_for_its_organisations_staff_only(world, client, method, path):
    url = path.format(group=world["group"].id, facilitator=world["facilitator"].id)
    statuses = access_statuses(client, world, method, url, roles=(*OUTSIDERS, "facilitator"))
    assert statuses == {
        "anonymous": 302, "member": 404, "other_staff": 404, "other_facilitator": 404,
        "facilitator": 403,
    }  # fmt: skip
    db.session.refresh(world["group"])
    assert world["facilitator"] in world["group"].facilitators


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_creating_a_group_is_for_the_organisations_members_only(world, client, method):
    statuses = access_statuses(
        client, world, method, "/manage/test-pain-clinic/groups/new", data=GOOD
    )
    assert statuses == {
        "anonymous": 302,
        "member": 404,
        "other_staff": 404,
        "other_facilitator": 404,
    }
    assert group_count() == 2


def test_unknown_group_is_not_found(world, client):
    login_as(client, world["admin"])
    assert client.get("/manage/groups/999999/edit").status_code == 404


def test_a_new_person_is_not_in_the_facilitator_choices_of_another_organisation(world, client):
    make_user("Newcomer")
    db.session.commit()
    login_as(client, world["admin"])
    html = client.get(f"/manage/groups/{world['group'].id}/facilitators").get_data(as_text=True)
    assert "OtherStaff" not in html and "Newcomer" not in html and "Staff" in html
