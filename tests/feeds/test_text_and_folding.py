"""User text can never break out of its property, and every line is folded with CRLF."""

from datetime import UTC, date, datetime, time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from groups.feeds.ical import clean_text, meeting_ics, plain_text_from_markdown
from groups.organisations.models import Group, GroupKind, Organisation, Venue
from groups.schedules.models import Meeting, MeetingStatus
from tests.feeds.helpers import assert_well_formed, unfolded

HOSTILE = "Circle\r\nATTENDEE:mailto:x@example.com"
EMOJI_300 = "😀" * 300


def _meeting(name: str, topic: str | None = None, venue_name: str = "Room 1", description=""):
    """A meeting that is never saved: enough to build its calendar file."""
    organisation = Organisation(name="Clinic", slug="clinic")
    venue = Venue(
        organisation=organisation, name=venue_name, address_line1="1 High St", town="Leeds",
        country="GB", latitude=53.8, longitude=-1.55, timezone="Europe/London",
    )  # fmt: skip
    group = Group(
        organisation=organisation, name=name, slug="circle", kind=GroupKind.WORKSHOP,
        description=description, default_venue=venue,
    )  # fmt: skip
    starts_at = datetime(2027, 3, 2, 18, 30, tzinfo=UTC)
    return Meeting(
        id=7, group=group, schedule=None, starts_at=starts_at,
        ends_at=datetime(2027, 3, 2, 20, 0, tzinfo=UTC), local_date=date(2027, 3, 2),
        status=MeetingStatus.SCHEDULED, topic=topic, updated_at=starts_at, venue_override=venue,
    )  # fmt: skip


def _event(data: bytes):
    return Calendar.from_ical(data).walk("VEVENT")[0]


def test_a_title_with_a_line_break_and_a_property_stays_one_summary(app):
    with app.test_request_context():
        data = meeting_ics(_meeting(HOSTILE))

    assert_well_formed(data)
    event = _event(data)
    # CR LF is the one thing that can't survive: iCalendar text holds a line break as LF.
    assert str(event["SUMMARY"]) == "Circle\nATTENDEE:mailto:x@example.com"
    assert "ATTENDEE" not in event
    assert not any(line.startswith("ATTENDEE") for line in unfolded(data))


def test_a_title_of_300_emoji_round_trips_exactly(app):
    with app.test_request_context():
        data = meeting_ics(_meeting(EMOJI_300, venue_name=EMOJI_300))

    assert_well_formed(data)
    assert str(_event(data)["SUMMARY"]) == EMOJI_300
    assert str(_event(data)["LOCATION"]).startswith(EMOJI_300)


def test_separators_and_control_characters_are_escaped_or_removed(app):
    with app.test_request_context():
        data = meeting_ics(_meeting("A;B,C\\D\x00E\x1bF\x7fG", topic="T;\rU"))

    assert_well_formed(data)
    assert str(_event(data)["SUMMARY"]) == "A;B,C\\DEFG: T;\nU"


def test_a_markdown_description_becomes_plain_text():
    text = plain_text_from_markdown(
        "We meet to **talk**.\n\n- Tea\n- [Map](https://example.org/map)\n\n<script>x</script>"
    )
    assert text == "We meet to talk.\n\n- Tea\n- Map (https://example.org/map)"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.text(min_size=1, max_size=200),
    topic=st.one_of(st.none(), st.text(max_size=200)),
    venue_name=st.text(min_size=1, max_size=160),
    description=st.text(max_size=400),
)
def test_every_line_of_any_meeting_file_is_folded_with_crlf(
    app, name, topic, venue_name, description
):
    with app.test_request_context():
        data = meeting_ics(_meeting(name, topic, venue_name, description))

    assert_well_formed(data)
    summary = clean_text(f"{name}: {topic}" if topic else name)
    assert str(_event(data)["SUMMARY"]) == summary


def test_discreet_file_has_no_group_name_description_or_venue_name(app):
    with app.test_request_context():
        data = meeting_ics(
            _meeting("Pain Circle", venue_name="Pain Clinic", description="About pain"),
            discreet=True,
        )

    assert_well_formed(data)
    assert b"Pain" not in data
    assert str(_event(data)["SUMMARY"]) == "Tuesday meeting"


def test_vtimezone_onsets_are_in_the_offset_before_the_change(app):
    with app.test_request_context():
        data = meeting_ics(_meeting("Circle"))
    zone = Calendar.from_ical(data).walk("VTIMEZONE")[0]
    daylight = zone.walk("DAYLIGHT")[0]
    # Clocks go forward at 01:00 GMT on the last Sunday of March.
    assert daylight["DTSTART"].dt == datetime(2027, 3, 28, 1, 0)
    assert zone["TZID"] == "Europe/London"


def test_a_meeting_at_1_30_on_the_night_the_clocks_go_forward_reads_as_the_app_has_it(app):
    meeting = _meeting("Night owls")
    # recurrence.local_instant: 01:30 does not exist that night; it is 01:30 GMT (02:30 BST).
    meeting.starts_at = datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    meeting.ends_at = datetime(2027, 3, 28, 2, 30, tzinfo=UTC)
    with app.test_request_context():
        event = _event(meeting_ics(meeting))
    assert event["DTSTART"].dt.astimezone(UTC) == meeting.starts_at
    assert event["DTSTART"].dt.time() == time(2, 30)


def test_a_meeting_file_for_an_email_needs_no_request(app):
    """Emails are queued from the command line too: links come from PUBLIC_URL."""
    with app.app_context():
        data = meeting_ics(_meeting("Circle"))
    assert_well_formed(data)
    assert str(_event(data)["URL"]).startswith(app.config["PUBLIC_URL"])
