"""How meeting times read on a page: always in the venue's own time zone."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask


def in_zone(instant: datetime, timezone: str) -> datetime:
    return instant.astimezone(ZoneInfo(timezone))


def meeting_when(meeting) -> str:
    """'Tuesday 8 December 2026, 18:30 to 20:00 (GMT)'."""
    start = in_zone(meeting.starts_at, meeting.timezone)
    end = in_zone(meeting.ends_at, meeting.timezone)
    return f"{start:%A} {start.day} {start:%B %Y}, {start:%H:%M} to {end:%H:%M} ({start.tzname()})"


def local_datetime(instant: datetime, timezone: str) -> str:
    """'8 Dec 2026, 18:30' in ``timezone``."""
    local = in_zone(instant, timezone)
    return f"{local.day} {local:%b %Y}, {local:%H:%M}"


def init_display(app: Flask) -> None:
    app.jinja_env.filters["meeting_when"] = meeting_when
    app.jinja_env.filters["local_datetime"] = local_datetime
