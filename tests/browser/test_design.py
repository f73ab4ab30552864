"""The site-wide design, measured in Chromium: large text with generous line spacing, a dark mode
that follows the system setting, motion switched off for people who ask for less, a skip link and
focus that a keyboard user can always see, nothing fetched from another host, a distinct title on
every page, and no meaning carried by colour or an icon alone."""

import re

import pytest
import sqlalchemy as sa

from groups.extensions import db
from groups.schedules.models import Meeting, MeetingStatus
from tests.browser.conftest import TILE_HOST

MINIMUM_TEXT_PX = 18
MINIMUM_LINE_HEIGHT = 1.5  # times the font size
# One page of each kind a visitor can reach without signing in.
PUBLIC_PATHS = [
    "/",
    "/?place=Sheffield",
    "/groups/tuesday-circle",
    "/privacy",
    "/sign-in",
    "/sign-up",
    "/forgot-password",
]


def luminance(colour: str) -> float:
    """Relative luminance (WCAG) of a computed `rgb(...)` or `rgba(...)` colour."""
    red, green, blue = (int(part) for part in re.findall(r"[\d.]+", colour)[:3])

    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


@pytest.fixture
def cancelled_meeting(world, now):
    """The group's second upcoming meeting, cancelled with a reason."""
    meeting = db.session.scalars(
        sa.select(Meeting)
        .where(Meeting.group_id == world["group"].id, Meeting.starts_at > now)
        .order_by(Meeting.starts_at)
        .offset(1)
    ).first()
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancel_reason = "The room is being repainted"
    venue = world["venue"]
    venue.lift = True
    venue.hearing_loop = True
    venue.parking_distance_m = 50
    db.session.commit()
    return meeting


def test_body_text_is_at_least_18px_with_line_height_of_one_and_a_half(browsing, world):
    page = browsing.new_page()
    for path in ["/", "/groups/tuesday-circle", "/sign-up", "/privacy"]:
        page.goto(path)
        texts = page.evaluate(
            """() => [...document.querySelectorAll(
                    'body, main p, main li, main label, main input, main a, footer p')]
                .filter(e => e.offsetParent !== null || e === document.body)
                .filter(e => !e.closest('.visually-hidden'))
                .map(e => {
                    const s = getComputedStyle(e);
                    return {what: e.outerHTML.slice(0, 80), size: parseFloat(s.fontSize),
                            line: s.lineHeight === 'normal' ? null : parseFloat(s.lineHeight),
                            block: e.tagName === 'P' || e.tagName === 'BODY'};
                })"""
        )
        small = [t for t in texts if t["size"] < MINIMUM_TEXT_PX]
        assert not small, f"{path}: text under {MINIMUM_TEXT_PX}px: {small[:5]}"
        tight = [
            t
            for t in texts
            if t["block"] and (t["line"] is None or t["line"] / t["size"] < MINIMUM_LINE_HEIGHT)
        ]
        assert not tight, f"{path}: paragraphs spaced under {MINIMUM_LINE_HEIGHT}: {tight[:5]}"


def colours(page) -> dict:
    return page.evaluate(
        """() => {
            const of = selector => {
                const s = getComputedStyle(document.querySelector(selector));
                return {text: s.color, background: s.backgroundColor};
            };
            return {
                dark: matchMedia('(prefers-color-scheme: dark)').matches,
                body: of('body'), header: of('.site-header'), input: of('main input[type=email]'),
                link: getComputedStyle(document.querySelector('main a')).color,
            };
        }"""
    )


def test_dark_mode_follows_the_system_setting(browsing, world):
    light = browsing.new_page()
    light.goto("/sign-in")
    dark = browsing.new_page(color_scheme="dark")
    dark.goto("/sign-in")
    day, night = colours(light), colours(dark)
    assert not day["dark"] and night["dark"]
    for part in ("body", "header", "input"):
        assert luminance(day[part]["background"]) > 0.8, f"light {part}: {day[part]}"
        assert luminance(day[part]["text"]) < 0.1, f"light {part}: {day[part]}"
        assert luminance(night[part]["background"]) < 0.05, f"dark {part}: {night[part]}"
        assert luminance(night[part]["text"]) > 0.7, f"dark {part}: {night[part]}"
    # Links stay links: lighter than the page at night, darker by day.
    assert luminance(day["link"]) < 0.2 and luminance(night["link"]) > 0.4
    dark.check("sign in in dark mode")


def reduced_motion_rule_in_stylesheets(page) -> str | None:
    """The text of a `prefers-reduced-motion: reduce` rule in the served stylesheets (CSSOM)."""
    return page.evaluate(
        """() => {
            for (const sheet of document.styleSheets) {
                for (const rule of sheet.cssRules) {
                    if (rule.media && /prefers-reduced-motion:\\s*reduce/.test(rule.media.mediaText)
                        && /animation|transition/.test(rule.cssText)) return rule.cssText;
                }
            }
            return null;
        }"""
    )


def zoom_transition(page) -> str:
    """How long the map's zoom animation would take (Leaflet animates its panes while zooming)."""
    page.locator(".leaflet-container").wait_for()
    return page.evaluate(
        """() => {
            document.querySelector('.leaflet-container').classList.add('leaflet-zoom-anim');
            const pane = document.querySelector('.leaflet-zoom-animated');
            return getComputedStyle(pane).transitionDuration;
        }"""
    )


def test_motion_stops_when_the_system_asks_for_less(browsing, world):
    moving = browsing.new_page()
    moving.goto("/groups/tuesday-circle")
    assert zoom_transition(moving) != "0s", "the map no longer animates: pick another element"
    still = browsing.new_page(reduced_motion="reduce")
    still.goto("/groups/tuesday-circle")
    assert zoom_transition(still) == "0s"
    rule = reduced_motion_rule_in_stylesheets(still)
    assert rule and "transition: none" in rule and re.search(r"animation:[^;]*\bnone\b", rule), rule
    assert still.evaluate("() => getComputedStyle(document.documentElement).scrollBehavior") in (
        "auto",
        "",
    )


def test_skip_link_appears_on_the_first_tab_and_moves_focus_to_the_main_content(browsing, world):
    page = browsing.new_page()
    page.goto("/")
    hidden = page.locator(".skip-link").bounding_box()
    assert hidden["x"] + hidden["width"] <= 0, "the skip link shows before it has focus"
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.className")
    assert "skip-link" in focused
    page.assert_focus_visible()
    box = page.locator(".skip-link").bounding_box()
    viewport = page.viewport_size
    assert box["x"] >= 0 and box["y"] >= 0
    assert (
        box["x"] + box["width"] <= viewport["width"]
        and box["y"] + box["height"] <= viewport["height"]
    )
    assert box["height"] >= 44, "the skip link is too small to tap"
    page.check("skip link focused")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    # The next Tab goes on from the main content, not back to the header.
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('main')")


def test_focus_is_visible_at_every_tab_stop_on_the_home_page(browsing, world):
    page = browsing.new_page()
    page.goto("/?place=Sheffield")
    stops = []
    for _ in range(200):
        page.keyboard.press("Tab")
        stop = page.evaluate(
            "() => document.activeElement === document.body ? null"
            " : document.activeElement.tagName + '|' + document.activeElement.outerHTML.slice(0, 60)"
        )
        if stop is None or (stops and stop == stops[0]):
            break  # back to the start: every stop is done
        page.assert_focus_visible()
        stops.append(stop)
    kinds = {stop.split("|")[0] for stop in stops}
    assert {"A", "BUTTON", "INPUT"} <= kinds, f"Tab reached only {kinds}"
    assert len(stops) > 10


def test_nothing_comes_from_another_host(browsing, world):
    """Map tiles are the one exception: their server is set by MAP_TILE_URL (the harness
    answers them itself); fonts, scripts and styles are all the app's own."""
    page = browsing.new_page()
    for path in PUBLIC_PATHS:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        found = page.evaluate(
            """tileHost => {
                const away = address => new URL(address, location.href).origin !== location.origin;
                const isTile = address => new URL(address).hostname === tileHost;
                const elements = [...document.querySelectorAll(
                        'link[href]:not([rel~=alternate]):not([rel~=canonical]), script[src],'
                        + ' img[src], iframe[src], source[src], video[src], audio[src]')]
                    .map(e => e.href || e.src).filter(away).filter(address => !isTile(address));
                const inStyles = [];
                for (const sheet of document.styleSheets) {
                    for (const rule of sheet.cssRules) {
                        for (const match of rule.cssText.matchAll(/url\\("?([^")]+)"?\\)/g)) {
                            if (!match[1].startsWith('data:') && away(match[1])) inStyles.push(match[1]);
                        }
                        if (rule.href && away(rule.href)) inStyles.push(rule.href);  // @import
                    }
                }
                const loaded = performance.getEntriesByType('resource').map(e => e.name)
                    .filter(name => away(name) && !isTile(name));
                return {elements, inStyles, loaded};
            }""",
            TILE_HOST,
        )
        assert found == {"elements": [], "inStyles": [], "loaded": []}, f"{path}: {found}"


def test_every_public_page_has_its_own_meaningful_title(browsing, world):
    page = browsing.new_page()
    titles = {}
    for path in PUBLIC_PATHS + ["/no-such-page", "/reset-password/not-a-token"]:
        page.goto(path)
        titles[path] = page.title()
    for path, title in titles.items():
        name = title.removesuffix(" · Circles").strip()
        assert title.endswith(" · Circles") and len(name) >= 4 and name != "Circles", (path, title)
    assert len(set(titles.values())) == len(titles), f"titles repeat: {titles}"


def test_access_features_and_cancellations_are_said_in_words(browsing, cancelled_meeting, now):
    page = browsing.new_page()
    page.goto("/groups/tuesday-circle")
    items = page.evaluate(
        """() => [...document.querySelectorAll('.access-list li')].map(li => {
            const icon = li.querySelector('.access-icon');
            return {text: li.innerText.replace(icon ? icon.innerText : '', '').trim(),
                    iconHidden: !icon || icon.getAttribute('aria-hidden') === 'true'};
        })"""
    )
    words = [item["text"] for item in items]
    assert {"Step-free entrance", "Lift", "Hearing loop"} <= set(words), words
    assert any(word.startswith("Parking") and "50 m" in word for word in words), words
    assert all(item["iconHidden"] for item in items), items
    # A cancelled meeting says so in words (its dashed border is not the only sign).
    cancelled = page.locator(f"#meeting-{cancelled_meeting.id}")
    assert "Cancelled" in cancelled.inner_text()
    assert "The room is being repainted" in cancelled.inner_text()
    page.check("group page with access features and a cancelled meeting")


def test_a_search_result_names_its_access_features_in_words(browsing, world):
    page = browsing.new_page()
    page.goto("/?place=Sheffield&access=step_free_entrance")
    result = page.locator("main").get_by_text("Tuesday Circle").first
    assert result.is_visible()
    assert "Step-free entrance" in page.locator("main").inner_text()
