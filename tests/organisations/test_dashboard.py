"""An organisation's home: its status, its groups, this week's meetings with places taken, and
what needs someone's attention, in a fixed number of queries."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from groups.accounts.models import User
from groups.extensions import db
from groups.organisations.logic import dashboard_for
from groups.organisations.models import Group, GroupKind
from groups.rsvps.models import RSVP, RSVPStatus
from groups.schedules.models import Meeting, MeetingStatus
from tests.support import QueryCounter, access_statuses, login_as, make_user

DASHBOARD = "/manage/test-pain-clinic/"


def next_meeting(group: Group, now) -> Meeting:
    return db.session.scalars(
        sa.select(Meeting)
        .where(Meeting.group_id == group.id, Meeting.starts_at > now)
        .order_by(Meeting.starts_at)
    ).first()


def add_meeting(group: Group, starts_at, **fields) -> Meeting:
    meeting = Meeting(
        group=group, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1),
        local_date=starts_at.date(), **fields,
    )  # fmt: skip
    db.session.add(meeting)
    return meeting


def rsvp(meeting: Meeting, status=RSVPStatus.GOING, companions=0, user: User | None = None) -> RSVP:
    user = user or make_user(f"Person{db.session.scalar(sa.select(sa.func.count(User.id)))}")
    row = RSVP(meeting=meeting, user=user, status=status, companions=companions)
    db.session.add(row)
    return row


def test_dashboard_access(world, client):
    assert access_statuses(client, world, "GET", DASHBOARD) == {
        "anonymous": 302, "member": 404, "other_staff": 404, "other_facilitator": 404,
    }  # fmt: skip
    roles = ("admin", "staff", "facilitator", "site_admin")
    assert access_statuses(client, world, "GET", DASHBOARD, roles) == {
        "admin": 200, "staff": 200, "facilitator": 404, "site_admin": 404,
    }  # fmt: skip
    assert access_statuses(client, world, "GET", "/manage/no-such-place/", ("admin",)) == {
        "admin": 404
    }


def test_dashboard_shows_groups_and_links_to_manage_them(world, client):
    login_as(client, world["staff"])
    page = client.get(DASHBOARD).get_data(as_text=True)
    group_id = world["group"].id
    assert "Tuesday Circle" in page and "Approved" in page
    assert f"/manage/groups/{group_id}/edit" in page
    assert f"/manage/groups/{group_id}/meetings" in page
    assert "/manage/test-pain-clinic/groups/new" in page
    assert "/manage/test-pain-clinic/venues" in page
    assert "/manage/test-pain-clinic/members" in page
    assert "/manage/test-pain-clinic/settings" not in page  # staff: not admin

    login_as(client, world["admin"])
    assert "/manage/test-pain-clinic/settings" in client.get(DASHBOARD).get_data(as_text=True)


@pytest.mark.parametrize(
    ("fields", "shown"),
    [
        ({"approved_at": None}, "Awaiting approval"),
        ({"approved_at": None, "rejected_at": "now", "rejection_reason": "No website"},
         "Reason: No website"),
        ({"suspended_at": "now"}, "Suspended."),
    ],
)  # fmt: skip
def test_dashboard_says_where_the_organisation_stands(world, client, now, fields, shown):
    for key, value in fields.items():
        setattr(world["organisation"], key, now if value == "now" else value)
    db.session.commit()
    login_as(client, world["admin"])
    assert shown in client.get(DASHBOARD).get_data(as_text=True)


def test_this_weeks_meeting_shows_places_taken_including_companions(world, client, now):
    meeting = next_meeting(world["group"], now)
    rsvp(meeting, companions=2)
    rsvp(meeting)
    rsvp(meeting, status=RSVPStatus.CANCELLED)
    db.session.commit()
    board = dashboard_for(world["organisation"], now)
    assert [load.meeting.id for load in board.this_week] == [meeting.id]
    assert board.this_week[0].seats_taken == 4 and board.this_week[0].spaces_left == 6

    login_as(client, world["staff"])
    page = client.get(DASHBOARD).get_data(as_text=True)
    assert "4 of 10 places taken" in page and "6 left" in page
    assert "Nothing needs your attention right now." in page


def test_a_meeting_without_a_limit_says_so(world, client, now):
    world["group"].default_capacity = None
    rsvp(next_meeting(world["group"], now))
    db.session.commit()
    login_as(client, world["staff"])
    assert "1 going · no limit" in client.get(DASHBOARD).get_data(as_text=True)


def test_needs_attention_lists_what_someone_should_act_on(world, client, now):
    quiet = Group(
        organisation=world["organisation"], name="Quiet Group", slug="quiet-group",
        kind=GroupKind.THERAPY, default_venue=world["venue"],
    )  # fmt: skip
    empty = Group(
        organisation=world["organisation"], name="Empty Group", slug="empty-group",
        kind=GroupKind.WORKSHOP,
    )  # fmt: skip
    db.session.add_all([quiet, empty])
    add_meeting(quiet, now + timedelta(days=15))
    add_meeting(quiet, now + timedelta(days=40))  # beyond four weeks: not listed
    full = next_meeting(world["group"], now)
    full.capacity = 2
    rsvp(full, companions=1)
    rsvp(full, status=RSVPStatus.WAITLISTED)
    db.session.commit()

    board = dashboard_for(world["organisation"], now)
    assert [load.meeting.group.name for load in board.without_facilitator] == ["Quiet Group"]
    assert [group.name for group in board.groups_without_meetings] == ["Empty Group"]
    assert [load.meeting.id for load in board.full_with_waitlist] == [full.id]
    assert board.full_with_waitlist[0].spaces_left == 0

    login_as(client, world["staff"])
    page = client.get(DASHBOARD).get_data(as_text=True)
    assert "No facilitator:" in page and "No meetings planned:" in page
    assert "People waiting for a place:" in page and "1 waiting" in page
    assert "Elsewhere Circle" not in page


def test_cancelled_meetings_need_no_attention(world, now):
    quiet = Group(
        organisation=world["organisation"], name="Quiet Group", slug="quiet-group",
        kind=GroupKind.THERAPY, default_venue=world["venue"],
    )  # fmt: skip
    db.session.add(quiet)
    add_meeting(quiet, now + timedelta(days=3), status=MeetingStatus.CANCELLED, cancel_reason="Ill")
    db.session.commit()
    board = dashboard_for(world["organisation"], now)
    assert board.without_facilitator == []
    assert [group.name for group in board.groups_without_meetings] == ["Quiet Group"]
    assert any(load.meeting.is_cancelled for load in board.this_week)


def _count_dashboard_queries(client) -> int:
    db.session.expunge_all()  # the page must load what it shows, not find it in the test's session
    with QueryCounter(db.engine) as counter:
        assert client.get(DASHBOARD).status_code == 200
    return counter.count


def test_dashboard_queries_do_not_grow_with_groups_and_meetings(world, client, now):
    login_as(client, world["staff"])
    rsvp(next_meeting(world["group"], now))
    db.session.commit()
    before = _count_dashboard_queries(client)
    for number in range(4):
        group = Group(
            organisation=world["organisation"], name=f"Extra {number}", slug=f"extra-{number}",
            kind=GroupKind.PEER_SUPPORT, default_venue=world["venue"], default_capacity=5,
        )  # fmt: skip
        group.facilitators = [make_user(f"Helper{number}")]
        db.session.add(group)
        for day in (1, 2, 9, 20):
            meeting = add_meeting(group, now + timedelta(days=day, hours=number))
            rsvp(meeting, companions=1)
            rsvp(meeting, status=RSVPStatus.WAITLISTED)
    db.session.commit()
    assert _count_dashboard_queries(client) == before
