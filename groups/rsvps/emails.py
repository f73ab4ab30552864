"""The emails members get about their RSVPs: confirmation, a place freed from the waitlist, a
meeting cancelled, moved or changed, and the reminder the day before.

Every message goes through the outbox in the caller's transaction (nothing here commits). Each
names only the member it goes to, never anyone else going. Addresses never confirmed get nothing:
such an account can't sign in to answer a meeting, and a message about a pain support group must
not reach a stranger who was given a mistyped address.

Reminders (``queue_reminders``) follow one rule: a member going to a meeting gets one reminder on
the day before it, by the calendar of the meeting's own time zone. The first `flask meetings
remind` run on that day sends it and records ``RSVP.reminder_sent_at``, so later runs send
nothing more; cron must run the command at least once a day (hourly is best). Waitlisted members,
cancelled meetings and members who turned reminders off get none. Notices of cancelled, moved or
changed meetings are not reminders: everyone going or waiting gets them whatever that setting.
"""

from collections import defaultdict
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from groups.accounts.models import User
from groups.extensions import db
from groups.feeds.ical import meeting_ics_attachment
from groups.mail.links import external_url
from groups.mail.models import OutboxMessage
from groups.mail.outbox import Attachment, queue_email
from groups.rsvps.links import cancel_link
from groups.rsvps.logic import waitlist_place
from groups.rsvps.models import RSVP, RSVPStatus
from groups.schedules.display import in_zone, meeting_when
from groups.schedules.models import (
    Meeting,
    MeetingChange,
    MeetingChangeKind,
    MeetingStatus,
    meeting_venue_loaders,
)

# Far enough ahead to hold all of "tomorrow" in any time zone, from any moment today.
REMINDER_LOOKAHEAD = timedelta(hours=50)
LIVE_STATUSES = (RSVPStatus.GOING, RSVPStatus.WAITLISTED)


def meeting_attachments(meeting: Meeting, user: User | None = None) -> list[Attachment]:
    """Files attached to every email about ``meeting``: its .ics (cancelled meetings say so, so
    calendar apps take them out), neutral for members who keep a discreet calendar."""
    discreet = bool(user and user.discreet_calendar)
    return [meeting_ics_attachment(meeting, discreet=discreet)]


def short_when(meeting: Meeting) -> str:
    """'Tue 8 December 18:30', in the meeting's local time: for subject lines."""
    start = in_zone(meeting.starts_at, meeting.timezone)
    return f"{start:%a} {start.day} {start:%B} {start:%H:%M}"


def _may_email(user: User | None) -> bool:
    """A confirmed address (None: the RSVP's person was removed by the retention purge)."""
    return user is not None and user.email_verified_at is not None


def _queue_about(
    rsvp: RSVP, subject: str, template: str, *, with_cancel_link: bool = True, **context
) -> OutboxMessage:
    meeting, user = rsvp.meeting, rsvp.user
    return queue_email(
        user.email,
        subject,
        template,
        attachments=meeting_attachments(meeting, user),
        member=user,
        rsvp=rsvp,
        meeting=meeting,
        group=meeting.group,
        venue=meeting.venue,
        when=meeting_when(meeting),
        waiting=rsvp.status is RSVPStatus.WAITLISTED,
        group_link=external_url(
            "finder.group_page", slug=meeting.group.slug, _anchor=f"meeting-{meeting.id}"
        ),
        my_meetings_link=external_url("rsvps.my_meetings"),
        cancel_link=cancel_link(rsvp) if with_cancel_link else None,
        **context,
    )


# --- Answers to one member's RSVP ------------------------------------------------------------


def queue_rsvp_confirmation(rsvp: RSVP) -> OutboxMessage | None:
    """Tell the member they're going (with their companions), or their place on the waitlist."""
    if not _may_email(rsvp.user):
        return None
    meeting = rsvp.meeting
    heading = f"{meeting.group.name}, {short_when(meeting)}"
    if rsvp.status is RSVPStatus.GOING:
        return _queue_about(rsvp, f"You're going: {heading}", "rsvp_going")
    if rsvp.status is RSVPStatus.WAITLISTED:
        place = waitlist_place(rsvp)
        return _queue_about(
            rsvp, f"You're on the waitlist, place {place}: {heading}", "rsvp_waitlisted",
            place=place,
        )  # fmt: skip
    return None


def queue_promotion(rsvp: RSVP) -> OutboxMessage | None:
    """Tell a member who was waiting that a seat came free and is now theirs."""
    if not _may_email(rsvp.user) or rsvp.status is not RSVPStatus.GOING:
        return None
    meeting = rsvp.meeting
    return _queue_about(
        rsvp,
        f"A seat is free: you're going now to {meeting.group.name}, {short_when(meeting)}",
        "rsvp_promoted",
    )


def queue_cancelled_by_staff(rsvp: RSVP) -> OutboxMessage | None:
    """Tell a member that the group's staff took them off a meeting (no cancel link: it is
    cancelled already; the group page lets them say they're coming again)."""
    if not _may_email(rsvp.user):
        return None
    meeting = rsvp.meeting
    return _queue_about(
        rsvp,
        f"Your place is cancelled: {meeting.group.name}, {short_when(meeting)}",
        "rsvp_cancelled_by_staff",
        with_cancel_link=False,
    )


# --- Changes to a meeting, for everyone going or waiting --------------------------------------


def _claim(model, column, ids: list[int], now: datetime) -> set[int]:
    """Set ``column`` to ``now`` on the rows of ``ids`` where it is still empty, in one UPDATE,
    and return the ids this call set: two runs at once never both send for one row."""
    if not ids:
        return set()
    claimed = db.session.scalars(
        sa.update(model)
        .where(model.id.in_(ids), column.is_(None))
        .values({column.key: now})
        .returning(model.id)
    )
    return set(claimed)


def _change_email(change: MeetingChange) -> tuple[str, str]:
    """(subject, template) for the notice of ``change``; the meeting row holds the new state."""
    meeting = change.meeting
    heading = f"{meeting.group.name}, {short_when(meeting)}"
    if change.kind is MeetingChangeKind.CANCELLED or meeting.status is MeetingStatus.CANCELLED:
        return f"Cancelled: {heading}", "meeting_cancelled"
    if change.kind is MeetingChangeKind.MOVED:
        return f"Moved: {meeting.group.name}, now {short_when(meeting)}", "meeting_moved"
    return f"Changed: {meeting.group.name}, now {short_when(meeting)}", "meeting_changed"


def queue_meeting_change_notices(now: datetime) -> int:
    """Email every member going to or waiting for a meeting that changed, for each change not yet
    told (``notified_at`` empty), and mark the changes told. Several untold changes to one
    meeting make one email, about the latest (the meeting as it is now). Meetings that are over
    get no notice. A fixed few queries however many people; returns how many emails were queued."""
    pending = db.session.scalars(
        sa.select(MeetingChange)
        .where(MeetingChange.notified_at.is_(None))
        .options(selectinload(MeetingChange.meeting).options(*meeting_venue_loaders()))
        .order_by(MeetingChange.id)
    ).all()
    claimed = _claim(MeetingChange, MeetingChange.notified_at, [c.id for c in pending], now)
    latest: dict[int, MeetingChange] = {}
    for change in pending:  # in id order: the last one of each meeting wins
        if change.id in claimed and change.meeting.ends_at > now:
            latest[change.meeting_id] = change
    if not latest:
        return 0
    rsvps = db.session.scalars(
        sa.select(RSVP)
        .join(RSVP.user)
        .where(
            RSVP.meeting_id.in_(list(latest)),
            RSVP.status.in_(LIVE_STATUSES),
            User.email_verified_at.is_not(None),
        )
        .options(selectinload(RSVP.user))
        .order_by(RSVP.meeting_id, RSVP.id)
    ).all()
    by_meeting: dict[int, list[RSVP]] = defaultdict(list)
    for rsvp in rsvps:
        by_meeting[rsvp.meeting_id].append(rsvp)
    queued = 0
    for meeting_id, change in latest.items():
        subject, template = _change_email(change)
        cancelled = template == "meeting_cancelled"
        for rsvp in by_meeting[meeting_id]:
            _queue_about(
                rsvp, subject, template, with_cancel_link=not cancelled,
                reason=change.meeting.cancel_reason or change.detail, detail=change.detail,
            )  # fmt: skip
            queued += 1
    return queued


# --- The reminder the day before --------------------------------------------------------------


def _is_tomorrow(meeting: Meeting, now: datetime) -> bool:
    today = in_zone(now, meeting.timezone).date()
    return in_zone(meeting.starts_at, meeting.timezone).date() == today + timedelta(days=1)


def queue_reminders(now: datetime) -> int:
    """Remind each member going to a meeting tomorrow (in the meeting's zone), once: see the
    module's docstring for the rule. Returns how many reminders were queued."""
    candidates = db.session.scalars(
        sa.select(RSVP)
        .join(RSVP.meeting)
        .join(RSVP.user)
        .where(
            RSVP.status == RSVPStatus.GOING,
            RSVP.reminder_sent_at.is_(None),
            Meeting.status != MeetingStatus.CANCELLED,
            Meeting.starts_at > now,
            Meeting.starts_at <= now + REMINDER_LOOKAHEAD,
            User.email_reminders,
            User.email_verified_at.is_not(None),
        )
        .options(
            selectinload(RSVP.user), selectinload(RSVP.meeting).options(*meeting_venue_loaders())
        )
        .order_by(Meeting.starts_at, RSVP.id)
    ).all()
    due = [rsvp for rsvp in candidates if _is_tomorrow(rsvp.meeting, now)]
    claimed = _claim(RSVP, RSVP.reminder_sent_at, [rsvp.id for rsvp in due], now)
    for rsvp in due:
        if rsvp.id in claimed:
            meeting = rsvp.meeting
            start = in_zone(meeting.starts_at, meeting.timezone)
            _queue_about(
                rsvp,
                f"Reminder: {meeting.group.name} tomorrow at {start:%H:%M}",
                "rsvp_reminder",
                settings_link=external_url("accounts.settings"),
            )
    return len(claimed)
