"""Reading the emails the RSVP feature queued, for the tests that check them."""

import re
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from groups.extensions import db
from groups.mail.models import OutboxMessage
from groups.rsvps.links import read_cancel_token
from groups.schedules.models import Meeting

LONDON = ZoneInfo("Europe/London")


def queued_emails() -> list[EmailMessage]:
    """Every message in the outbox, oldest first, parsed."""
    rows = db.session.scalars(sa.select(OutboxMessage.message).order_by(OutboxMessage.id))
    return [BytesParser(policy=default).parsebytes(row) for row in rows]


def subject_of(message: EmailMessage) -> str:
    # Python folds a long Subject right after "Subject:", and its parser then keeps the space
    # that starts the next line; mail programs drop it.
    return message["Subject"].strip()


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def recipients(messages: list[EmailMessage]) -> list[str]:
    return sorted(message["To"] for message in messages)


def meetings_of(world) -> list[Meeting]:
    return db.session.scalars(
        sa.select(Meeting)
        .where(Meeting.schedule_id == world["schedule"].id)
        .order_by(Meeting.starts_at)
    ).all()


def next_meeting(world) -> Meeting:
    return meetings_of(world)[0]


def in_london(meeting: Meeting) -> str:
    """'Tue 8 December 18:30': how subject lines name a meeting of the world's group."""
    start = meeting.starts_at.astimezone(LONDON)
    return f"{start:%a} {start.day} {start:%B} {start:%H:%M}"


def has_cancel_link(text: str, rsvp) -> bool:
    """Does ``text`` carry a working cancel link for ``rsvp``? (The tokens carry the second they
    were signed, so the test can't rebuild the exact one.)"""
    tokens = re.findall(r"/rsvps/cancel/([A-Za-z0-9_.\-]+)", text)
    return any(read_cancel_token(token) == (rsvp.id, rsvp.user_id) for token in tokens)
