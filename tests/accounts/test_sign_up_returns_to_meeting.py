"""Someone who creates an account from a meeting's RSVP button comes back to that meeting."""

import re
from email import policy
from email.parser import BytesParser

import sqlalchemy as sa

from groups.extensions import db
from groups.mail.models import OutboxMessage
from tests.rsvps.helpers import next_meeting


def test_sign_up_from_an_rsvp_comes_back_to_the_meeting(world, client, now):
    meeting = next_meeting(world, now)
    target = f"/meetings/{meeting.id}/rsvp"
    sign_in = client.get(target).location
    sign_in_page = client.get(sign_in).get_data(as_text=True)
    sign_up = re.search(r'href="(/sign-up\?next=[^"]+)"', sign_in_page).group(1)
    client.post(
        sign_up.replace("&amp;", "&"),
        data={"display_name": "Newcomer", "email": "new@example.org",
              "password": "a long enough password", "next": target},
    )  # fmt: skip
    message = BytesParser(policy=policy.default).parsebytes(
        db.session.scalar(sa.select(OutboxMessage.message).order_by(OutboxMessage.id.desc()))
    )
    body = message.get_body(("plain",)).get_content()
    link = re.search(r"http://localhost(/confirm-email/\S+)", body).group(1)
    response = client.get(link)
    assert response.status_code == 302
    assert response.location.endswith(f"/sign-in?next=/meetings/{meeting.id}/rsvp") or (
        "next=%2Fmeetings%2F" in response.location
    )
    response = client.post(
        response.location,
        data={"email": "new@example.org", "password": "a long enough password", "next": target},
    )
    assert response.location == target


def test_a_foreign_next_is_not_carried_through_sign_up(world, client):
    client.post(
        "/sign-up?next=https://evil.example/",
        data={"display_name": "Newcomer", "email": "new@example.org",
              "password": "a long enough password", "next": "https://evil.example/"},
    )  # fmt: skip
    message = BytesParser(policy=policy.default).parsebytes(
        db.session.scalar(sa.select(OutboxMessage.message).order_by(OutboxMessage.id.desc()))
    )
    link = re.search(
        r"http://localhost(/confirm-email/\S+)", message.get_body(("plain",)).get_content()
    ).group(1)
    response = client.get(link)
    assert "evil" not in response.location
