"""Validators for feeds (ETag and Last-Modified), worked out without building the calendar.

A feed's version is a hash of what it is made of, read in a fixed few small queries: the count
and latest ``updated_at`` of its meetings and schedules (and the sum of the schedules' SEQUENCE),
and the columns of its groups, organisations and venues that the feed shows. A 304 therefore
costs these queries only.

Last-Modified is the latest ``updated_at`` of any of those rows: meetings, schedules, groups,
their organisations and the venues they meet at.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from groups.extensions import db
from groups.organisations.models import Group, Organisation, Venue
from groups.schedules.models import Meeting, Schedule

# Bump when the way feeds are written changes, so every client's cached copy is replaced.
FEED_FORMAT = "circles-feeds-1"
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class FeedVersion:
    etag: str
    last_modified: datetime


def _digest(*parts) -> str:
    return hashlib.sha256(repr((FEED_FORMAT, *parts)).encode()).hexdigest()[:40]


def groups_version(group_ids: list[int], *extra) -> FeedVersion:
    """The version of a feed made of these groups' schedules and meetings (``extra``: anything
    else the bytes depend on, such as the site's address or a member's settings)."""
    ids = sorted(group_ids)
    of_meetings = Meeting.group_id.in_(ids)
    of_schedules = Schedule.group_id.in_(ids)
    activity = db.session.execute(
        sa.select(
            sa.select(sa.func.count(Meeting.id)).where(of_meetings).scalar_subquery(),
            sa.select(sa.func.max(Meeting.updated_at)).where(of_meetings).scalar_subquery(),
            sa.select(sa.func.count(Schedule.id)).where(of_schedules).scalar_subquery(),
            sa.select(sa.func.max(Schedule.updated_at)).where(of_schedules).scalar_subquery(),
            sa.select(sa.func.coalesce(sa.func.sum(Schedule.sequence), 0))
            .where(of_schedules)
            .scalar_subquery(),
        )
    ).one()
    shown_groups = db.session.execute(
        sa.select(
            Group.id,
            Group.name,
            Group.slug,
            Group.description,
            Group.default_venue_id,
            Group.updated_at,
            Organisation.name,
            Organisation.updated_at,
        )  # fmt: skip
        .join(Group.organisation)
        .where(Group.id.in_(ids))
        .order_by(Group.id)
    ).all()
    venue_ids = sa.union(
        sa.select(Group.default_venue_id).where(Group.id.in_(ids)),
        sa.select(Schedule.venue_id).where(Schedule.group_id.in_(ids)),
        sa.select(Meeting.venue_id).where(Meeting.group_id.in_(ids)),
    ).subquery()
    shown_venues = db.session.execute(
        sa.select(
            Venue.id,
            Venue.name,
            Venue.address_line1,
            Venue.address_line2,
            Venue.town,
            Venue.postcode,
            Venue.latitude,
            Venue.longitude,
            Venue.timezone,
            Venue.updated_at,
        )  # fmt: skip
        .where(Venue.id.in_(sa.select(venue_ids.c[0])))
        .order_by(Venue.id)
    ).all()
    changes = [
        activity[1],
        activity[3],
        *(row[5] for row in shown_groups),  # the group's updated_at
        *(row[7] for row in shown_groups),  # its organisation's
        *(row[9] for row in shown_venues),
    ]
    last_modified = max((moment for moment in changes if moment is not None), default=_EPOCH)
    etag = _digest(tuple(activity), [tuple(row) for row in shown_groups],
                   [tuple(row) for row in shown_venues], extra)  # fmt: skip
    return FeedVersion(etag, last_modified.astimezone(UTC).replace(microsecond=0))
