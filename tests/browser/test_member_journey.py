"""The member's journey, in Chromium: find a group by typing a town, keep only venues with a
step-free entrance, open the group, say you're coming with a companion, put the meeting and your
own calendar address in a calendar (both files parsed), then cancel with the one-click link in the
confirmation email. Also done with the keyboard alone, and checked at 320 CSS px wide in dark mode."""

import re
from datetime import time, timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from groups.extensions import db
from groups.organisations.models import Group, GroupKind, Venue
from groups.rsvps.models import RSVP
from groups.schedules.display import meeting_when
from groups.schedules.logic import extend_meetings, horizon_end
from groups.schedules.models import Meeting, Schedule
from groups.schedules.recurrence import WEEKLY, Rule
from tests.support import PASSWORD

PHONE = {"width": 390, "height": 844}
NARROW = {"width": 320, "height": 640}
BRITISH = {"locale": "en-GB"}  # a member in Sheffield: distances in miles
PLACE = "Sheffield, England, United Kingdom"
# What a member presses or taps to answer a meeting, on the group page and the RSVP form.
GROUP_PAGE_TARGETS = ".meeting .button, .meeting .more-options, .meeting .calendar-download"
RSVP_FORM_TARGETS = "main form .button"
# Its choices: each label (the radio or tick box beside it is small) is what a finger taps.
RSVP_CHOICE_TARGETS = ".choice-list label, .field-check label"


@pytest.fixture
def hillside(world, now):
    """A second group in Sheffield, about 2 km from Room 1, at a chapel with steps at the door: a
    search for step-free venues must leave it out."""
    chapel = Venue(
        organisation=world["organisation"], name="Old Chapel", address_line1="3 Hill Lane",
        town="Sheffield", country="GB", latitude=53.37, longitude=-1.50,
        timezone="Europe/London", step_free_entrance=False, hearing_loop=True,
    )  # fmt: skip
    group = Group(
        organisation=world["organisation"], name="Hillside Circle", slug="hillside-circle",
        kind=GroupKind.WORKSHOP, default_venue=chapel, default_capacity=8,
    )  # fmt: skip
    schedule = Schedule(
        group=group,
        venue=chapel,
        rule=Rule(
            frequency=WEEKLY, weekdays=(2,), start_time=time(10, 0), duration_minutes=60,
            timezone="Europe/London", first_date=(now - timedelta(days=7)).date(),
        ),
    )  # fmt: skip
    db.session.add_all([chapel, group, schedule])
    db.session.flush()
    extend_meetings(schedule, now=now, until=horizon_end(now))
    db.session.commit()
    return group


def next_meeting(group: Group, now) -> Meeting:
    """The group's next meeting a member can still answer (not started yet)."""
    return db.session.scalar(
        sa.select(Meeting)
        .where(Meeting.group_id == group.id, Meeting.starts_at > now + timedelta(minutes=5))
        .order_by(Meeting.starts_at)
    )


def rsvps_of(user) -> list[tuple[int, str, int]]:
    db.session.rollback()  # see what the server has written since
    rows = db.session.scalars(sa.select(RSVP).where(RSVP.user_id == user.id).order_by(RSVP.id))
    return [(rsvp.meeting_id, rsvp.status.value, rsvp.companions) for rsvp in rows]


def flash(page) -> str:
    return page.locator("main .notice[role=status]").inner_text()


def result_names(page) -> list[str]:
    return page.locator(".results-list .result h3").all_inner_texts()


def results_heading(page) -> str:
    return page.get_by_role("heading", level=2, name=re.compile("within")).inner_text()


def place_suggestions(page) -> list[str]:
    return page.evaluate(
        "() => [...document.querySelectorAll('#place-suggestions option')].map(o => o.value)"
    )


def numbers(card) -> str:
    """How many are going and how many places are left, as the meeting's card says."""
    return " ".join(card.locator(".meeting-numbers").inner_text().split())


def focused_link(page) -> str:
    return page.evaluate("() => document.activeElement.getAttribute('href')")


def meeting_card(page, meeting: Meeting):
    return page.locator(f"#meeting-{meeting.id}")


def events_in(ics: bytes) -> list[dict]:
    """The VEVENTs of a calendar file, as parsed by the icalendar library."""
    calendar = Calendar.from_ical(ics)
    return [
        {
            "uid": str(event["uid"]),
            "summary": str(event["summary"]),
            "start": event.decoded("dtstart"),
            "status": str(event.get("status", "")),
        }
        for event in calendar.walk("VEVENT")
    ]


def assert_targets_here_and_on_a_phone(page, selector: str) -> None:
    """Tap targets of at least 44 px each way at the page's width and at a phone's."""
    wide = page.viewport_size
    page.assert_tap_targets(selector)
    page.set_viewport_size(PHONE)
    try:
        page.assert_tap_targets(selector)
        page.assert_no_horizontal_scroll(f"{page.url} at {PHONE['width']} px")
    finally:
        page.set_viewport_size(wide)


def cancel_link_in(message, site: str) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    links = re.findall(re.escape(site) + r"/rsvps/cancel/\S+", text)
    assert len(links) == 1, text
    return links[0]


def test_member_finds_a_step_free_group_rsvps_with_a_companion_and_cancels_from_the_email(
    browsing, live_server, world, hillside, now
):
    member, tuesday = world["member"], world["group"]
    meeting = next_meeting(tuesday, now)
    page = browsing.new_page(**BRITISH)

    # Where are you? The type-ahead offers the town as it is typed.
    page.goto("/")
    page.check("home")
    town = page.get_by_label("Town or place")
    town.press_sequentially("Sheff", delay=50)
    page.wait_for_function(
        "() => document.querySelectorAll('#place-suggestions option').length > 0"
    )
    assert place_suggestions(page)[0] == PLACE
    town.fill("Sheffield")
    page.get_by_role("button", name="Find groups").click()
    page.wait_for_url("**/?place=Sheffield*")
    assert results_heading(page) == f"2 groups within 10 miles of {PLACE}"
    assert result_names(page) == ["Tuesday Circle", "Hillside Circle"]
    page.check("results for Sheffield")

    # Only venues with a step-free entrance: the chapel with steps drops out.
    page.get_by_text("More choices: day, time, kind of group, access").click()
    page.get_by_label("Step-free entrance").check()
    page.get_by_role("button", name="Find groups").click()
    page.wait_for_url("**access=step_free_entrance*")
    assert results_heading(page) == f"1 group within 10 miles of {PLACE}"
    assert result_names(page) == ["Tuesday Circle"]
    result = page.locator(".results-list .result")
    assert "Where: Room 1, Sheffield" in result.inner_text()
    assert "Step-free entrance" in result.locator(".access-list").inner_text()
    assert page.get_by_label("Step-free entrance").is_checked()
    page.check("results with step-free access only")

    # The group's page: its next meeting, with a button to say you're coming.
    result.get_by_role("link", name="Tuesday Circle").click()
    page.wait_for_url("**/groups/tuesday-circle")
    assert page.get_by_role("heading", level=1).inner_text() == "Tuesday Circle"
    card = meeting_card(page, meeting)
    assert meeting_when(meeting) in card.inner_text()
    assert numbers(card) == "0 people are going · 10 places left"
    page.check("group page, signed out")
    # The venue's map is a labelled picture beside the address: nothing in it takes focus.
    venue_map = page.get_by_role("img", name="Map showing Room 1, 1 High Street, Sheffield")
    assert venue_map.is_visible()
    assert venue_map.evaluate("map => map.querySelectorAll('a, button, [tabindex]').length") == 0
    assert_targets_here_and_on_a_phone(page, GROUP_PAGE_TARGETS)

    # "I'm going" asks a signed-out member to sign in, then comes back to the meeting's RSVP form.
    card.get_by_role("link", name=re.compile("^I'm going")).click()
    page.wait_for_url("**/sign-in?next=*")
    page.check("sign in")
    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/meetings/{meeting.id}/rsvp")
    assert page.get_by_role("heading", level=1).inner_text() == "Coming to Tuesday Circle"
    page.check("RSVP form")
    assert_targets_here_and_on_a_phone(page, RSVP_FORM_TARGETS)
    assert_targets_here_and_on_a_phone(page, RSVP_CHOICE_TARGETS)

    assert page.get_by_label("Just me").is_checked()
    page.get_by_label("Me and 1 companion or carer").check()
    page.get_by_role("button", name="I'm going").click()
    page.wait_for_url(f"**/groups/tuesday-circle#meeting-{meeting.id}")
    assert flash(page) == "You're going. We've emailed you the details."
    card = meeting_card(page, meeting)
    assert "You're going with 1 companion." in card.inner_text()
    # The count is of members; the companion takes a place too.
    assert numbers(card) == "1 person is going · 8 places left"
    page.check("RSVP confirmed on the group page")
    assert_targets_here_and_on_a_phone(page, GROUP_PAGE_TARGETS)
    assert rsvps_of(member) == [(meeting.id, "going", 1)]

    # The meeting's own calendar file.
    with page.expect_download() as download:
        card.get_by_role("link", name=re.compile(r"^Add to my calendar \(\.ics\)")).click()
    assert download.value.suggested_filename == f"meeting-{meeting.id}.ics"
    events = events_in(download.value.path().read_bytes())
    assert [(e["summary"], e["start"]) for e in events] == [("Tuesday Circle", meeting.starts_at)]

    # The member's private calendar address, made on the calendar settings page and fetched.
    page.get_by_role("link", name="My meetings", exact=True).click()
    page.wait_for_url("**/my/meetings")
    upcoming = page.locator("main .card")
    assert upcoming.get_by_role("heading", level=3).all_inner_texts() == ["Tuesday Circle"]
    assert "You're going with 1 companion." in upcoming.inner_text()
    page.check("my meetings")
    page.get_by_role("link", name="Have your meetings in your calendar app").click()
    page.wait_for_url("**/settings/calendar")
    assert "You have no calendar address at the moment." in page.locator("main").inner_text()
    page.check("calendar settings")
    page.get_by_role("button", name="Make my calendar address").click()
    page.get_by_role("heading", name="Your new calendar address").wait_for()
    feed_url = page.get_by_role("textbox", name="Calendar address").input_value()
    assert urlsplit(feed_url).path.startswith("/feeds/personal/")
    page.check("calendar settings with the new address")
    response = page.context.request.get(feed_url)
    assert response.ok and response.headers["content-type"].startswith("text/calendar")
    events = events_in(response.body())
    assert [(e["summary"], e["start"], e["status"]) for e in events] == [
        ("Tuesday Circle", meeting.starts_at, "CONFIRMED")
    ]

    # The confirmation email carries a one-click cancel link; opening it asks before cancelling.
    [email] = live_server.wait_for_email(member.email)
    assert "Tuesday Circle" in email["Subject"]
    page.goto(cancel_link_in(email, live_server.url))
    assert page.get_by_role("heading", level=1).inner_text() == "Cancel your place?"
    assert meeting_when(meeting) in page.locator("main .card").inner_text()
    page.check("cancel by link")
    assert rsvps_of(member) == [(meeting.id, "going", 1)]  # opening the link cancels nothing
    page.get_by_role("button", name="Yes, cancel my place").click()
    page.get_by_role("heading", level=1, name="You're no longer going").wait_for()
    page.check("cancelled by link")
    assert rsvps_of(member) == [(meeting.id, "cancelled", 1)]

    page.get_by_role("link", name="Tuesday Circle").click()
    card = meeting_card(page, meeting)
    assert "You're going" not in card.inner_text()
    assert numbers(card) == "0 people are going · 10 places left"
    assert card.get_by_role("button", name=re.compile("^I'm going")).is_visible()
    page.check("group page after cancelling")

    page.get_by_role("link", name="My meetings", exact=True).click()
    page.wait_for_url("**/my/meetings")
    assert "You haven't said you're coming to any meetings." in page.locator("main").inner_text()
    page.check("my meetings after cancelling")


def test_member_finds_rsvps_and_cancels_with_the_keyboard_alone(browsing, world, hillside, now):
    member = world["member"]
    meeting = next_meeting(world["group"], now)
    when = meeting_when(meeting)
    page = browsing.new_page(**BRITISH)
    keys = page.keyboard

    page.goto("/sign-in?next=/")
    page.tab_to("Email")
    keys.type(member.email)
    page.tab_to("Password")
    keys.type(PASSWORD)
    keys.press("Enter")
    page.wait_for_url(lambda url: urlsplit(url).path == "/")
    page.check("home, signed in with the keyboard")

    page.tab_to("Town or place")
    keys.type("Sheffield")
    page.tab_to("More choices")
    keys.press("Enter")  # opens the choices
    page.tab_to("Step-free entrance")
    keys.press("Space")
    page.tab_to("Find groups")
    keys.press("Enter")
    page.wait_for_url("**access=step_free_entrance*")
    assert result_names(page) == ["Tuesday Circle"]
    page.check("results reached with the keyboard")

    page.tab_to("Tuesday Circle")
    keys.press("Enter")
    page.wait_for_url("**/groups/tuesday-circle")
    page.tab_to("Bringing a companion or carer")  # the first: the next meeting's
    assert focused_link(page) == f"/meetings/{meeting.id}/rsvp"
    keys.press("Enter")
    page.wait_for_url(f"**/meetings/{meeting.id}/rsvp")
    page.check("RSVP form reached with the keyboard")

    page.tab_to("Just me")  # Tab enters the choices at the one chosen; an arrow moves it
    keys.press("ArrowDown")
    page.tab_to("I'm going")
    keys.press("Enter")
    page.wait_for_url(f"**/groups/tuesday-circle#meeting-{meeting.id}")
    assert "You're going with 1 companion." in meeting_card(page, meeting).inner_text()
    assert rsvps_of(member) == [(meeting.id, "going", 1)]
    page.check("going, with the keyboard")

    page.tab_to("Cancel my place")
    assert when in page.evaluate("() => document.activeElement.innerText")
    keys.press("Enter")
    page.get_by_role("status").filter(has_text="You're no longer going").wait_for()
    assert "You're going" not in meeting_card(page, meeting).inner_text()
    assert rsvps_of(member) == [(meeting.id, "cancelled", 1)]
    page.check("cancelled, with the keyboard")


def test_results_group_page_and_rsvp_form_fit_320_pixels_in_dark_mode(
    browsing, world, hillside, now
):
    meeting = next_meeting(world["group"], now)
    page = browsing.new_page(
        viewport=NARROW, color_scheme="dark", has_touch=True, is_mobile=True, **BRITISH
    )
    page.goto("/sign-in?next=/")
    page.get_by_label("Email").fill(world["member"].email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").tap()
    page.wait_for_url(lambda url: urlsplit(url).path == "/")

    page.goto("/?place=Sheffield&access=step_free_entrance")
    assert result_names(page) == ["Tuesday Circle"]
    page.check("results at 320px in dark mode")
    page.assert_tap_targets(".results-map .leaflet-control-zoom a")

    page.get_by_role("link", name="Tuesday Circle").first.tap()
    page.wait_for_url("**/groups/tuesday-circle")
    page.check("group page at 320px in dark mode")
    page.assert_tap_targets(GROUP_PAGE_TARGETS)

    meeting_card(page, meeting).get_by_role("link", name=re.compile("^Bringing a companion")).tap()
    page.wait_for_url(f"**/meetings/{meeting.id}/rsvp")
    page.check("RSVP form at 320px in dark mode")
    page.assert_tap_targets(RSVP_FORM_TARGETS)
    page.assert_tap_targets(RSVP_CHOICE_TARGETS)
