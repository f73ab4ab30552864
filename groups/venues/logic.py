"""Venues: where an organisation's groups meet, with what a visitor needs to know about access.

An archived venue is no longer offered for new groups, schedules or meetings; meetings already
planned there keep it, so nobody's meeting moves because a venue was tidied away.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from groups.audit.logic import record_event
from groups.extensions import db
from groups.organisations.models import Organisation, Venue
from groups.venues.timezones import AmbiguousTown, country_names, timezone_for, town_centre


class VenueError(ValueError):
    """A venue that can't be saved as given; ``field`` names the form field to mark."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float
    timezone: str
    from_town: bool  # coordinates were left empty: the pin is at the town's centre


@dataclass(frozen=True)
class OrganisationVenues:
    active: list[Venue]
    archived: list[Venue]


def locate(
    latitude: float | None,
    longitude: float | None,
    timezone: str | None,
    town: str,
    country: str,
) -> Location:
    """Where the venue is and its time zone. Empty coordinates take the town's centre; an empty
    time zone is worked out from the coordinates. Raises VenueError when neither can be told."""
    from_town = latitude is None or longitude is None
    if from_town:
        country_name = country_names().get(country, country)
        try:
            centre = town_centre(town, country)
        except AmbiguousTown:
            raise VenueError(
                "latitude",
                f"There is more than one {town} in {country_name}. Enter the latitude and "
                "longitude, or choose the place on the map.",
            ) from None
        if centre is None:
            raise VenueError(
                "latitude",
                f"We don't know where {town} in {country_name} is. Enter the latitude and "
                "longitude, or choose the place on the map.",
            )
        latitude, longitude = centre.latitude, centre.longitude
    timezone = timezone or timezone_for(latitude, longitude, town, country)
    if timezone is None:
        raise VenueError(
            "timezone", "We could not work out the time zone: choose it from the list."
        )
    return Location(latitude, longitude, timezone, from_town)


def _apply(venue: Venue, fields: dict) -> Location:
    """Work out the location first, so a venue that can't be saved is left untouched."""
    location = locate(
        fields.pop("latitude"), fields.pop("longitude"), fields.pop("timezone"),
        fields["town"], fields["country"],
    )  # fmt: skip
    for name, value in fields.items():
        setattr(venue, name, value)
    venue.latitude, venue.longitude = location.latitude, location.longitude
    venue.timezone = location.timezone
    return location


def create_venue(organisation: Organisation, actor, **fields) -> tuple[Venue, Location]:
    """A new venue of the organisation; ``fields`` are the form's (see VenueForm.fields)."""
    venue = Venue(organisation_id=organisation.id)
    location = _apply(venue, dict(fields))
    db.session.add(venue)
    db.session.flush()
    record_event(actor, "venue.created", venue, organisation_id=organisation.id, name=venue.name)
    return venue, location


def update_venue(venue: Venue, actor, **fields) -> Location:
    before = {name: getattr(venue, name) for name in fields}
    location = _apply(venue, dict(fields))
    changed = sorted(name for name, value in before.items() if getattr(venue, name) != value)
    record_event(
        actor, "venue.updated", venue, organisation_id=venue.organisation_id, changed=changed
    )
    return location


def archive_venue(venue: Venue, actor, now: datetime) -> None:
    """Stop offering the venue for new groups and meetings; planned meetings keep it."""
    if venue.archived_at is None:
        venue.archived_at = now
        record_event(actor, "venue.archived", venue, organisation_id=venue.organisation_id)


def restore_venue(venue: Venue, actor) -> None:
    if venue.archived_at is not None:
        venue.archived_at = None
        record_event(actor, "venue.restored", venue, organisation_id=venue.organisation_id)


def venue_of(organisation: Organisation, venue_id: int) -> Venue | None:
    """The organisation's venue with this id; None for another organisation's (answer 404)."""
    return db.session.scalar(
        sa.select(Venue).where(Venue.id == venue_id, Venue.organisation_id == organisation.id)
    )


def venues_of(organisation: Organisation) -> OrganisationVenues:
    """All the organisation's venues in one query: active ones, then archived ones, by name."""
    venues = db.session.scalars(
        sa.select(Venue)
        .where(Venue.organisation_id == organisation.id)
        .order_by(Venue.name, Venue.id)
    ).all()
    return OrganisationVenues(
        active=[venue for venue in venues if venue.archived_at is None],
        archived=[venue for venue in venues if venue.archived_at is not None],
    )


def active_venues(organisation: Organisation, keep_id: int | None = None) -> list[Venue]:
    """The venues to offer in group and schedule forms: those not archived, by name, plus
    ``keep_id`` (the venue already chosen) even if archived, so editing doesn't lose it."""
    usable = Venue.archived_at.is_(None)
    if keep_id is not None:
        usable = sa.or_(usable, Venue.id == keep_id)
    return list(
        db.session.scalars(
            sa.select(Venue)
            .where(Venue.organisation_id == organisation.id, usable)
            .order_by(Venue.name, Venue.id)
        )
    )
