"""schema.org ``Event`` JSON-LD for a group's meetings, so search engines can show them.

Only what the public page shows: the group, the organisation, the venue and the times. Never
who is going."""

from flask import url_for

from groups.organisations.models import Group
from groups.schedules.display import in_zone
from groups.schedules.models import Meeting, MeetingStatus

EVENT_STATUS = {
    MeetingStatus.SCHEDULED: "https://schema.org/EventScheduled",
    MeetingStatus.MOVED: "https://schema.org/EventRescheduled",
    MeetingStatus.CANCELLED: "https://schema.org/EventCancelled",
}


def _place(meeting: Meeting) -> dict | None:
    venue = meeting.venue
    if venue is None:
        return None
    return {
        "@type": "Place",
        "name": venue.name,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": ", ".join(p for p in (venue.address_line1, venue.address_line2) if p),
            "addressLocality": venue.town,
            "postalCode": venue.postcode or "",
            "addressCountry": venue.country,
        },
        "geo": {
            "@type": "GeoCoordinates",
            "latitude": venue.latitude,
            "longitude": venue.longitude,
        },
    }


def meeting_events(group: Group, meetings: list[Meeting], spaces: dict[int, int | None]) -> list:
    """One Event per meeting; ``spaces`` maps meeting id to places left (None: no limit)."""
    page = url_for("finder.group_page", slug=group.slug, _external=True)
    events = []
    for meeting in meetings:
        zone = meeting.timezone
        event = {
            "@context": "https://schema.org",
            "@type": "Event",
            "name": group.name + (f": {meeting.topic}" if meeting.topic else ""),
            "description": group.who_it_is_for or group.kind.label,
            "startDate": in_zone(meeting.starts_at, zone).isoformat(),
            "endDate": in_zone(meeting.ends_at, zone).isoformat(),
            "eventStatus": EVENT_STATUS[meeting.status],
            "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
            "isAccessibleForFree": True,
            "url": f"{page}#meeting-{meeting.id}",
            "organizer": {"@type": "Organization", "name": group.organisation.name},
        }
        place = _place(meeting)
        if place:
            event["location"] = place
        left = spaces.get(meeting.id)
        if left is not None and meeting.status is not MeetingStatus.CANCELLED:
            event["remainingAttendeeCapacity"] = left
        events.append(event)
    return events
