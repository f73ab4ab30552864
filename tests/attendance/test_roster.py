"""The roster's rules, called directly: who is on it, what a save records, what it refuses."""

from datetime import timedelta

import pytest

from groups.attendance.models import AttendanceStatus, MeetingHeadcount
from groups.attendance.roster import (
    ANONYMOUS_LABEL,
    Mark,
    RosterError,
    anonymous_key,
    roster_for,
    save_roster,
)
from groups.attendance.walk_ins import walk_in_candidates
from groups.extensions import db
from groups.rsvps.models import RSVPStatus
from groups.schedules.models import MeetingStatus
from tests.attendance.roster_helpers import (
    answered,
    attendance_events,
    attendance_of,
    came,
    counted_anonymously,
    meeting_at,
)

PRESENT, ABSENT = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT


@pytest.fixture
def meeting(world, now):
    """A meeting of the Tuesday Circle that started an hour ago."""
    return meeting_at(world["group"], now - timedelta(hours=1))


def save(meeting, world, now, marks=None, walk_ins=0, note=None):
    return save_roster(meeting, world["facilitator"], marks or {}, walk_ins, note, now)


def test_roster_lists_people_going_and_waiting_with_companions(world, meeting):
    answered(meeting, "Maria", companions=2)
    answered(meeting, "Dev", status=RSVPStatus.WAITLISTED)
    answered(meeting, "Gone", status=RSVPStatus.CANCELLED)

    roster = roster_for(meeting)

    assert [(e.label, e.rsvp_status, e.companions) for e in roster.named] == [
        ("Dev", RSVPStatus.WAITLISTED, 0),
        ("Maria", RSVPStatus.GOING, 2),
    ]


def test_people_who_never_came_before_are_first_timers(world, meeting, now):
    earlier = meeting_at(world["group"], now - timedelta(days=7))
    regular = answered(meeting, "Regular")
    came(earlier, regular)
    answered(meeting, "Newcomer")

    first_time = {entry.label: entry.first_time for entry in roster_for(meeting).named}

    assert first_time == {"Regular": False, "Newcomer": True}


def test_saving_records_each_mark_with_first_time_and_companions(world, meeting, now):
    maria = answered(meeting, "Maria", companions=1)
    dev = answered(meeting, "Dev")

    save(meeting, world, now, {str(maria.id): Mark(PRESENT, 1), str(dev.id): Mark(ABSENT)})
    db.session.commit()

    assert attendance_of(meeting) == {
        maria.id: ("present", 1, True, False),
        dev.id: ("absent", 0, False, False),
    }


def test_saving_the_same_roster_twice_changes_nothing(world, meeting, now):
    maria = answered(meeting, "Maria")
    marks = {str(maria.id): Mark(PRESENT)}

    first = save(meeting, world, now, marks, walk_ins=3, note="Cold room")
    db.session.commit()
    second = save(meeting, world, now + timedelta(minutes=1), marks, walk_ins=3, note="Cold room")
    db.session.commit()

    assert first.changed and not second.changed
    assert attendance_of(meeting) == {maria.id: ("present", 0, True, False)}
    assert db.session.get(MeetingHeadcount, meeting.id).walk_ins == 3
    assert len(attendance_events(meeting)) == 1


def test_walk_ins_are_the_number_sent_not_added_to(world, meeting, now):
    save(meeting, world, now, walk_ins=4)
    save(meeting, world, now, walk_ins=2)
    db.session.commit()

    assert db.session.get(MeetingHeadcount, meeting.id).walk_ins == 2


def test_negative_walk_ins_are_refused_and_nothing_is_saved(world, meeting, now):
    maria = answered(meeting, "Maria")

    with pytest.raises(RosterError, match="below 0"):
        save(meeting, world, now, {str(maria.id): Mark(PRESENT)}, walk_ins=-1)
    db.session.rollback()

    assert attendance_of(meeting) == {}
    assert db.session.get(MeetingHeadcount, meeting.id) is None


def test_a_person_of_another_groups_meeting_is_refused(world, meeting, now):
    """A tampered form: someone who answered for a meeting of another group."""
    maria = answered(meeting, "Maria")
    elsewhere = meeting_at(world["elsewhere_group"], now - timedelta(hours=1))
    stranger = answered(elsewhere, "Stranger")
    came(elsewhere, stranger)

    with pytest.raises(RosterError, match="isn't on this meeting's list"):
        save(meeting, world, now, {str(maria.id): Mark(PRESENT), str(stranger.id): Mark(PRESENT)})
    db.session.rollback()

    assert attendance_of(meeting) == {}
    assert attendance_events(meeting) == []


def test_an_anonymous_key_of_another_meeting_is_refused(world, meeting, now):
    other = meeting_at(world["group"], now - timedelta(days=2))
    shy = answered(other, "Shy")
    counted_anonymously(world["group"], shy)

    with pytest.raises(RosterError):
        save(meeting, world, now, {anonymous_key(other.id, shy.id): Mark(PRESENT)})
    with pytest.raises(RosterError):
        save(meeting, world, now, {"not-a-person": Mark(PRESENT)})


def test_someone_who_cancelled_but_came_is_recorded_as_came(world, meeting, now):
    """Their page was open before they cancelled; they turned up after all."""
    kim = answered(meeting, "Kim", status=RSVPStatus.CANCELLED)

    saved = save(meeting, world, now, {str(kim.id): Mark(PRESENT)})
    db.session.commit()

    assert attendance_of(meeting) == {kim.id: ("present", 0, True, False)}
    assert saved.notices == ["Kim had cancelled, but came: recorded as came."]


def test_someone_who_cancelled_is_not_recorded_as_missing(world, meeting, now):
    kim = answered(meeting, "Kim", status=RSVPStatus.CANCELLED)

    saved = save(meeting, world, now, {str(kim.id): Mark(ABSENT)})
    db.session.commit()

    assert attendance_of(meeting) == {}
    assert saved.notices == ["Kim had cancelled, so they are not recorded as missing."]
    assert attendance_events(meeting) == []


def test_a_meeting_past_the_correction_window_cannot_be_changed(world, now):
    old = meeting_at(world["group"], now - timedelta(days=15))
    maria = answered(old, "Maria")

    with pytest.raises(RosterError, match="14 days"):
        save(old, world, now, {str(maria.id): Mark(PRESENT)}, walk_ins=2)
    db.session.rollback()

    assert attendance_of(old) == {}
    assert db.session.get(MeetingHeadcount, old.id) is None


def test_the_organisation_sets_the_correction_window(world, now):
    world["organisation"].attendance_correction_days = 30
    old = meeting_at(world["group"], now - timedelta(days=15))
    maria = answered(old, "Maria")

    save(old, world, now, {str(maria.id): Mark(PRESENT)})

    assert attendance_of(old) == {maria.id: ("present", 0, True, False)}


def test_attendance_opens_thirty_minutes_before_the_start(world, now):
    soon = meeting_at(world["group"], now + timedelta(minutes=25))
    later = meeting_at(world["group"], now + timedelta(hours=2))

    save(soon, world, now, walk_ins=1)
    with pytest.raises(RosterError, match="hasn't started yet"):
        save(later, world, now, walk_ins=1)


def test_a_cancelled_meeting_has_no_attendance(world, meeting, now):
    meeting.status, meeting.cancel_reason = MeetingStatus.CANCELLED, "Snow"

    with pytest.raises(RosterError, match="cancelled"):
        save(meeting, world, now, walk_ins=1)


def test_every_change_is_audited_from_old_to_new(world, meeting, now):
    maria = answered(meeting, "Maria")
    save(meeting, world, now, {str(maria.id): Mark(PRESENT)}, walk_ins=1)
    db.session.commit()

    save(meeting, world, now, {str(maria.id): Mark(ABSENT)}, walk_ins=3, note="Late start")
    db.session.commit()

    first, second = attendance_events(meeting)
    assert first.actor_id == world["facilitator"].id
    assert first.organisation_id == world["organisation"].id
    assert first.detail == {
        "changes": [{"user": maria.id, "from": None, "to": "present"}],
        "walk_ins": {"from": 0, "to": 1},
    }
    assert second.detail == {
        "changes": [{"user": maria.id, "from": "present", "to": "absent"}],
        "walk_ins": {"from": 1, "to": 3},
        "note_changed": True,  # the note's words stay out of the log
    }


def test_correcting_an_earlier_meeting_moves_first_time(world, meeting, now):
    earlier = meeting_at(world["group"], now - timedelta(days=7))
    maria = answered(meeting, "Maria")
    answered(earlier, maria)
    save(meeting, world, now, {str(maria.id): Mark(PRESENT)})
    assert attendance_of(meeting)[maria.id][2] is True

    save(earlier, world, now, {str(maria.id): Mark(PRESENT)})
    db.session.commit()

    assert attendance_of(earlier)[maria.id][2] is True
    assert attendance_of(meeting)[maria.id][2] is False


def test_members_counted_anonymously_are_never_named(world, meeting, now):
    shy = answered(meeting, "Shy", companions=1)
    counted_anonymously(world["group"], shy)

    roster = roster_for(meeting)
    (entry,) = roster.anonymous
    assert roster.named == []
    assert entry.label == ANONYMOUS_LABEL and entry.display_name is None
    assert entry.key.startswith("anonymous-") and entry.key != f"anonymous-{shy.id}"

    save(meeting, world, now, {entry.key: Mark(PRESENT, 1)})
    db.session.commit()

    assert attendance_of(meeting) == {shy.id: ("present", 1, True, True)}
    assert attendance_events(meeting)[0].detail["changes"] == [
        {"user": "anonymous", "from": None, "to": "present"}
    ]


def test_walk_ins_are_found_among_the_groups_past_attendees(world, meeting, now):
    earlier = meeting_at(world["group"], now - timedelta(days=7))
    regular = answered(earlier, "Morgan")
    came(earlier, regular)
    shy = answered(earlier, "Morgana")
    came(earlier, shy)
    counted_anonymously(world["group"], shy)
    answered(meeting_at(world["elsewhere_group"], now), "Morgan Elsewhere")

    assert [user.display_name for user in walk_in_candidates(meeting, "morg")] == ["Morgan"]
    assert walk_in_candidates(meeting, "m") == []  # too short to search


def test_a_walk_in_with_an_account_is_recorded(world, meeting, now):
    earlier = meeting_at(world["group"], now - timedelta(days=7))
    regular = answered(earlier, "Morgan")
    came(earlier, regular)

    save(meeting, world, now, {str(regular.id): Mark(PRESENT)})

    assert attendance_of(meeting) == {regular.id: ("present", 0, False, False)}
    assert [entry.label for entry in roster_for(meeting).named] == ["Morgan"]


def test_someone_who_never_came_cannot_be_added_by_id(world, meeting, now):
    with pytest.raises(RosterError):
        save(meeting, world, now, {str(world["member"].id): Mark(PRESENT)})
