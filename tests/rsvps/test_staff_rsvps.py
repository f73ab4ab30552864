"""Staff and facilitators see who is coming to their group's meetings; nobody else does."""

import sqlalchemy as sa

from groups.attendance.models import AnonymousCounting
from groups.audit.models import AuditEvent
from groups.extensions import db
from groups.rsvps.logic import make_rsvp
from groups.rsvps.models import RSVP, RSVPStatus
from tests.rsvps.helpers import next_meeting
from tests.support import access_statuses, login_as, make_user

REFUSED = {"anonymous": 302, "member": 404, "other_staff": 404, "other_facilitator": 404}


def test_staff_and_facilitators_see_names_in_order(world, client, now):
    meeting = next_meeting(world, now)
    meeting.capacity = 1
    make_rsvp(meeting.id, make_user("Ada"), companions=0, now=now)
    make_rsvp(meeting.id, make_user("Bo"), companions=2, now=now)
    db.session.commit()
    for role in ("admin", "staff", "facilitator"):
        login_as(client, world[role])
        page = client.get(f"/manage/meetings/{meeting.id}/rsvps").get_data(as_text=True)
        assert "Ada" in page and "Bo" in page and "Waiting list, in order (1)" in page


def test_outsiders_cannot_see_who_is_coming(world, client, now):
    meeting = next_meeting(world, now)
    make_rsvp(meeting.id, world["member"], companions=0, now=now)
    db.session.commit()
    statuses = access_statuses(client, world, "GET", f"/manage/meetings/{meeting.id}/rsvps")
    assert statuses == REFUSED


def test_outsiders_cannot_take_anyone_off(world, client, now):
    meeting = next_meeting(world, now)
    rsvp = make_rsvp(meeting.id, world["member"], companions=0, now=now).rsvp
    db.session.commit()
    statuses = access_statuses(client, world, "POST", f"/manage/rsvps/{rsvp.id}/cancel")
    assert statuses == REFUSED
    db.session.expire_all()
    assert db.session.get(RSVP, rsvp.id).status is RSVPStatus.GOING


def test_staff_take_someone_off_and_it_is_audited(world, client, now):
    meeting = next_meeting(world, now)
    meeting.capacity = 1
    rsvp = make_rsvp(meeting.id, world["member"], companions=0, now=now).rsvp
    waiting = make_rsvp(meeting.id, world["admin"], companions=0, now=now).rsvp
    db.session.commit()
    login_as(client, world["facilitator"])
    client.post(f"/manage/rsvps/{rsvp.id}/cancel")
    db.session.expire_all()
    assert db.session.get(RSVP, rsvp.id).status is RSVPStatus.CANCELLED
    assert db.session.get(RSVP, waiting.id).status is RSVPStatus.GOING
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action.like("rsvp.%")))
    assert event.actor_id == world["facilitator"].id


def test_a_member_counted_anonymously_is_not_named_to_staff(world, client, now):
    meeting = next_meeting(world, now)
    make_rsvp(meeting.id, world["member"], companions=0, now=now)
    db.session.add(AnonymousCounting(group_id=world["group"].id, user_id=world["member"].id))
    db.session.commit()
    login_as(client, world["staff"])
    page = client.get(f"/manage/meetings/{meeting.id}/rsvps").get_data(as_text=True)
    assert "1 member (counted anonymously)" in page
    assert "Member</td>" not in page and ">Member<" not in page
