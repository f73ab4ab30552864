"""Every page anyone can open without signing in, in Chromium: in light mode on a desktop, in dark
mode (following the system), and at 320 CSS px wide (a 640 px window at 200% zoom). Each page must
say what it is (its heading), pass axe-core with no serious or critical violation, and keep the
page-level rules (lang, skip link, title, one h1, no sideways scrolling).

Then the sign-up and sign-in forms, submitted empty or wrong: each error is tied to its field
(aria-describedby, aria-invalid), the summary at the top links to the fields and takes focus so a
screen reader or keyboard user lands on it."""

import re
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import current_app
from playwright.sync_api import expect

from groups.extensions import db
from groups.organisations.models import Invitation, InvitationRole
from groups.rsvps.links import cancel_token
from groups.rsvps.models import RSVP, RSVPStatus
from groups.schedules.models import Meeting
from groups.security import sign_token
from tests.browser.conftest import TILE_HOST

# The live server signs links with its own key (tests/browser/conftest.py sets it).
SERVER_SECRET_KEY = "browser-test-secret"
DESKTOP = {"width": 1280, "height": 900}
NARROW = {"width": 320, "height": 640}  # a 640 px wide window at 200% zoom
MODES = {
    "light": {"viewport": DESKTOP},
    "dark": {"viewport": DESKTOP, "color_scheme": "dark"},
    "320px": {"viewport": NARROW},
}


@dataclass(frozen=True)
class PublicPage:
    name: str
    heading: str  # what the page's <h1> says (a regular expression)
    path: str = ""  # a fixed address, or:
    reach: Callable | None = None  # reach(page, links) for pages that need seeded links or a form
    status: int = 200  # what the server answers (a bad link is 400, a missing page 404)
    shows: str = ""  # what the main content must also say (a regular expression)


@contextmanager
def signing_as_the_server():
    """Sign tokens as the live server does, for links that only ever arrive by email."""
    ours = current_app.config["SECRET_KEY"]
    current_app.config["SECRET_KEY"] = SERVER_SECRET_KEY
    try:
        yield
    finally:
        current_app.config["SECRET_KEY"] = ours


def send_forgot_password(page, address: str) -> None:
    page.goto("/forgot-password")
    page.get_by_label("Email address").fill(address)
    page.get_by_role("button", name="Send me a link").click()


def start_sign_up(page, address: str) -> None:
    page.goto("/sign-up")
    page.get_by_label("Your name as others will see it").fill("New Person")
    page.get_by_label("Email address").fill(address)
    page.get_by_label("Password", exact=True).fill("a calm walk by the river")
    page.get_by_role("button", name="Create account").click()


PUBLIC_PAGES = [
    PublicPage("home", r"support group", path="/"),
    PublicPage(
        "search results",
        r"support group",
        path="/?place=Sheffield",
        shows=r"1 group within \d+ (miles|kilometres) of Sheffield(.|\n)*Tuesday Circle",
    ),
    PublicPage(
        "search with no results",
        r"support group",
        path="/?place=Sheffield&day=mon&day=sun",
        shows=r"No groups within(.|\n)*match all your choices",
    ),
    PublicPage(
        "search for an unknown place",
        r"support group",
        path="/?place=Qwxzzy",
        status=400,
        shows=r"We don't know a place called “Qwxzzy”",
    ),
    PublicPage(
        "search for a place with many namesakes",
        r"support group",
        path="/?place=Newport",
        shows=r"Which Newport do you mean\?",
    ),
    PublicPage("group page", r"Tuesday Circle", path="/groups/tuesday-circle"),
    PublicPage("privacy", r"keep|privacy", path="/privacy"),
    PublicPage("sign in", r"^Sign in$", path="/sign-in"),
    PublicPage("sign up", r"^Create an account$", path="/sign-up"),
    PublicPage("forgot password", r"Forgotten your password", path="/forgot-password"),
    PublicPage(
        "check your email after asking for a new password",
        r"Check your email",
        reach=lambda page, links: send_forgot_password(page, "nobody@example.org"),
    ),
    PublicPage(
        "check your email after signing up",
        r"Check your email",
        reach=lambda page, links: start_sign_up(page, f"new-{links['mode']}@example.org"),
    ),
    PublicPage(
        "reset password from the emailed link",
        r"Choose a new password",
        reach=lambda page, links: page.goto(links["reset"]),
    ),
    PublicPage(
        "reset password with a bad link",
        r"can't be used",
        path="/reset-password/not-a-token",
        status=400,
    ),
    PublicPage(
        "confirm email with a bad link",
        r"can't be used",
        path="/confirm-email/not-a-token",
        status=400,
    ),
    PublicPage(
        "confirm an email change with a bad link",
        r"can't be used",
        path="/settings/email/confirm/not-a-token",
        status=400,
    ),
    PublicPage(
        "invitation from the emailed link",
        r"invit",
        reach=lambda page, links: page.goto(links["invitation"]),
    ),
    PublicPage(
        "invitation with a bad link", r"can't be used", path="/invitations/not-a-token", status=400
    ),
    PublicPage(
        "cancel a place from the emailed link",
        r"Cancel your place",
        reach=lambda page, links: page.goto(links["cancel"]),
    ),
    PublicPage(
        "cancel a place with a bad link",
        r"can't be used",
        path="/rsvps/cancel/not-a-token",
        status=400,
    ),
    PublicPage(
        "page not found", r"not found|can't find|cannot find", path="/no-such-page", status=404
    ),
    PublicPage(
        "group not found",
        r"not found|can't find|cannot find",
        path="/groups/no-such-group",
        status=404,
    ),
    PublicPage(
        "RSVP page sends a visitor to sign in first",
        r"^Sign in$",
        reach=lambda page, links: page.goto(f"/meetings/{links['meeting_id']}/rsvp"),
    ),
]


@pytest.fixture
def emailed_links(world, now):
    """Links a visitor only gets by email: an invitation, and the one-click cancel link of a
    member's place at the next meeting."""
    meeting = db.session.scalar(
        sa.select(Meeting)
        .where(Meeting.group_id == world["group"].id, Meeting.starts_at > now + timedelta(hours=1))
        .order_by(Meeting.starts_at)
    )
    rsvp = RSVP(meeting=meeting, user=world["member"], status=RSVPStatus.GOING)
    invitation = Invitation(
        organisation=world["organisation"], email="new.staff@example.org",
        role=InvitationRole.STAFF, invited_by=world["admin"],
    )  # fmt: skip
    db.session.add_all([rsvp, invitation])
    db.session.commit()
    with signing_as_the_server():
        return {
            "meeting_id": meeting.id,
            "invitation": f"/invitations/{sign_token('invitation', {'invitation': invitation.id})}",
            "cancel": f"/rsvps/cancel/{cancel_token(rsvp)}",
        }


def emailed_reset_link(browsing, live_server) -> str:
    page = browsing.new_page()
    send_forgot_password(page, "member@example.org")
    body = live_server.wait_for_email("member@example.org")[-1].as_string()
    body = re.sub(r"=\r?\n", "", body)  # undo quoted-printable soft line breaks
    path = re.search(r"/reset-password/[A-Za-z0-9_.\-]+", body).group(0)
    page.context.close()
    return path


@pytest.mark.parametrize("public", PUBLIC_PAGES, ids=[p.name for p in PUBLIC_PAGES])
def test_public_page_reads_well_in_light_dark_and_at_320px(
    public, browsing, live_server, emailed_links
):
    links = dict(emailed_links)
    if "reset" in public.name:
        links["reset"] = emailed_reset_link(browsing, live_server)
    failures = []
    for mode, options in MODES.items():
        links["mode"] = mode
        page = browsing.new_page(**options)
        label = f"{public.name} ({mode})"
        try:
            if public.reach:
                public.reach(page, links)
            else:
                page.goto(public.path)
            status = page.evaluate(
                "() => performance.getEntriesByType('navigation')[0].responseStatus"
            )
            assert status == public.status, f"{label}: answered {status}, not {public.status}"
            heading = page.locator("h1").first.inner_text()
            assert re.search(public.heading, heading, re.IGNORECASE), (
                f"{label}: heading {heading!r} does not match {public.heading!r}"
            )
            if public.shows:
                main = page.locator("main").inner_text()
                assert re.search(public.shows, main), f"{label}: {public.shows!r} not in {main!r}"
            page.check(label)
            assert_no_external_resources(page, label)
        except AssertionError as failure:
            failures.append(str(failure))
    assert not failures, "\n\n".join(failures)


def assert_no_external_resources(page, label: str) -> None:
    """No stylesheet, script, font, frame or image from another host (the harness also fails
    the test on any request to one). Map tiles are the one exception: their server is set by
    MAP_TILE_URL, and the harness answers them itself."""
    external = page.evaluate(
        """() => [...document.querySelectorAll(
                'link[rel~=stylesheet][href], link[rel~=preload][href], link[rel~=icon][href],'
                + ' script[src], img[src], iframe[src], source[src]')]
            .map(e => e.href || e.src)
            .filter(address => new URL(address, location.href).origin !== location.origin)"""
    )
    external = [address for address in external if urlsplit(address).hostname != TILE_HOST]
    assert not external, f"{label}: loads from another host: {external}"


def test_anonymous_rsvp_goes_to_sign_in_and_comes_back_to_the_meeting(browsing, emailed_links):
    page = browsing.new_page()
    page.goto(f"/meetings/{emailed_links['meeting_id']}/rsvp")
    assert page.url.split("?")[0].endswith("/sign-in")
    assert f"/meetings/{emailed_links['meeting_id']}/rsvp" in page.get_by_role(
        "link", name="Create an account"
    ).last.get_attribute("href").replace("%2F", "/")


def test_search_with_no_results_says_so_and_offers_a_way_on(browsing, world):
    page = browsing.new_page()
    page.goto("/?place=Sheffield&day=mon&day=sun")
    main = page.locator("main").inner_text()
    assert "Tuesday Circle" not in main
    assert re.search(r"no groups|didn't find|did not find|nothing", main, re.IGNORECASE), main


def test_a_missing_page_answers_404_and_says_what_to_do(browsing, world):
    page = browsing.new_page()
    response = page.goto("/groups/no-such-group")
    assert response.status == 404
    assert page.get_by_role("link", name="Go to the home page").is_visible()


# Forms: errors a screen reader reads with the field, and a summary that takes focus ---------


def error_facts(page) -> dict:
    """For each invalid field: its aria-describedby, aria-invalid and error element ids."""
    return page.evaluate(
        """() => {
            const fields = [...document.querySelectorAll('main form input, main form select,'
                                                         + ' main form textarea')];
            const invalid = fields.filter(f => f.closest('.has-error'));
            const summary = document.querySelector('.error-summary');
            return {
                fields: invalid.map(f => ({
                    id: f.id,
                    describedby: (f.getAttribute('aria-describedby') || '').split(/\\s+/),
                    invalid: f.getAttribute('aria-invalid'),
                    errors: [...f.closest('.has-error').querySelectorAll('.error')]
                        .map(e => ({id: e.id, text: e.innerText})),
                })),
                summaryLinks: summary
                    ? [...summary.querySelectorAll('a')].map(a => a.getAttribute('href')) : null,
            };
        }"""
    )


def assert_errors_tied_to_fields(page, expected_fields: set[str]) -> None:
    facts = error_facts(page)
    invalid = {field["id"] for field in facts["fields"]}
    assert expected_fields <= invalid, f"expected errors on {expected_fields}, got {invalid}"
    for field in facts["fields"]:
        assert field["errors"], f"{field['id']} is marked invalid but shows no error"
        for error in field["errors"]:
            assert error["text"].strip(), f"{field['id']} has an empty error"
            assert error["id"] in field["describedby"], (
                f"{field['id']}: error #{error['id']} not in aria-describedby {field['describedby']}"
            )
        assert field["invalid"] == "true", f"{field['id']} lacks aria-invalid=true"
    assert facts["summaryLinks"] is not None, "no error summary"
    for field_id in expected_fields:
        assert f"#{field_id}" in facts["summaryLinks"], f"the summary does not link to #{field_id}"
    # The summary takes focus as the page loads (autofocus, applied just after the load).
    expect(page.locator(".error-summary")).to_be_focused()


def test_empty_sign_up_ties_each_error_to_its_field_and_lands_on_the_summary(browsing, world):
    page = browsing.new_page()
    page.goto("/sign-up")
    page.get_by_role("button", name="Create account").click()
    assert_errors_tied_to_fields(page, {"display_name", "email", "password"})
    page.check("sign up with every field empty")
    summary = page.locator(".error-summary")
    assert summary.get_by_role("heading").inner_text().strip()
    # Following a summary link puts the cursor in that field, ready to type.
    summary.locator("a[href='#email']").click()
    assert page.evaluate("() => document.activeElement.id") == "email"
    page.keyboard.type("someone@example.org")
    assert page.get_by_label("Email address").input_value() == "someone@example.org"


def test_sign_up_with_a_bad_address_and_short_password_says_what_to_fix(browsing, world):
    page = browsing.new_page(viewport=NARROW)
    page.goto("/sign-up")
    page.get_by_label("Your name as others will see it").fill("Sam")
    page.get_by_label("Email address").fill("not-an-address")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_role("button", name="Create account").click()
    assert_errors_tied_to_fields(page, {"email", "password"})
    assert "name@example.org" in page.locator("#email-error").inner_text()
    # What was typed is kept (not the password), so only the mistakes need fixing.
    assert page.get_by_label("Your name as others will see it").input_value() == "Sam"
    page.check("sign up with a bad address at 320px")


def test_wrong_password_on_sign_in_is_read_with_the_password_field(browsing, world):
    page = browsing.new_page(color_scheme="dark")
    page.goto("/sign-in")
    page.get_by_label("Email address").fill("member@example.org")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    assert_errors_tied_to_fields(page, {"password"})
    assert "don't match" in page.locator("#password-error").inner_text()
    assert page.get_by_label("Email address").input_value() == "member@example.org"
    page.check("sign in with a wrong password in dark mode")


def test_empty_sign_in_marks_both_fields(browsing, world):
    page = browsing.new_page()
    page.goto("/sign-in")
    page.get_by_role("button", name="Sign in").click()
    assert_errors_tied_to_fields(page, {"email", "password"})
    # The first Tab from the summary reaches its first link, which leads to the email field.
    page.keyboard.press("Tab")
    page.assert_focus_visible()
    assert page.evaluate("() => document.activeElement.getAttribute('href')") == "#email"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "email"
    page.check("sign in with both fields empty")
