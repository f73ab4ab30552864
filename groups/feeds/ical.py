"""The pieces every calendar file is made of, built with the ``icalendar`` library (never a
template), and the single-meeting ``.ics`` that pages and emails offer.

Rules that hold for every feed:
- text from people (group names, topics, venue names, descriptions) goes in through ``text()``:
  control characters are removed, CR LF and lone CR become LF (the only line break iCalendar TEXT
  can hold), and it is always a ``vText``, which escapes ``\\``, ``;``, ``,`` and line breaks.
  (icalendar 7.3 leaves a plain ``str`` unescaped in NAME and X-WR-CALNAME, so nothing is added
  as a plain string.) icalendar folds lines at 75 octets with CRLF;
- no ATTENDEE or ORGANIZER, no names or emails of people, no counts of who is going;
- the same data gives the same bytes: DTSTAMP and LAST-MODIFIED are the row's own last change,
  never "now", components come in a fixed order, and VTIMEZONEs cover whole years taken from
  the data.
"""

import html
import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import nh3
from flask import current_app
from icalendar import Calendar, Event, vText

from groups.feeds.timezones import vtimezone
from groups.mail.links import external_url
from groups.organisations.models import Venue
from groups.schedules.models import Meeting, MeetingStatus
from groups.security import render_markdown

PRODUCT_ID = "-//Circles//Calendar feeds//EN"
REFRESH_INTERVAL = timedelta(hours=1)
# Years of time zone rules written after the last meeting in a file, for open-ended series.
TIMEZONE_YEARS_AHEAD = 5
DISCREET_SUMMARY = "{weekday} meeting"
ICS_MIMETYPE = "text/calendar"

_LINE_BREAKS = re.compile(r"\r\n|\r")
_PARAGRAPH_ENDS = re.compile(r"</(p|h[1-6]|blockquote|pre|ul|ol)>|<hr\s*/?>", re.IGNORECASE)
_LINE_ENDS = re.compile(r"</li>|<br\s*/?>", re.IGNORECASE)
_LIST_ITEM = re.compile(r"<li>", re.IGNORECASE)
_LINK = re.compile(r'<a href="([^"]*)"[^>]*>(.*?)</a>', re.IGNORECASE | re.DOTALL)
_BLANK_LINES = re.compile(r"\n{3,}")
_BETWEEN_TAGS = re.compile(r">\s*\n\s*<")


def clean_text(value: str | None) -> str:
    """Text fit for an iCalendar TEXT value: LF line breaks only, no other control characters."""
    value = _LINE_BREAKS.sub("\n", value or "")
    return "".join(
        character
        for character in value
        if character in "\n\t" or unicodedata.category(character) != "Cc"
    )


def text(value: str | None) -> vText:
    return vText(clean_text(value))


def plain_text_from_markdown(markdown_text: str | None) -> str:
    """A group description (Markdown) as plain text: paragraphs and list items on their own
    lines, links as 'text (address)', no tags or entities left."""
    # Markdown puts a newline between block tags; the tags' own breaks are added below.
    rendered = _BETWEEN_TAGS.sub("><", str(render_markdown(markdown_text)))

    def link(match: re.Match) -> str:
        address, label = html.unescape(match.group(1)), match.group(2)
        return label if address in label else f"{label} ({address})"

    rendered = _LINK.sub(link, rendered)
    rendered = _LIST_ITEM.sub("<li>- ", rendered)
    rendered = _PARAGRAPH_ENDS.sub(lambda match: match.group(0) + "\n\n", rendered)
    rendered = _LINE_ENDS.sub(lambda match: match.group(0) + "\n", rendered)
    plain = html.unescape(nh3.clean(rendered, tags=set()))
    plain = "\n".join(line.strip() for line in plain.splitlines())
    return _BLANK_LINES.sub("\n\n", plain).strip()


def uid_domain() -> str:
    """The host part of every UID: from PUBLIC_URL, so UIDs don't change with the request's host."""
    return urlsplit(current_app.config["PUBLIC_URL"]).hostname or "circles.invalid"


def meeting_uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.id}@{uid_domain()}"


def local(instant: datetime, timezone: str) -> datetime:
    return instant.astimezone(ZoneInfo(timezone))


def local_start(day, start_time: time, timezone: str) -> datetime:
    """Wall time on ``day`` in ``timezone`` (fold=0: the rule recurrence.py uses too)."""
    return datetime.combine(day, start_time, tzinfo=ZoneInfo(timezone))


def new_calendar(name: str, description: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", text(name))
    calendar.add("x-wr-calname", text(name))
    if description:
        calendar.add("description", text(description))
        calendar.add("x-wr-caldesc", text(description))
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vText("PT1H"))
    return calendar


def _years(events: Iterable[Event]) -> tuple[int, int] | None:
    years = [
        value.dt.year
        for event in events
        for key in ("DTSTART", "DTEND", "RECURRENCE-ID")
        if (value := event.get(key)) is not None
    ]
    return (min(years), max(years)) if years else None


def finish(calendar: Calendar, events: list[Event]) -> bytes:
    """Add the events after one VTIMEZONE per TZID they use, and serialise."""
    span = _years(events)
    tzids = sorted(
        {
            value.params["TZID"]
            for event in events
            for _name, value in event.property_items(recursive=False, sorted=False)
            if hasattr(value, "params") and "TZID" in value.params
        }
    )
    if span:
        for tzid in tzids:
            calendar.add_component(vtimezone(tzid, span[0], span[1] + TIMEZONE_YEARS_AHEAD))
    for event in events:
        calendar.add_component(event)
    return calendar.to_ical()


def add_place(event: Event, venue: Venue | None, *, discreet: bool = False) -> None:
    """LOCATION (name and address; only the address when discreet) and GEO."""
    if venue is None:
        return
    where = venue.address if discreet else f"{venue.name}, {venue.address}"
    event.add("location", text(where))
    event.add("geo", (round(venue.latitude, 6), round(venue.longitude, 6)))


def stamp(event: Event, changed_at: datetime) -> None:
    changed_at = changed_at.astimezone(UTC).replace(microsecond=0)
    event.add("dtstamp", changed_at)
    event.add("last-modified", changed_at)


STATUS = {
    MeetingStatus.SCHEDULED: "CONFIRMED",
    MeetingStatus.MOVED: "CONFIRMED",
    MeetingStatus.CANCELLED: "CANCELLED",
}


def meeting_sequence(meeting: Meeting) -> int:
    """Rises with the schedule's edits, and once more when the meeting itself is moved or
    cancelled; the same UID's DTSTAMP orders changes within one value."""
    base = meeting.schedule.sequence if meeting.schedule is not None else 0
    return base + (0 if meeting.status is MeetingStatus.SCHEDULED else 1)


def meeting_summary(meeting: Meeting, *, discreet: bool = False) -> str:
    if discreet:
        weekday = local(meeting.starts_at, meeting.timezone).strftime("%A")
        title = DISCREET_SUMMARY.format(weekday=weekday)
    else:
        title = meeting.group.name
        if meeting.topic:
            title = f"{title}: {meeting.topic}"
    if meeting.status is MeetingStatus.CANCELLED:
        return f"Cancelled: {title}"
    return title


def meeting_description(meeting: Meeting, *, discreet: bool = False, note: str = "") -> str:
    parts = []
    if meeting.status is MeetingStatus.CANCELLED:
        parts.append(f"Cancelled: {meeting.cancel_reason or ''}".strip())
    elif meeting.status is MeetingStatus.MOVED:
        parts.append("This meeting has moved from its usual time or place.")
    if note:
        parts.append(note)
    if not discreet:
        if meeting.topic:
            parts.append(f"Topic: {meeting.topic}")
        if meeting.guest_speaker:
            parts.append(f"Guest speaker: {meeting.guest_speaker}")
        description = plain_text_from_markdown(meeting.group.description)
        if description:
            parts.append(description)
    return "\n\n".join(part for part in parts if part)


def meeting_url(meeting: Meeting, *, discreet: bool = False) -> str:
    if discreet:
        return external_url("rsvps.my_meetings")
    return external_url(
        "finder.group_page", slug=meeting.group.slug, _anchor=f"meeting-{meeting.id}"
    )


def meeting_event(
    meeting: Meeting, *, discreet: bool = False, status: str | None = None, note: str = ""
) -> Event:
    """One meeting as a VEVENT of its own (a one-off, a meeting outside its schedule's current
    series, or a member's RSVP), in the venue's time zone."""
    timezone = meeting.timezone
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", meeting_sequence(meeting))
    stamp(event, meeting.updated_at)
    event.add("dtstart", local(meeting.starts_at, timezone))
    event.add("dtend", local(meeting.ends_at, timezone))
    event.add("summary", text(meeting_summary(meeting, discreet=discreet)))
    description = meeting_description(meeting, discreet=discreet, note=note)
    if description:
        event.add("description", text(description))
    add_place(event, meeting.venue, discreet=discreet)
    event.add("url", meeting_url(meeting, discreet=discreet))
    event.add("status", status or STATUS[meeting.status])
    event.add("transp", "OPAQUE")
    return event


def meeting_ics(meeting: Meeting, *, discreet: bool = False) -> bytes:
    """The meeting as a calendar file of its own, for a download or an email attachment.

    Needs no request (links come from PUBLIC_URL outside one). ``discreet`` for a member who
    asked for "Tuesday meeting" instead of the group's name.
    """
    name = "Meeting" if discreet else meeting.group.name
    return finish(new_calendar(name), [meeting_event(meeting, discreet=discreet)])


def meeting_ics_attachment(meeting: Meeting, *, discreet: bool = False) -> tuple[str, str, bytes]:
    """(filename, mimetype, content) as the outbox's ``attachments`` take them."""
    return ("meeting.ics", ICS_MIMETYPE, meeting_ics(meeting, discreet=discreet))
