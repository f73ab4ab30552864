"""Admins invite people by email, change roles and remove people; an organisation always keeps
an admin; invitation links work once, for 7 days, for the address they were sent to."""

import re
from email.parser import BytesParser
from email.policy import default

import pytest
import sqlalchemy as sa

from groups.accounts.models import User
from groups.audit.models import AuditEvent
from groups.extensions import db
from groups.mail.models import OutboxMessage
from groups.organisations import logic
from groups.organisations.models import (
    Group,
    Invitation,
    InvitationRole,
    MemberRole,
    Organisation,
    OrganisationMember,
)
from tests.support import (
    OUTSIDERS,
    PASSWORD,
    QueryCounter,
    access_statuses,
    login_as,
    make_user,
)

MEMBERS = "/manage/test-pain-clinic/members"
INVITE = "/manage/test-pain-clinic/members/invite"
INSIDERS = ("staff", "facilitator", "site_admin")


def membership(world, role_name: str) -> OrganisationMember:
    return db.session.scalar(
        sa.select(OrganisationMember).where(OrganisationMember.user_id == world[role_name].id)
    )


def actions() -> list[str]:
    return db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()


def invitation_link(email: str) -> str:
    queued = db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.recipient == email)
        .order_by(OutboxMessage.id.desc())
    ).first()
    text = BytesParser(policy=default).parsebytes(queued.message).get_body(("plain",)).get_content()
    return re.search(r"https?://[^/\s]+(/invitations/\S+)", text).group(1)


def invite(app, world, email, role=InvitationRole.STAFF, group=None) -> str:
    """An invitation made the way other features make them; returns its link's path."""
    with app.test_request_context():
        logic.create_invitation(world["organisation"], email, role, world["admin"], group=group)
        db.session.commit()
    return invitation_link(email.lower())


# The members page -------------------------------------------------------------------------


def test_members_page_access(world, client):
    assert access_statuses(client, world, "GET", MEMBERS) == {
        "anonymous": 302, "member": 404, "other_staff": 404, "other_facilitator": 404,
    }  # fmt: skip
    assert access_statuses(client, world, "GET", MEMBERS, ("admin",) + INSIDERS) == {
        "admin": 200, "staff": 200, "facilitator": 404, "site_admin": 404,
    }  # fmt: skip


def test_staff_see_the_list_and_admins_also_get_the_controls(world, client):
    login_as(client, world["staff"])
    page = client.get(MEMBERS).get_data(as_text=True)
    assert "Admin" in page and "Staff (you)" in page
    assert "Make admin" not in page and "Invite someone" not in page
    assert world["admin"].email not in page

    login_as(client, world["admin"])
    page = client.get(MEMBERS).get_data(as_text=True)
    assert "Make admin" in page and "Invite someone" in page and world["staff"].email in page
    assert "OtherStaff" not in page


def test_admin_only_member_routes_answer_staff_403_and_outsiders_404(world, client):
    staff_id = membership(world, "staff").id
    admin_id = membership(world, "admin").id
    role = f"/manage/test-pain-clinic/members/{admin_id}/role"
    remove = f"/manage/test-pain-clinic/members/{admin_id}/remove"
    for method, path, data in [
        ("GET", INVITE, None),
        ("POST", INVITE, {"email": "x@example.org", "role": "admin"}),
        ("POST", role, {"role": "staff"}),
        ("GET", remove, None),
        ("POST", remove, None),
    ]:
        statuses = access_statuses(client, world, method, path, OUTSIDERS + INSIDERS, data)
        assert statuses == {
            "anonymous": 302, "member": 404, "other_staff": 404, "other_facilitator": 404,
            "staff": 403, "facilitator": 404, "site_admin": 404,
        }, (method, path)  # fmt: skip
    assert membership(world, "admin").role is MemberRole.ADMIN
    assert db.session.get(OrganisationMember, staff_id) is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0


def test_another_organisations_admin_cannot_reach_these_members_through_their_own(world, client):
    staff_id = membership(world, "staff").id
    login_as(client, world["other_staff"])
    elsewhere = f"/manage/elsewhere-centre/members/{staff_id}"
    assert client.post(f"{elsewhere}/role", data={"role": "admin"}).status_code == 404
    assert client.get(f"{elsewhere}/remove").status_code == 404
    assert client.post(f"{elsewhere}/remove").status_code == 404
    assert membership(world, "staff").role is MemberRole.STAFF


def test_the_members_page_takes_a_fixed_number_of_queries(app, world, client):
    login_as(client, world["admin"])
    invite(app, world, "first@example.org")
    invite(app, world, "second@example.org", InvitationRole.FACILITATOR, world["group"])

    def count() -> int:
        db.session.expunge_all()
        with QueryCounter(db.engine) as counter:
            assert client.get(MEMBERS).status_code == 200
        return counter.count

    organisation_id, group_id, admin_id = (
        world["organisation"].id, world["group"].id, world["admin"].id
    )  # fmt: skip
    before = count()
    organisation = db.session.get(Organisation, organisation_id)
    group, admin = db.session.get(Group, group_id), db.session.get(User, admin_id)
    with app.test_request_context():
        for number in range(4):
            db.session.add(OrganisationMember(
                organisation=organisation, user=make_user(f"Colleague{number}"),
                role=MemberRole.STAFF,
            ))  # fmt: skip
            logic.create_invitation(
                organisation, f"guest{number}@example.org", InvitationRole.FACILITATOR, admin,
                group=group,
            )  # fmt: skip
        db.session.commit()
    assert count() == before


# Roles and removal ------------------------------------------------------------------------


def test_admin_makes_staff_an_admin_and_back_and_each_change_is_audited(world, client):
    member = membership(world, "staff")
    login_as(client, world["admin"])
    path = f"/manage/test-pain-clinic/members/{member.id}/role"
    assert client.post(path, data={"role": "admin"}).status_code == 302
    db.session.refresh(member)
    assert member.role is MemberRole.ADMIN
    assert client.post(path, data={"role": "staff"}).status_code == 302
    db.session.refresh(member)
    assert member.role is MemberRole.STAFF
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "member.role_changed")
    ).all()
    assert [(e.detail["old"], e.detail["new"]) for e in events] == [
        ("staff", "admin"),
        ("admin", "staff"),
    ]
    assert {e.organisation_id for e in events} == {world["organisation"].id}
    assert {e.actor_id for e in events} == {world["admin"].id}


def test_a_bad_role_is_refused_next_to_the_person(world, client):
    member = membership(world, "staff")
    login_as(client, world["admin"])
    response = client.post(
        f"/manage/test-pain-clinic/members/{member.id}/role", data={"role": "owner"}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Not a valid choice" in html and f'id="member-{member.id}"' in html
    db.session.refresh(member)
    assert member.role is MemberRole.STAFF and "member.role_changed" not in actions()


def test_the_last_admin_cannot_be_made_staff_or_removed(world, client):
    admin = membership(world, "admin")
    login_as(client, world["admin"])
    demote = client.post(
        f"/manage/test-pain-clinic/members/{admin.id}/role", data={"role": "staff"}
    )
    assert demote.status_code == 400
    assert "Admin is the only admin" in demote.get_data(as_text=True)
    assert "Make someone else an admin first." in demote.get_data(as_text=True)
    remove = client.post(f"/manage/test-pain-clinic/members/{admin.id}/remove")
    assert remove.status_code == 400 and "only admin" in remove.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.role is MemberRole.ADMIN
    assert actions() == []


def test_with_two_admins_one_may_step_down(world, client):
    membership(world, "staff").role = MemberRole.ADMIN
    db.session.commit()
    admin = membership(world, "admin")
    login_as(client, world["admin"])
    path = f"/manage/test-pain-clinic/members/{admin.id}/role"
    assert client.post(path, data={"role": "staff"}).status_code == 302
    db.session.refresh(admin)
    assert admin.role is MemberRole.STAFF


def test_admin_removes_a_member_after_confirming(world, client):
    member = membership(world, "staff")
    member_id = member.id
    login_as(client, world["admin"])
    path = f"/manage/test-pain-clinic/members/{member_id}/remove"
    confirm = client.get(path)
    assert confirm.status_code == 200 and "Remove Staff?" in confirm.get_data(as_text=True)
    assert client.post(path).status_code == 302
    db.session.expire_all()
    assert db.session.get(OrganisationMember, member_id) is None
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "member.removed"))
    assert event.detail == {"user_id": world["staff"].id, "role": "staff"}
    assert event.organisation_id == world["organisation"].id

    login_as(client, world["staff"])
    assert client.get(MEMBERS).status_code == 404


def test_an_admin_may_leave_when_another_admin_remains(world, client):
    membership(world, "staff").role = MemberRole.ADMIN
    db.session.commit()
    login_as(client, world["admin"])
    response = client.post(
        f"/manage/test-pain-clinic/members/{membership(world, 'admin').id}/remove"
    )
    assert response.status_code == 302 and response.headers["Location"] == "/manage/"


def test_an_unknown_member_is_404(world, client):
    login_as(client, world["admin"])
    assert (
        client.post(
            "/manage/test-pain-clinic/members/999999/role", data={"role": "admin"}
        ).status_code
        == 404
    )


# Inviting ---------------------------------------------------------------------------------


def test_admin_invites_someone_by_email(world, client):
    login_as(client, world["admin"])
    assert "Send the invitation" in client.get(INVITE).get_data(as_text=True)
    response = client.post(INVITE, data={"email": " Robin@Example.org ", "role": "admin"})
    assert response.status_code == 302
    invitation = db.session.scalar(sa.select(Invitation))
    assert invitation.email == "robin@example.org" and invitation.role is InvitationRole.ADMIN
    assert invitation.invited_by_id == world["admin"].id and invitation.group_id is None
    assert invitation_link("robin@example.org").startswith("/invitations/")
    queued = db.session.scalar(sa.select(OutboxMessage))
    assert queued.subject == "Join Test Pain Clinic on Circles"
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "invitation.created")
    )
    assert event.organisation_id == world["organisation"].id and event.detail["role"] == "admin"
    page = client.get(MEMBERS).get_data(as_text=True)
    assert "robin@example.org" in page and "Withdraw" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "", "role": "staff"}, "Enter their email address."),
        ({"email": "robin at example", "role": "staff"}, "Enter an email address like name@example.org."),
        ({"email": "robin@example.org", "role": "owner"}, "Not a valid choice"),
        ({"email": "robin@example.org", "role": "facilitator"}, "Not a valid choice"),
        ({"email": "Staff@example.org", "role": "admin"}, "Staff is already a member (staff)."),
    ],
)  # fmt: skip
def test_bad_invitations_keep_what_was_typed_and_send_nothing(world, client, data, message):
    login_as(client, world["admin"])
    response = client.post(INVITE, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and message in html
    assert 'class="error"' in html
    if data["email"]:
        assert f'value="{data["email"]}"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_create_invitation_refuses_a_facilitator_without_a_group(app, world):
    with app.test_request_context(), pytest.raises(ValueError):
        logic.create_invitation(
            world["organisation"], "x@example.org", InvitationRole.FACILITATOR, world["admin"]
        )
    with app.test_request_context(), pytest.raises(ValueError):
        logic.create_invitation(
            world["organisation"], "x@example.org", InvitationRole.FACILITATOR, world["admin"],
            group=world["elsewhere_group"],
        )  # fmt: skip


# Accepting --------------------------------------------------------------------------------


def test_the_invited_person_signs_in_and_joins(app, world, client, now):
    link = invite(app, world, "New.Person@Example.org", InvitationRole.STAFF)
    page = client.get(link)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "join Test Pain Clinic as staff" in html and "n***@example.org" in html
    assert f'href="/sign-in?next={link}"' in html
    anonymous_post = client.post(link)
    assert anonymous_post.headers["Location"] == f"/sign-in?next={link}"

    person = make_user("New.Person")
    db.session.commit()
    signed_in = client.post(
        "/sign-in", data={"email": person.email, "password": PASSWORD, "next": link}
    )
    assert signed_in.headers["Location"] == link
    response = client.post(link)
    assert response.status_code == 302
    assert response.headers["Location"] == "/manage/test-pain-clinic/"
    joined = db.session.scalar(
        sa.select(OrganisationMember).where(OrganisationMember.user_id == person.id)
    )
    assert joined.role is MemberRole.STAFF
    invitation = db.session.scalar(sa.select(Invitation))
    db.session.refresh(invitation)
    assert invitation.accepted_at is not None
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "invitation.accepted")
    )
    assert event.actor_id == person.id and event.organisation_id == world["organisation"].id
    assert client.get("/manage/test-pain-clinic/").status_code == 200


def test_an_invitation_works_only_once(app, world, client):
    link = invite(app, world, "robin@example.org", InvitationRole.ADMIN)
    robin = make_user("Robin")
    db.session.commit()
    login_as(client, robin)
    assert client.post(link).status_code == 302
    for response in (client.get(link), client.post(link)):
        assert response.status_code == 400
        assert "already been used" in response.get_data(as_text=True)


def test_an_expired_invitation_is_refused(app, world, client, monkeypatch):
    link = invite(app, world, "robin@example.org")
    robin = make_user("Robin")
    db.session.commit()
    monkeypatch.setattr(logic, "INVITATION_MAX_AGE", -1)
    login_as(client, robin)
    response = client.post(link)
    assert response.status_code == 400
    assert "This invitation has expired" in response.get_data(as_text=True)
    assert membership({"robin": robin}, "robin") is None


def test_a_tampered_link_is_refused(app, world, client):
    link = invite(app, world, "robin@example.org")
    response = client.get(link[:-3] + "abc")
    assert response.status_code == 400 and "not valid" in response.get_data(as_text=True)


def test_a_withdrawn_invitation_is_refused(app, world, client):
    link = invite(app, world, "robin@example.org")
    invitation = db.session.scalar(sa.select(Invitation))
    login_as(client, world["admin"])
    revoke = f"/manage/test-pain-clinic/invitations/{invitation.id}/revoke"
    assert client.post(revoke).status_code == 302
    assert "invitation.revoked" in actions()
    robin = make_user("Robin")
    db.session.commit()
    login_as(client, robin)
    response = client.post(link)
    assert response.status_code == 400
    assert "has withdrawn this invitation" in response.get_data(as_text=True)
    assert membership({"robin": robin}, "robin") is None


def test_withdrawing_an_invitation_is_for_admins_of_its_organisation(app, world, client):
    invite(app, world, "robin@example.org")
    invitation = db.session.scalar(sa.select(Invitation))
    path = f"/manage/test-pain-clinic/invitations/{invitation.id}/revoke"
    assert access_statuses(client, world, "POST", path, OUTSIDERS + INSIDERS) == {
        "anonymous": 302, "member": 404, "other_staff": 404, "other_facilitator": 404,
        "staff": 403, "facilitator": 404, "site_admin": 404,
    }  # fmt: skip
    login_as(client, world["other_staff"])
    path = f"/manage/elsewhere-centre/invitations/{invitation.id}/revoke"
    assert client.post(path).status_code == 404
    db.session.refresh(invitation)
    assert invitation.revoked_at is None


def test_signed_in_with_another_address_is_told_which_one_to_use(app, world, client):
    link = invite(app, world, "jo@example.org")
    login_as(client, world["member"])
    for response in (client.get(link), client.post(link)):
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert "This invitation was sent to j***@example.org; sign in with that address" in html
    assert membership(world, "member") is None
    assert "invitation.accepted" not in actions()


def test_an_existing_member_accepting_changes_nothing(app, world, client):
    link = invite(app, world, world["staff"].email, InvitationRole.ADMIN)
    login_as(client, world["staff"])
    response = client.post(link, follow_redirects=True)
    assert "already a member of Test Pain Clinic (staff); nothing has changed" in response.get_data(
        as_text=True
    )
    assert membership(world, "staff").role is MemberRole.STAFF
    assert db.session.scalar(sa.select(Invitation.accepted_at)) is None


def test_a_facilitator_invitation_adds_the_person_to_the_group_only(app, world, client):
    link = invite(app, world, "volunteer@example.org", InvitationRole.FACILITATOR, world["group"])
    queued = db.session.scalar(sa.select(OutboxMessage))
    assert queued.subject == "Would you facilitate Tuesday Circle?"
    volunteer = make_user("Volunteer")
    db.session.commit()
    login_as(client, volunteer)
    assert "facilitate Tuesday Circle" in client.get(link).get_data(as_text=True)
    assert client.post(link).status_code == 302
    db.session.refresh(world["group"])
    assert volunteer in world["group"].facilitators
    assert membership({"v": volunteer}, "v") is None
    assert client.get("/manage/test-pain-clinic/").status_code == 404


def test_accept_invitation_raises_a_clear_error(app, world, now):
    invite(app, world, "robin@example.org")
    invitation = db.session.scalar(sa.select(Invitation))
    with pytest.raises(logic.InvitationError, match=r"r\*\*\*@example.org"):
        logic.accept_invitation(invitation, world["member"], now)
    invitation.revoked_at = now
    with pytest.raises(logic.InvitationError, match="withdrawn"):
        logic.accept_invitation(invitation, world["member"], now)
