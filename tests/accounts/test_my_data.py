"""Downloading my data and deleting my account."""

import json

import sqlalchemy as sa

from groups.accounts.models import User
from groups.attendance.models import AnonymousCounting, Attendance, AttendanceStatus
from groups.extensions import db
from groups.organisations.models import OrganisationMember
from groups.rsvps.models import RSVP, RSVPStatus
from groups.schedules.models import Meeting
from tests.support import PASSWORD, login_as, make_user


def first_meetings(world, count=2):
    return db.session.scalars(
        sa.select(Meeting)
        .where(Meeting.group_id == world["group"].id)
        .order_by(Meeting.starts_at)
        .limit(count)
    ).all()


def test_download_my_data_has_profile_rsvps_attendance_and_memberships(world, client):
    meeting, other = first_meetings(world)
    member = world["member"]
    db.session.add(RSVP(meeting=meeting, user=member, status=RSVPStatus.GOING, companions=1))
    db.session.add(Attendance(meeting=other, user=member, status=AttendanceStatus.PRESENT))
    db.session.commit()
    login_as(client, member)
    response = client.get("/settings/my-data.json")
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "no-store" in response.headers["Cache-Control"]
    data = json.loads(response.data)
    assert data["profile"]["email"] == member.email
    assert data["rsvps"][0]["companions"] == 1 and data["rsvps"][0]["group"] == "Tuesday Circle"
    assert data["attendance"][0]["status"] == "present"

    login_as(client, world["admin"])
    assert json.loads(client.get("/settings/my-data.json").data)["memberships"] == [
        {"organisation": "Test Pain Clinic", "role": "admin"}
    ]


def attendance_totals():
    return db.session.execute(
        sa.select(Attendance.meeting_id, Attendance.status, sa.func.count())
        .group_by(Attendance.meeting_id, Attendance.status)
        .order_by(Attendance.meeting_id, Attendance.status)
    ).all()


def test_deleting_an_account_keeps_attendance_totals_and_leaves_no_personal_data(world, client):
    person = make_user("Zebediah")
    person.display_name = "Zebediah Quux"
    db.session.commit()
    meeting, other = first_meetings(world)
    db.session.add_all([
        RSVP(meeting=meeting, user=person, status=RSVPStatus.GOING),
        Attendance(meeting=other, user=person, status=AttendanceStatus.PRESENT, recorded_by=world["facilitator"]),
        Attendance(meeting=other, user=world["member"], status=AttendanceStatus.ABSENT, recorded_by=person),
    ])  # fmt: skip
    db.session.commit()
    before = attendance_totals()

    login_as(client, person)
    response = client.post("/settings/delete", data={"current_password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()

    assert attendance_totals() == before
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(User).where(User.email == "zebediah@example.org")
        )
        == 0
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RSVP)) == 0
    # No trace of the person anywhere in the database.
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            for row in connection.execute(table.select()):
                text = repr(tuple(row))
                assert "Zebediah" not in text and "zebediah@example.org" not in text, table.name
    assert client.get("/settings").status_code == 302  # signed out


def test_deleting_needs_the_password_and_the_tick(world, client):
    login_as(client, world["member"])
    page = client.post("/settings/delete", data={"current_password": "wrong one", "confirm": "y"})
    assert "That isn&#39;t your password" in page.get_data(as_text=True)
    page = client.post("/settings/delete", data={"current_password": PASSWORD})
    assert "Tick the box to confirm" in page.get_data(as_text=True)
    assert db.session.get(User, world["member"].id) is not None


def test_the_last_admin_of_an_organisation_must_hand_over_first(world, client):
    login_as(client, world["admin"])
    page = client.get("/settings/delete").get_data(as_text=True)
    assert "only admin of Test Pain Clinic" in page
    page = client.post("/settings/delete", data={"current_password": PASSWORD, "confirm": "y"})
    assert "Make someone else an admin first" in page.get_data(as_text=True)
    assert db.session.get(User, world["admin"].id) is not None

    membership = db.session.scalar(
        sa.select(OrganisationMember).where(OrganisationMember.user_id == world["staff"].id)
    )
    membership.role = membership.role.ADMIN
    db.session.commit()
    assert (
        client.post(
            "/settings/delete", data={"current_password": PASSWORD, "confirm": "y"}
        ).status_code
        == 302
    )


def test_privacy_page_says_who_sees_what(client):
    page = client.get("/privacy").get_data(as_text=True)
    assert "Who sees it" in page and "How long we keep it" in page


def test_my_data_says_which_groups_i_go_to_every_time(world, client):
    meeting = db.session.scalars(
        sa.select(Meeting).where(Meeting.starts_at > sa.func.now()).order_by(Meeting.starts_at)
    ).first()
    login_as(client, world["member"])
    client.post(f"/meetings/{meeting.id}/rsvp", data={"companions": "0", "every_meeting": "y"})
    db.session.add(AnonymousCounting(group_id=world["group"].id, user_id=world["member"].id))
    db.session.commit()
    data = json.loads(client.get("/settings/my-data.json").data)
    assert data["going_to_every_meeting_of"] == ["Tuesday Circle"]
    assert data["counted_anonymously_at"] == ["Tuesday Circle"]
