"""The one-click cancel link carried by every email about an RSVP.

The link needs no sign-in: it is signed for one RSVP and its member, and opening it only shows a
confirmation button (mail scanners follow links; they don't press buttons)."""

from groups.mail.links import external_url
from groups.rsvps.models import RSVP
from groups.security import read_token, sign_token

CANCEL_PURPOSE = "rsvp-cancel"
# Long enough for a standing RSVP planned months ahead; the meeting's own start ends it sooner.
CANCEL_LINK_LIFETIME_SECONDS = 400 * 24 * 3600


def cancel_token(rsvp: RSVP) -> str:
    return sign_token(CANCEL_PURPOSE, {"rsvp": rsvp.id, "user": rsvp.user_id})


def cancel_link(rsvp: RSVP) -> str:
    """The absolute URL of the confirmation page that cancels ``rsvp``."""
    return external_url("rsvps.cancel_by_link", token=cancel_token(rsvp))


def read_cancel_token(token: str) -> tuple[int, int]:
    """(rsvp id, user id) from a cancel link; raises security.TokenError for a bad or old one."""
    payload = read_token(CANCEL_PURPOSE, token, CANCEL_LINK_LIFETIME_SECONDS)
    return int(payload["rsvp"]), int(payload["user"])
