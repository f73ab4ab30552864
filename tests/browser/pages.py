"""What every page a browser test visits must pass, and the artefacts it leaves behind.

`PageChecker.check(label)` keeps a full-page screenshot and axe-core's report as JSON under
test-artifacts/browser/<test>/, then fails on any serious or critical axe violation (WCAG 2.2 A
and AA rules), on a missing `lang`, skip link or meaningful title, and on horizontal scrolling.
"""

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

from tests.support import PASSWORD

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
MINIMUM_TARGET = 44  # CSS px, each way


class PageChecker:
    """A Playwright page plus the checks; anything not defined here is the page's own."""

    def __init__(self, page, artefacts: Path):
        self.page = page
        self.artefacts = artefacts
        self.visited = 0

    def __getattr__(self, name):
        return getattr(self.page, name)

    def sign_in(self, user, next_path: str) -> None:
        """Sign in through the sign-in page (checked like any other), landing on next_path."""
        self.page.goto(f"/sign-in?next={next_path}")
        self.check("sign in")
        self.page.get_by_label("Email").fill(user.email)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(lambda url: urlsplit(url).path == next_path)

    def check(self, label: str) -> dict:
        """Screenshot, axe report and the page-level rules for the page as it is now."""
        self.visited += 1
        stem = f"{self.visited:02d}-{re.sub(r'[^a-z0-9]+', '-', label.lower()).strip('-')}"
        # A full-page screenshot leaves Chromium reporting another scroll position, which it
        # corrects between the next click's mouse down and up, losing that click: scroll back.
        scrolled = self.page.evaluate("() => [scrollX, scrollY]")
        self.page.screenshot(path=str(self.artefacts / f"{stem}.png"), full_page=True)
        self.page.evaluate("([x, y]) => window.scrollTo(x, y)", scrolled)
        report = self.axe()
        (self.artefacts / f"{stem}.axe.json").write_text(json.dumps(report, indent=2))
        blocking = [v for v in report["violations"] if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"{label} ({self.page.url}): " + describe_violations(blocking)
        self.assert_page_basics(label)
        self.assert_no_horizontal_scroll(label)
        return report

    def axe(self) -> dict:
        """axe-core's report for the page. Evaluated through the DevTools protocol, so the app's
        Content-Security-Policy stays on and is tested too."""
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            self.page.evaluate(AXE_SOURCE)
        return self.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
            " resultTypes: ['violations']})",
            WCAG_TAGS,
        )

    def assert_page_basics(self, label: str) -> None:
        facts = self.page.evaluate(
            """() => {
                const first = document.querySelector('body a, body button, body input');
                return {
                    lang: document.documentElement.lang,
                    title: document.title,
                    h1: document.querySelectorAll('h1').length,
                    skip: first && first.classList.contains('skip-link')
                          ? first.getAttribute('href') : null,
                    main: !!document.querySelector('main#main'),
                };
            }"""
        )
        assert facts["lang"], f"{label}: <html> has no lang"
        title_text = facts["title"].removesuffix(" · Circles").strip()
        assert title_text and title_text != "Circles", (
            f"{label}: title {facts['title']!r} says nothing"
        )
        assert facts["h1"] == 1, f"{label}: {facts['h1']} <h1> elements"
        assert facts["skip"] == "#main" and facts["main"], f"{label}: no skip link to #main first"

    def assert_no_horizontal_scroll(self, label: str) -> None:
        widths = self.page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], f"{label}: scrolls sideways ({widths[0]} > {widths[1]} px)"

    def assert_tap_targets(self, selector: str, minimum: int = MINIMUM_TARGET) -> int:
        """Every visible element matching `selector` is at least `minimum` CSS px each way."""
        boxes = self.page.evaluate(
            """selector => [...document.querySelectorAll(selector)]
                .filter(e => e.offsetParent !== null)
                .map(e => {
                    const r = e.getBoundingClientRect();
                    return {what: e.outerHTML.slice(0, 120), width: r.width, height: r.height};
                })""",
            selector,
        )
        assert boxes, f"nothing on the page matches {selector!r}"
        small = [b for b in boxes if b["width"] < minimum or b["height"] < minimum]
        assert not small, f"tap targets under {minimum}px: {small}"
        return len(boxes)

    def assert_focus_visible(self) -> None:
        """The focused element draws an outline or a ring, so a keyboard user can see it."""
        style = self.page.evaluate(
            """() => {
                const e = document.activeElement;
                if (!e || e === document.body) return null;
                const s = getComputedStyle(e);
                return {tag: e.tagName, outline: s.outlineStyle, width: s.outlineWidth,
                        shadow: s.boxShadow};
            }"""
        )
        assert style is not None, "nothing has focus"
        outlined = style["outline"] != "none" and style["width"] not in ("0px", "")
        assert outlined or style["shadow"] != "none", f"focus is invisible on {style}"

    def tab_to(self, name: str, limit: int = 80) -> None:
        """Press Tab until the focused element's accessible text contains `name` (keyboard only),
        checking focus is visible at every stop."""
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            text = self.page.evaluate(
                """() => {
                    const e = document.activeElement;
                    if (!e || e === document.body) return '';
                    const label = e.labels && e.labels[0] ? e.labels[0].innerText : '';
                    // Line breaks folded: a visually hidden part of a link is a line of its own.
                    return [e.getAttribute('aria-label') || '', label, e.innerText || '',
                            e.value || ''].join(' ').replace(/\\s+/g, ' ');
                }"""
            )
            if text and text.strip():
                self.assert_focus_visible()
            if name.lower() in (text or "").lower():
                return
        raise AssertionError(f"Tab never reached {name!r} on {self.page.url}")


def describe_violations(violations: list) -> str:
    lines = []
    for violation in violations:
        targets = "; ".join(", ".join(node["target"]) for node in violation["nodes"][:5])
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']} at {targets}")
    return "\n".join(lines)
