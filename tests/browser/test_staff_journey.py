"""The staff journey, in Chromium: sign in, add a venue with its accessibility details, start a
group there, give it a fortnightly schedule (previewing the dates before saving), and cancel one
meeting with a reason that members then see. Also done with the keyboard alone, checked at 320 CSS
px wide in light and dark mode, and with the venue form's errors tied to their fields."""

import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from groups.extensions import db
from groups.organisations.models import Group, Venue
from groups.schedules.models import Meeting, MeetingStatus
from tests.support import PASSWORD

LONDON = ZoneInfo("Europe/London")
THURSDAY = 3
DASHBOARD = "/manage/test-pain-clinic/"
NARROW = {"width": 320, "height": 640}

VENUE = "Broomhill Library Community Room"
VENUE_NOTE = "The side door is heavy: ring the bell and someone will open it."
GROUP = "Thursday Afternoon Circle"
REASON = "The library is closed for repairs. We meet again two weeks later."


def submit_expecting_bad_request(page, button: str) -> None:
    """Submit a form the app answers with 400 Bad Request, as the venue form does when a field
    is wrong. Chromium logs any 4xx page as a console error; this one is the answer the test
    asked for; the harness forgives a page's own status (tests/browser/conftest.py)."""
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=button).click()
    assert navigation.value.status == 400
    page.wait_for_function("() => document.readyState === 'complete'")


def fortnightly(first_date: date, weekday: int, count: int) -> list[date]:
    """The dates of "every 2 weeks on <weekday>" from ``first_date``: the weeks (Monday to
    Sunday) are counted from the week holding the first date, as in iCalendar."""
    day = first_date - timedelta(days=first_date.weekday()) + timedelta(days=weekday)
    if day < first_date:
        day += timedelta(weeks=2)
    return [day + timedelta(weeks=2 * n) for n in range(count)]


def when(day: date, start: str = "14:00", end: str = "16:00") -> str:
    """How the pages write a meeting's time, without the zone's name (GMT or BST)."""
    return f"{day:%A} {day.day} {day:%B %Y}, {start} to {end}"


def tomorrow_in_london() -> date:
    return datetime.now(LONDON).date() + timedelta(days=1)


def lines(locator) -> list[str]:
    return [line.strip() for line in locator.inner_text().splitlines() if line.strip()]


def flash(page) -> str:
    return page.locator("main .notice[role=status]").inner_text()


def preview_dates(page) -> list[str]:
    return page.locator(".preview-dates time").evaluate_all(
        "times => times.map(t => t.getAttribute('datetime').slice(0, 16))"
    )


def meeting_cards(page):
    return page.locator("h2:text-is('Next meetings') ~ ul.card-list > li.meeting")


def latest():
    """End the test's read transaction, so the next query sees what the server has written."""
    db.session.rollback()


def new_venue() -> Venue:
    latest()
    return db.session.scalar(sa.select(Venue).where(Venue.name == VENUE))


def new_group() -> Group:
    latest()
    return db.session.scalar(sa.select(Group).where(Group.name == GROUP))


def test_staff_adds_a_venue_a_group_and_a_fortnightly_schedule_then_cancels_a_meeting(
    browsing, world
):
    page = browsing.new_page()
    page.sign_in(world["staff"], DASHBOARD)
    assert page.get_by_role("heading", level=1).inner_text() == "Test Pain Clinic"
    page.check("organisation dashboard")

    # A venue, with what people living with pain need to know before they come.
    page.get_by_role("link", name="Venues", exact=True).click()
    page.check("venues before")
    assert page.locator(".venue-name").all_inner_texts() == ["Room 1"]
    page.get_by_role("link", name="Add a venue").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Add a venue"
    page.check("venue form")
    page.get_by_label("Name of the venue").fill(VENUE)
    page.get_by_label("Address line 1").fill("Taptonville Road")
    page.get_by_label("Town or city").fill("Sheffield")
    page.get_by_label("Postcode (optional)").fill("S10 5BR")
    page.get_by_label("Latitude").fill("53.3811")
    page.get_by_label("Longitude").fill("-1.4995")
    for feature in ("Step-free way in", "Accessible toilet", "Chairs with back support"):
        page.get_by_label(feature, exact=True).check()
    page.get_by_label("Parking nearby, in metres (optional)").fill("50")
    page.get_by_label("Getting there by public transport (optional)").fill("Bus 52 stops outside.")
    page.get_by_label("Anything else about access (optional)").fill(VENUE_NOTE)
    page.check("venue form filled in")
    page.get_by_role("button", name="Add the venue").click()

    page.wait_for_url(f"**{DASHBOARD}venues")
    assert f"{VENUE} is added. Its time zone is Europe/London." in flash(page)
    card = page.locator(".venue-card", has=page.get_by_role("heading", name=VENUE))
    assert card.locator(".access-list li").all_inner_texts() == [
        "♿ Step-free entrance",
        "🚻 Accessible toilet",
        "🪑 Seats with back support",
        "P Parking 50 m away",
    ]
    assert f"Access notes: {VENUE_NOTE}" in card.inner_text()
    assert "Taptonville Road, Sheffield, S10 5BR" in card.inner_text()
    page.check("venues with the new one")
    venue = new_venue()
    assert (venue.step_free_entrance, venue.accessible_toilet, venue.lift) == (True, True, False)
    assert (venue.latitude, venue.longitude, venue.timezone) == (53.3811, -1.4995, "Europe/London")

    # A group that meets there.
    page.get_by_role("link", name="Test Pain Clinic").click()
    page.get_by_role("link", name="Start a new group").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Start a new group"
    page.check("group form")
    page.get_by_label("Group name").fill(GROUP)
    page.get_by_label("Peer support group").check()
    page.get_by_label("Fibromyalgia").check()
    page.get_by_label("Description").fill("A calm hour of **peer support**, with tea.")
    page.get_by_label("Who it is for").fill("Adults living with long-term pain, and their carers.")
    page.get_by_label("Usual venue").select_option(label=f"{VENUE}, Sheffield")
    page.get_by_label("Places at each meeting").fill("12")
    page.check("group form filled in")
    page.get_by_role("button", name="Create the group").click()
    page.wait_for_url(re.compile(r"/manage/groups/\d+/meetings$"))
    assert f"{GROUP} is created. Now add when it meets." in flash(page)
    assert "This group has no regular schedule yet." in page.locator("main").inner_text()
    assert "No meetings are planned." in page.locator("main").inner_text()
    page.check("new group's meetings")
    group = new_group()
    assert group.default_venue.name == VENUE and group.default_capacity == 12

    # A fortnightly schedule: the preview shows the dates before anything is saved.
    page.get_by_role("link", name="Add a schedule").click()
    assert page.get_by_role("heading", level=1).inner_text() == f"When does {GROUP} meet?"
    page.check("schedule form")
    first_day = tomorrow_in_london()
    expected = fortnightly(first_day, THURSDAY, 6)
    assert page.get_by_label("Every week, or every few weeks").is_checked()
    page.get_by_label("How often", exact=True).select_option(label="Every 2 weeks")
    page.get_by_label("Thursday", exact=True).check()
    page.get_by_label("Start time").fill("14:00")
    page.get_by_label("How long it lasts").select_option(label="2 hours")
    assert page.get_by_label("Venue", exact=True).locator("option:checked").inner_text() == (
        f"{VENUE}, Sheffield"
    )
    page.get_by_label("Date of the first meeting").fill(first_day.isoformat())
    page.get_by_label("After a number of meetings").check()
    page.get_by_label("Number of meetings", exact=True).fill("6")
    page.get_by_role("button", name="Preview the dates").click()

    preview = page.locator(".schedule-preview")
    assert preview.get_by_role("heading", level=2).inner_text() == "The next 6 meetings"
    assert preview_dates(page) == [f"{day.isoformat()}T14:00" for day in expected]
    shown = preview.locator(".preview-dates li").all_inner_texts()
    assert [text.split(" (")[0] for text in shown] == [when(day) for day in expected]
    # Nothing is saved by a preview, and the form keeps what was typed.
    assert db.session.scalar(sa.select(sa.func.count()).where(Meeting.group_id == group.id)) == 0
    assert page.get_by_label("Thursday", exact=True).is_checked()
    assert page.get_by_label("Number of meetings", exact=True).input_value() == "6"
    page.check("schedule preview")
    page.get_by_role("button", name="Save the schedule").click()

    page.wait_for_url(f"**/manage/groups/{group.id}/meetings")
    assert "The schedule is saved and 6 meeting(s) are added." in flash(page)
    schedule = page.locator("li.schedule")
    assert schedule.get_by_role("heading").inner_text() == "Every 2 weeks on Thursday at 14:00"
    assert f"At {VENUE}, Sheffield" in schedule.inner_text()
    assert "6 meetings in all" in schedule.inner_text()
    headings = meeting_cards(page).locator("h3").all_inner_texts()
    assert [text.split(" (")[0] for text in headings] == [when(day) for day in expected]
    page.check("meetings after the schedule is saved")

    # One meeting is cancelled, with the reason members will read.
    second = when(expected[1])
    page.get_by_role("link", name=re.compile(f"^Cancel the meeting on {second}")).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Cancel a meeting"
    assert second in page.locator("main .lead").inner_text()
    page.check("cancel a meeting")
    page.get_by_label("Why is it cancelled?").fill(REASON)
    page.get_by_role("button", name="Cancel the meeting").click()

    page.wait_for_url(f"**/manage/groups/{group.id}/meetings")
    assert "The meeting is cancelled. The people going will be told." in flash(page)
    cancelled = meeting_cards(page).filter(has_text=second)
    assert "card-cancelled" in cancelled.get_attribute("class")
    assert cancelled.locator("h3 del").inner_text().startswith(second)
    assert f"Cancelled Reason members see: {REASON}" in cancelled.inner_text()
    assert not cancelled.get_by_role("link", name=re.compile("^Cancel")).count()
    others = meeting_cards(page).filter(has_not=page.locator(".tag", has_text="Cancelled"))
    assert others.count() == 5
    page.check("meetings with one cancelled")
    latest()
    statuses = db.session.scalars(
        sa.select(Meeting.status).where(Meeting.group_id == group.id).order_by(Meeting.starts_at)
    ).all()
    assert statuses[1] is MeetingStatus.CANCELLED
    assert statuses.count(MeetingStatus.CANCELLED) == 1

    # Members see the cancellation and the venue's access on the group's public page.
    page.get_by_role("link", name=f"{GROUP}: the group's details").click()
    page.check("group details")
    page.get_by_role("link", name="See the public page").click()
    page.wait_for_url(f"**/groups/{group.slug}")
    assert page.get_by_role("heading", level=1).inner_text() == GROUP
    page.check("public group page")
    public = page.locator("li.meeting", has=page.locator("del", has_text=second))
    assert lines(public)[:2] == [
        f"Cancelled: {second} ({_zone_name(expected[1])})",
        f"Reason: {REASON}",
    ]
    assert not public.get_by_role("button").count() and not public.get_by_role("link").count()
    assert page.locator("li.meeting:not(.card-cancelled)").count() == 5
    main = page.locator("main").inner_text()
    assert f"Getting there: {VENUE}" in main
    assert f"Access notes: {VENUE_NOTE}" in main
    access = page.get_by_role("list", name="Accessibility").locator("li").all_inner_texts()
    assert "♿ Step-free entrance" in access and "🚻 Accessible toilet" in access


def _zone_name(day: date) -> str:
    return datetime(day.year, day.month, day.day, 14, tzinfo=LONDON).tzname()


# --- With the keyboard alone ---------------------------------------------------------------


def press(page, key: str, navigates: bool = False) -> None:
    """One key press; when it submits a form or follows a link, wait for the next page."""
    if navigates:
        with page.expect_navigation():
            page.keyboard.press(key)
    else:
        page.keyboard.press(key)


def follow(page, name: str) -> None:
    """Tab to a link or button and press Enter on it."""
    page.tab_to(name)
    press(page, "Enter", navigates=True)


def type_into(page, name: str, text: str) -> None:
    page.tab_to(name)
    page.keyboard.type(text)


def focused_value(page) -> str:
    """What the focused control shows: a select's chosen option, an input's value."""
    return page.evaluate(
        """() => {
            const e = document.activeElement;
            return e.tagName === 'SELECT' ? e.options[e.selectedIndex].text : e.value;
        }"""
    )


def test_staff_does_the_whole_journey_with_the_keyboard_alone(browsing, world):
    page = browsing.new_page()
    page.goto(f"/sign-in?next={DASHBOARD}")
    type_into(page, "Email", world["admin"].email)
    type_into(page, "Password", PASSWORD)
    press(page, "Enter", navigates=True)
    assert urlsplit(page.url).path == DASHBOARD
    page.check("dashboard")

    # The venue: typed, its access features ticked with Space.
    follow(page, "Venues")
    follow(page, "Add a venue")
    page.check("venue form")
    type_into(page, "Name of the venue", VENUE)
    type_into(page, "Address line 1", "Taptonville Road")
    type_into(page, "Town or city", "Sheffield")
    for feature in ("Step-free way in", "Accessible toilet", "Hearing loop"):
        page.tab_to(feature)
        press(page, "Space")
        assert page.evaluate("() => document.activeElement.checked"), feature
    type_into(page, "Anything else about access", VENUE_NOTE)
    follow(page, "Add the venue")
    assert f"{VENUE} is added." in flash(page)
    card = page.locator(".venue-card", has=page.get_by_role("heading", name=VENUE))
    assert lines(card.locator(".access-list")) == [
        "♿ Step-free entrance",
        "🚻 Accessible toilet",
        "➰ Hearing loop",
    ]
    page.check("venues with the new one")

    # The group: a radio chosen with Space, the venue chosen by typing its name in the list.
    follow(page, "Test Pain Clinic")
    follow(page, "Start a new group")
    type_into(page, "Group name", GROUP)
    page.tab_to("Peer support group")
    press(page, "Space")
    page.tab_to("Usual venue")
    page.keyboard.type("Broomhill")
    assert focused_value(page) == f"{VENUE}, Sheffield"
    page.check("group form filled in")
    follow(page, "Create the group")
    assert f"{GROUP} is created." in flash(page)
    page.check("new group's meetings")

    # The schedule: every 2 weeks (an arrow key in the list), on the weekday of two days from
    # now, at 10:00 for the default 90 minutes, for 4 meetings, from the date the form offers
    # (today); first previewed, then saved.
    first_day = datetime.now(UTC).date()
    meeting_day = first_day + timedelta(days=2)
    expected = fortnightly(first_day, meeting_day.weekday(), 4)
    follow(page, "Add a schedule")
    page.tab_to("How often")
    press(page, "ArrowDown")
    assert focused_value(page) == "Every 2 weeks"
    page.tab_to(f"{meeting_day:%A}")
    press(page, "Space")
    # "A" answers the AM/PM part where the browser shows a 12-hour clock; a 24-hour one ignores it.
    type_into(page, "Start time", "1000A")
    assert focused_value(page) == "10:00"
    page.tab_to("It keeps going")
    press(page, "ArrowDown")
    press(page, "ArrowDown")
    assert page.evaluate("() => document.activeElement.value") == "count"
    type_into(page, "Number of meetings", "4")
    follow(page, "Preview the dates")
    preview = page.locator(".schedule-preview")
    assert preview.get_by_role("heading", level=2).inner_text() == "The next 4 meetings"
    assert preview_dates(page) == [f"{day.isoformat()}T10:00" for day in expected]
    page.check("schedule preview")
    follow(page, "Save the schedule")
    assert "The schedule is saved and 4 meeting(s) are added." in flash(page)
    heading = page.locator("li.schedule h3").inner_text()
    assert heading == f"Every 2 weeks on {meeting_day:%A} at 10:00"
    page.check("meetings after the schedule is saved")

    # The first meeting is cancelled, with a reason.
    first = when(expected[0], "10:00", "11:30")
    follow(page, f"Cancel the meeting on {first}")
    type_into(page, "Why is it cancelled?", REASON)
    page.check("cancel a meeting")
    follow(page, "Cancel the meeting")
    assert "The meeting is cancelled." in flash(page)
    cancelled = meeting_cards(page).filter(has_text=first)
    assert f"Cancelled Reason members see: {REASON}" in cancelled.inner_text()
    assert meeting_cards(page).locator(".tag", has_text="Cancelled").count() == 1
    page.check("meetings with one cancelled")


# --- 320 CSS px wide (a phone, or 200% zoom), in light and dark mode -------------------------


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_staff_pages_fit_320_pixels_without_scrolling_sideways(browsing, world, color_scheme):
    """Every staff page, narrow, passes the page checks (no sideways scroll, axe's contrast
    rules in this colour scheme)."""
    page = browsing.new_page(viewport=NARROW, color_scheme=color_scheme)
    page.sign_in(world["admin"], DASHBOARD)
    assert page.evaluate("() => matchMedia('(prefers-color-scheme: dark)').matches") is (
        color_scheme == "dark"
    )
    organisation, group, venue = "test-pain-clinic", world["group"], world["venue"]
    meeting = db.session.scalars(
        sa.select(Meeting)
        .where(Meeting.group_id == group.id, Meeting.starts_at > datetime.now(LONDON))
        .order_by(Meeting.starts_at)
    ).first()
    pages = {
        "my organisations": "/manage/",
        "dashboard": f"/manage/{organisation}/",
        "people": f"/manage/{organisation}/members",
        "invite someone": f"/manage/{organisation}/members/invite",
        "organisation settings": f"/manage/{organisation}/settings",
        "venues": f"/manage/{organisation}/venues",
        "add a venue": f"/manage/{organisation}/venues/new",
        "edit a venue": f"/manage/{organisation}/venues/{venue.id}/edit",
        "start a group": f"/manage/{organisation}/groups/new",
        "edit a group": f"/manage/groups/{group.id}/edit",
        "facilitators": f"/manage/groups/{group.id}/facilitators",
        "meetings": f"/manage/groups/{group.id}/meetings?past=1",
        "add a meeting": f"/manage/groups/{group.id}/meetings/new",
        "change a schedule": f"/manage/schedules/{world['schedule'].id}/edit",
        "end a schedule": f"/manage/schedules/{world['schedule'].id}/end",
        "cancel a meeting": f"/manage/meetings/{meeting.id}/cancel",
        "move a meeting": f"/manage/meetings/{meeting.id}/move",
        "meeting details": f"/manage/meetings/{meeting.id}/details",
    }
    for label, path in pages.items():
        page.goto(path)
        assert page.get_by_role("heading", level=1).is_visible(), label
        page.check(f"{label} {color_scheme}")

    # The pages a form shows back: the venue form's errors and a schedule's preview.
    page.goto(f"/manage/{organisation}/venues/new")
    submit_expecting_bad_request(page, "Add the venue")
    assert page.locator(".error-summary").is_visible()
    page.check(f"venue form with errors {color_scheme}")
    page.goto(f"/manage/groups/{group.id}/schedules/new")
    page.get_by_label("Wednesday", exact=True).check()
    page.get_by_label("Start time").fill("18:30")
    page.get_by_role("button", name="Preview the dates").click()
    assert page.locator(".preview-dates li").count() > 0
    page.check(f"schedule preview {color_scheme}")


# --- Errors tied to their fields ------------------------------------------------------------


def assert_error_tied_to(page, field, message: str) -> None:
    """The field is marked invalid and its error is one of the texts that describe it."""
    assert field.get_attribute("aria-invalid") == "true"
    described = (field.get_attribute("aria-describedby") or "").split()
    error_id = f"{field.get_attribute('id')}-error"
    assert error_id in described, (error_id, described)
    assert page.locator(f"#{error_id}").inner_text() == message
    # What a screen reader says with the field, hint and error alike, in order.
    said = field.evaluate(
        "(e, ids) => ids.map(id => document.getElementById(id).innerText)", described
    )
    assert said[-1] == message


def test_an_empty_venue_form_ties_each_error_to_its_field(browsing, world):
    page = browsing.new_page()
    page.sign_in(world["staff"], f"{DASHBOARD}venues/new")
    submit_expecting_bad_request(page, "Add the venue")

    summary = page.locator(".error-summary")
    assert summary.get_by_role("heading").inner_text() == "Please check the form"
    errors = {
        "Name of the venue": "Enter the venue's name.",
        "Address line 1": "Enter the first line of the address.",
        "Town or city": "Enter the town or city.",
    }
    assert lines(summary.locator("ul")) == [f"{label}: {text}" for label, text in errors.items()]
    for label, message in errors.items():
        assert_error_tied_to(page, page.get_by_label(label, exact=True), message)
    # A field with a hint keeps it: the hint is read first, then the error.
    name = page.get_by_label("Name of the venue")
    assert name.get_attribute("aria-describedby") == "name-hint name-error"
    # Fields without a problem are not marked.
    assert page.get_by_label("Postcode (optional)").get_attribute("aria-invalid") is None
    assert page.locator("[aria-invalid=true]").count() == 3
    page.check("venue form with errors")

    # The summary's links take the keyboard to the field.
    summary.get_by_role("link", name=re.compile("^Town or city")).click()
    assert page.evaluate("() => document.activeElement.id") == "town"

    # The same on the form that cancels a meeting: an empty reason is refused, next to the box.
    meeting = db.session.scalars(
        sa.select(Meeting)
        .where(Meeting.group_id == world["group"].id, Meeting.starts_at > datetime.now(LONDON))
        .order_by(Meeting.starts_at)
    ).first()
    page.goto(f"/manage/meetings/{meeting.id}/cancel")
    page.get_by_role("button", name="Cancel the meeting").click()
    reason = page.get_by_label("Why is it cancelled?")
    assert_error_tied_to(page, reason, "Say why the meeting is cancelled; members will see it.")
    page.check("cancel form with an error")
