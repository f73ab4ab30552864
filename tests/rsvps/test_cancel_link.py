"""The one-click cancel link in every email: no sign-in, and opening it cancels nothing."""

from groups.extensions import db
from groups.rsvps.links import cancel_token
from groups.rsvps.logic import make_rsvp
from groups.rsvps.models import RSVP, RSVPStatus
from tests.rsvps.helpers import next_meeting


def test_opening_the_link_only_asks_and_the_button_cancels(world, client, now, app):
    meeting = next_meeting(world, now)
    rsvp = make_rsvp(meeting.id, world["member"], companions=0, now=now).rsvp
    db.session.commit()
    url = f"/rsvps/cancel/{cancel_token(rsvp)}"
    page = client.get(url).get_data(as_text=True)  # what a mail scanner does
    assert "Cancel your place?" in page and "Yes, cancel my place" in page
    db.session.expire_all()
    assert db.session.get(RSVP, rsvp.id).status is RSVPStatus.GOING
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client.post(url)  # no token: refused, nothing happens
        db.session.expire_all()
        assert db.session.get(RSVP, rsvp.id).status is RSVPStatus.GOING
        page = client.get(url).get_data(as_text=True)
        csrf = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        page = client.post(url, data={"csrf_token": csrf}).get_data(as_text=True)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert "You're no longer going" in page
    db.session.expire_all()
    assert db.session.get(RSVP, rsvp.id).status is RSVPStatus.CANCELLED
    # Pressing again (or a second tab) says so and changes nothing.
    assert "Already cancelled" in client.post(url).get_data(as_text=True)


def test_the_link_promotes_the_next_waiting_member(world, client, now):
    meeting = next_meeting(world, now)
    meeting.capacity = 1
    rsvp = make_rsvp(meeting.id, world["member"], companions=0, now=now).rsvp
    waiting = make_rsvp(meeting.id, world["staff"], companions=0, now=now).rsvp
    db.session.commit()
    client.post(f"/rsvps/cancel/{cancel_token(rsvp)}")
    db.session.expire_all()
    assert db.session.get(RSVP, waiting.id).status is RSVPStatus.GOING


def test_a_tampered_or_foreign_link_is_refused(world, client, now):
    meeting = next_meeting(world, now)
    rsvp = make_rsvp(meeting.id, world["member"], companions=0, now=now).rsvp
    db.session.commit()
    token = cancel_token(rsvp)
    response = client.post(f"/rsvps/cancel/{token[:-3]}abc")
    assert response.status_code == 400 and "not valid" in response.get_data(as_text=True)
    # A link whose RSVP now belongs to nobody it was made for.
    rsvp.user_id = world["staff"].id
    db.session.commit()
    response = client.post(f"/rsvps/cancel/{token}")
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(RSVP, rsvp.id).status is RSVPStatus.GOING
