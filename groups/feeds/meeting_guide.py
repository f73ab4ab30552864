"""Listed weekly meetings in the Meeting Guide JSON format (code4recovery's public spec,
github.com/code4recovery/spec), so meeting-finder apps that read it can list our groups.

The spec is for weekly meetings only: a schedule that meets every week on one or more days is one
entry (``day`` is a list, 0 = Sunday); schedules every 2-4 weeks or monthly, ended schedules and
one-off meetings are left out. Types use only the spec's reserved codes that mean exactly what a
venue's own field says: ``X`` (wheelchair access) for a step-free entrance and ``XB``
(wheelchair-accessible bathroom) for an accessible toilet. Nothing we record means ``FF``
(fragrance free), and the hearing-loop code is still only proposed, so the other features are
written in ``notes``. Nothing about who goes is included.
"""

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from groups.extensions import db
from groups.feeds.ical import clean_text, plain_text_from_markdown
from groups.finder.logic import public_groups
from groups.mail.links import external_url
from groups.organisations.models import Group, Venue
from groups.schedules.models import Schedule
from groups.schedules.recurrence import WEEKLY

TYPE_CODES = {"X": "step_free_entrance", "XB": "accessible_toilet"}
FEATURE_NOTES = {
    "lift": "Lift",
    "seating_with_back_support": "Seating with back support",
    "space_to_stand_and_move": "Space to stand and move",
    "hearing_loop": "Hearing loop",
    "quiet_room": "Quiet room",
}


def _sunday_first(weekday: int) -> int:
    return (weekday + 1) % 7  # ours: Monday = 0; theirs: Sunday = 0


def _notes(group: Group, venue: Venue) -> str:
    features = [label for name, label in FEATURE_NOTES.items() if getattr(venue, name)]
    if venue.parking_distance_m is not None:
        features.append(f"Parking within {venue.parking_distance_m} m")
    parts = [plain_text_from_markdown(group.description)]
    if features:
        parts.append("Access: " + ", ".join(features) + ".")
    if venue.accessibility_notes:
        parts.append(clean_text(venue.accessibility_notes))
    return "\n\n".join(part for part in parts if part)


def _entry(schedule: Schedule) -> dict:
    group, venue, organisation = schedule.group, schedule.venue, schedule.group.organisation
    start = datetime.combine(date(2000, 1, 3), schedule.start_time)
    end = start + timedelta(minutes=schedule.duration_minutes)
    entry = {
        "name": clean_text(group.name),
        "slug": f"{group.slug}-{schedule.id}",
        "day": [_sunday_first(int(day)) for day in schedule.weekdays],
        "time": f"{start:%H:%M}",
        "end_time": f"{end:%H:%M}",
        "timezone": schedule.timezone,
        "location": clean_text(venue.name),
        "formatted_address": clean_text(f"{venue.address}, {venue.country}"),
        "latitude": round(venue.latitude, 5),
        "longitude": round(venue.longitude, 5),
        "types": [code for code, name in TYPE_CODES.items() if getattr(venue, name)],
        "notes": _notes(group, venue),
        "updated": f"{schedule.updated_at.astimezone(UTC):%Y-%m-%d %H:%M:%S}",
        "url": external_url("finder.group_page", slug=group.slug),
        "group": clean_text(group.name),
        "entity": clean_text(organisation.name),
    }
    if organisation.website:
        entry["entity_website_url"] = organisation.website
        entry["entity_url"] = organisation.website  # the spec's example uses this older name
    return entry


def meeting_guide_entries(today: date) -> list[dict]:
    """One entry per weekly schedule of a public group that has not ended by ``today``."""
    schedules = db.session.scalars(
        sa.select(Schedule)
        .where(
            Schedule.group_id.in_(public_groups().with_only_columns(Group.id)),
            Schedule.frequency == WEEKLY,
            Schedule.repeat_interval == 1,
            sa.or_(Schedule.last_date.is_(None), Schedule.last_date >= today),
        )
        .options(
            selectinload(Schedule.venue),
            selectinload(Schedule.group).selectinload(Group.organisation),
        )
        .order_by(Schedule.id)
    ).all()
    return [_entry(schedule) for schedule in schedules]
