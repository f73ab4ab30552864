"""The facilitator's journey at the door, in Chromium on a phone: sign in, open today's roster,
mark who came, count an anonymous walk-in, save, and see the group's attendance report change.
Also done with the keyboard alone, and at 320 CSS px wide in dark mode."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from groups.accounts.models import User
from groups.attendance.models import AttendanceStatus, MeetingHeadcount
from groups.extensions import db
from groups.schedules.display import in_zone
from tests.attendance.roster_helpers import answered, attendance_of, came, meeting_at
from tests.support import PASSWORD

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
NARROW = {"viewport": {"width": 320, "height": 640}, "has_touch": True, "is_mobile": True}
# What the roster's big controls must be at least, each way, for shaky hands.
ROSTER_TARGETS = ".mark, .button-save, .counter-button, .companions select"


@pytest.fixture
def meeting(world, now):
    """A Tuesday Circle meeting that started 10 minutes ago (the roster opens 30 minutes before
    the start, and reports count only meetings that have started), with three members going:
    Maria brings a companion."""
    meeting = meeting_at(world["group"], now - timedelta(minutes=10))
    answered(meeting, "Maria", companions=1)
    answered(meeting, "Dev")
    answered(meeting, "Sam")
    db.session.commit()
    return meeting


def sign_in_with_the_keyboard(page, user, next_path: str) -> None:
    page.goto(f"/sign-in?next={next_path}")
    tab_to(page, "Email")
    page.keyboard.type(user.email)
    tab_to(page, "Password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: urlsplit(url).path == next_path)


def take_attendance(meeting) -> str:
    """The start of the name of the home page's big button for ``meeting`` (there may be two
    on a Tuesday evening, when the group's weekly meeting is on too)."""
    local = in_zone(meeting.starts_at, meeting.timezone)
    return (
        f"Take attendance for Tuesday Circle, {local:%A} {local.day} {local:%B %Y}, {local:%H:%M}"
    )


def member_called(name: str) -> User:
    return db.session.scalar(sa.select(User).where(User.display_name == name))


def report_url(world) -> str:
    return f"/manage/groups/{world['group'].id}/report"


def figure(page, name: str) -> str:
    """One figure of the report's summary, as shown."""
    card = page.locator(".report-figures > div").filter(has=page.get_by_text(name, exact=True))
    return card.locator("dd").inner_text().strip()


def summary(page) -> dict[str, str]:
    names = ["Total attendance", "Members present", "Companions", "Anonymous walk-ins"]
    return {name: figure(page, name) for name in names}


def mark_toggle(page, kind: str, name: str):
    """The big visible toggle ("Came" or "Didn't come") for one person."""
    return page.locator(f"label.mark-{kind}", has_text=f": {name}")


def chosen_marks(page) -> dict[str, str]:
    """Which toggle is on for each person, read from the radio buttons."""
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('.person')].map(person => [
            person.querySelector('.person-name').innerText,
            (person.querySelector('.mark-input:checked') || {value: 'unmarked'}).value,
        ]))"""
    )


FOCUSED = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    const label = e.labels && e.labels[0] ? e.labels[0] : null;
    const text = [e.getAttribute('aria-label') || '', label ? label.innerText : '',
                  e.innerText || '', e.value || ''].join(' ');
    const drawn = label && e.type === 'radio' ? label : e;
    const shown = getComputedStyle(drawn);
    const box = drawn.getBoundingClientRect();
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    const bar = document.querySelector('.save-bar');
    return {
        obscured: !hit || (!!bar && bar.contains(hit) && !bar.contains(e)),
        text: text.replace(/\\s+/g, ' ').replace(/ ([:,.])/g, '$1'),
        radio: e.type === 'radio',
        outline: shown.outlineStyle !== 'none' && shown.outlineWidth !== '0px',
        shadow: shown.boxShadow !== 'none',
    };
}"""


def tab_to(page, name: str, limit: int = 80) -> None:
    """Press Tab until the focused control's text contains ``name``, checking at every stop that
    the focus is drawn (on a toggle: on its big label, the radio itself being invisible) and that
    the control is on screen, not under the sticky Save bar.

    Unlike PageChecker.tab_to, line breaks are folded: a label's visually hidden part (the
    person's name after "Came") is a line of its own in innerText."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:  # past the last control: the next Tab starts again at the top
            continue
        assert focused["outline"] or focused["shadow"], f"focus is invisible on {focused}"
        assert not focused["obscured"], f"the focused control is hidden on screen: {focused}"
        if name.lower() in focused["text"].lower():
            return
    raise AssertionError(f"Tab never reached {name!r} on {page.url}")


def test_facilitator_marks_who_came_on_a_phone_and_the_report_counts_them(browsing, world, meeting):
    page = browsing.new_page(**PHONE)
    page.sign_in(world["facilitator"], "/facilitate/")
    page.check("facilitator home before the meeting is recorded")

    # The report before: nothing recorded for today's meeting yet.
    page.goto(report_url(world))
    page.check("attendance report before")
    before = summary(page)
    assert before == {
        "Total attendance": "0",
        "Members present": "0",
        "Companions": "0",
        "Anonymous walk-ins": "0",
    }

    page.goto("/facilitate/")
    page.get_by_role("link", name=re.compile("^" + re.escape(take_attendance(meeting)))).tap()
    page.wait_for_url(f"**/manage/meetings/{meeting.id}/attendance")
    heading = page.get_by_role(
        "heading", level=1, name=re.compile(r"^Attendance ?: Tuesday Circle$")
    )
    assert heading.is_visible()
    assert chosen_marks(page) == {"Dev": "unmarked", "Maria": "unmarked", "Sam": "unmarked"}
    page.check("roster as it opens")
    assert page.assert_tap_targets(ROSTER_TARGETS) == 3 * 2 + 3 + 2 + 1
    assert page.assert_tap_targets(".mark") == 6

    # At the door: Maria and Dev came, Sam didn't, and one person without an account came.
    mark_toggle(page, "present", "Maria").tap()
    mark_toggle(page, "present", "Dev").tap()
    mark_toggle(page, "absent", "Sam").tap()
    page.get_by_role("button", name="One more walk-in").tap()
    assert page.get_by_label("People who came without an account").input_value() == "1"
    assert chosen_marks(page) == {"Dev": "present", "Maria": "present", "Sam": "absent"}
    assert page.get_by_label("Companions or carers with Maria").input_value() == "1"
    page.check("roster marked, not saved yet")

    page.get_by_role("button", name="Save attendance").tap()
    status = page.get_by_role("status").filter(has_text="Saved at")
    status.wait_for()
    assert re.fullmatch(r"Saved at \d\d:\d\d\.", status.inner_text().strip())
    page.check("roster saved")
    page.assert_tap_targets(".button-save")
    assert sorted(attendance_of(meeting).values()) == [
        ("absent", 0, False, False),
        ("present", 0, True, False),
        ("present", 1, True, False),
    ]

    # Opened again, the roster shows what was saved.
    page.reload()
    assert chosen_marks(page) == {"Dev": "present", "Maria": "present", "Sam": "absent"}
    assert page.get_by_label("People who came without an account").input_value() == "1"
    page.check("roster opened again after saving")

    page.get_by_role("link", name="Back to your groups").tap()
    page.wait_for_url("**/facilitate/")
    assert page.get_by_text("Some attendance is already saved").is_visible()
    page.check("facilitator home after saving")

    page.goto(report_url(world))
    page.check("attendance report after")
    assert summary(page) == {
        "Total attendance": "4",
        "Members present": "2",
        "Companions": "1",
        "Anonymous walk-ins": "1",
    }
    today = page.locator(".report-table tbody tr").last
    assert today.locator("td").all_inner_texts() == ["2", "1", "1", "4", "2", "2 of 3", "0"]


def test_facilitator_takes_attendance_with_the_keyboard_alone(browsing, world, meeting):
    page = browsing.new_page(**PHONE)
    sign_in_with_the_keyboard(page, world["facilitator"], "/facilitate/")

    tab_to(page, take_attendance(meeting))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/manage/meetings/{meeting.id}/attendance")
    page.check("roster reached with the keyboard")

    # Tab lands on a person's first toggle ("Came"); Space turns it on; an arrow key moves the
    # choice to "Didn't come".
    tab_to(page, "Came: Dev")
    page.keyboard.press("Space")
    tab_to(page, "Came: Maria")
    page.keyboard.press("Space")
    tab_to(page, "Came: Sam")
    page.keyboard.press("ArrowRight")
    assert chosen_marks(page) == {"Dev": "present", "Maria": "present", "Sam": "absent"}

    tab_to(page, "One more walk-in")
    page.keyboard.press("Enter")
    page.keyboard.press("Space")
    tab_to(page, "Save attendance")
    page.keyboard.press("Enter")
    status = page.get_by_role("status").filter(has_text="Saved at")
    status.wait_for()
    page.check("roster saved with the keyboard")

    page.reload()
    assert chosen_marks(page) == {"Dev": "present", "Maria": "present", "Sam": "absent"}
    assert page.evaluate("() => document.querySelector('[name=walk_ins]').value") == "2"


def test_roster_and_report_fit_320_pixels_in_dark_mode(browsing, world, meeting, now):
    # Earlier meetings with attendance, so the report has a chart with several bars.
    maria, dev = (member_called(name) for name in ("Maria", "Dev"))
    for weeks in (1, 2, 3):
        earlier = meeting_at(world["group"], now - timedelta(weeks=weeks))
        came(earlier, maria)
        came(
            earlier, dev, status=AttendanceStatus.PRESENT if weeks != 2 else AttendanceStatus.ABSENT
        )
        db.session.add(MeetingHeadcount(meeting_id=earlier.id, walk_ins=weeks))
    db.session.commit()

    page = browsing.new_page(color_scheme="dark", **NARROW)
    page.sign_in(world["facilitator"], f"/manage/meetings/{meeting.id}/attendance")
    page.check("roster at 320px in dark mode")
    page.assert_tap_targets(ROSTER_TARGETS)
    mark_toggle(page, "present", "Maria").tap()
    page.get_by_role("button", name="Save attendance").tap()
    page.get_by_role("status").filter(has_text="Saved at").wait_for()
    page.check("roster saved at 320px in dark mode")

    page.goto(report_url(world))
    assert page.locator(".report-chart svg rect").count() >= 4
    assert figure(page, "Members present") == "6"
    page.check("report at 320px in dark mode")
    # The wide tables scroll inside their own box, never the page.
    for table in page.locator(".table-wrap").all():
        box = table.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 320
