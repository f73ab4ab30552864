"""What the benchmark measures: one Target per row of the table, built from the seed manifest.

Each target is a request (or, for RSVP, a POST and its cancel in turn) with the cookies and
headers it needs, got from the running server the way a person would get them: signing in
through the form, reading the CSRF token from the page, the ETag from a first response.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa

from bench.browser import BenchError, Browser
from bench.report import MAX_QUERIES

Request = tuple[str, str, dict | None]  # method, path, form fields


@dataclass
class Target:
    name: str
    requests: list[Request]
    browser: Browser
    accepted: tuple[int, ...] = (200,)
    headers: dict = field(default_factory=dict)
    query_limit: int | None = MAX_QUERIES
    # The RSVP POST and cancel alternate: one connection, so they can't overtake each other.
    sequential: bool = False
    queries: int | None = None  # set when the target was checked as it was built
    after: Callable[[], None] | None = None  # puts the data back after the load


def _signed_in(port: int, account: dict) -> Browser:
    browser = Browser(port)
    browser.sign_in(account["email"], account["password"])
    return browser


def _with_cookies(browser: Browser) -> dict:
    return {"Cookie": browser.cookie_header()} if browser.cookies else {}


def _feed_validators(port: int, path: str) -> dict:
    """The conditional headers a calendar app sends back: from a first, full response."""
    answer = Browser(port).request("GET", path)
    if answer.status != 200:
        raise BenchError(f"GET {path} answered {answer.status}.")
    headers = {}
    if answer.headers.get("ETag"):
        headers["If-None-Match"] = answer.headers["ETag"]
    if answer.headers.get("Last-Modified"):
        headers["If-Modified-Since"] = answer.headers["Last-Modified"]
    if not headers:
        raise BenchError(f"GET {path} gave neither an ETag nor a Last-Modified header.")
    return headers


def target_makers(manifest: dict, port: int, database_url: str) -> list[Callable[[], Target]]:
    """Every target, bare route first, as a function that builds it just before its load:
    signing in, reading the feed's validators (which the RSVP pair changes) and checking the
    RSVP pair then, so nothing goes stale in between."""
    anonymous = Browser(port)
    group_feed = f"/feeds/groups/{manifest['feed_group_slug']}.ics"
    personal_feed = f"/feeds/personal/{manifest['personal_feed_token']}.ics"
    roster = f"/manage/meetings/{manifest['roster_meeting_id']}/attendance"

    def get(name: str, path: str) -> Callable[[], Target]:
        return lambda: Target(name, [("GET", path, None)], anonymous)

    def get_signed_in(name: str, path: str) -> Callable[[], Target]:
        """The same page for a signed-in member: built for them on every request (only what
        every visitor sees is kept), so this row shows what a page costs to build."""

        def make() -> Target:
            member = _signed_in(port, manifest["rsvp_member"])
            return Target(name, [("GET", path, None)], member, headers=_with_cookies(member))

        return make

    def feed_not_modified() -> Target:
        headers = _feed_validators(port, group_feed)
        return Target("feed 304", [("GET", group_feed, None)], anonymous, (304,), headers)

    def facilitator_roster() -> Target:
        facilitator = _signed_in(port, manifest["facilitator"])
        return Target(
            "roster", [("GET", roster, None)], facilitator, headers=_with_cookies(facilitator)
        )

    search = f"/?{manifest['search']['query']}"
    group_page = f"/groups/{manifest['group_slug']}"
    return [
        get("bare", "/bench/bare"),
        get("search", search),
        get("group page", group_page),
        get_signed_in("search, signed in", search),
        get_signed_in("group page, signed in", group_page),
        get("group feed", group_feed),
        get("personal feed", personal_feed),
        feed_not_modified,
        facilitator_roster,
        lambda: rsvp_target(manifest, port, database_url),
    ]


# --- RSVP and cancel ---------------------------------------------------------------------------


def rsvp_state(database_url: str, email: str, meeting_id: int) -> tuple[int, str] | None:
    """The member's RSVP for the meeting, (id, status), straight from the database: the pages
    show it only among others."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            row = connection.execute(
                sa.text(
                    'SELECT rsvp.id, rsvp.status FROM rsvp JOIN "user" ON "user".id = rsvp.user_id '
                    'WHERE "user".email = :email AND rsvp.meeting_id = :meeting_id'
                ),
                {"email": email, "meeting_id": meeting_id},
            ).first()
    finally:
        engine.dispose()
    return (row[0], str(row[1]).lower()) if row else None


def _post(browser: Browser, path: str, form: dict) -> int | None:
    """POST the form; it must answer with a redirect. Returns the SQL statements it ran."""
    answer = browser.request("POST", path, form=form)
    if answer.status not in (302, 303):
        raise BenchError(f"RSVP POST + cancel: POST {path} answered {answer.status}.")
    return answer.sql_queries


def rsvp_target(manifest: dict, port: int, database_url: str) -> Target:
    """Say "going", then cancel, once with Python (checking both answer with a redirect and
    counting their queries); the load then repeats the pair. Leaves the RSVP cancelled."""
    member = manifest["rsvp_member"]
    meeting_id = manifest["rsvp_meeting_id"]
    browser = _signed_in(port, member)
    rsvp_path = f"/meetings/{meeting_id}/rsvp"
    page = browser.request("GET", rsvp_path)
    if page.status != 200:
        raise BenchError(f"GET {rsvp_path} answered {page.status}.")
    token = page.csrf_token()
    going = {"csrf_token": token, "companions": "0"}
    confirm = {"csrf_token": token}
    existing = rsvp_state(database_url, member["email"], meeting_id)
    if existing and existing[1] != "cancelled":
        _post(browser, f"/rsvps/{existing[0]}/cancel", confirm)
    post_queries = _post(browser, rsvp_path, going)
    state = rsvp_state(database_url, member["email"], meeting_id)
    if state is None:
        raise BenchError("RSVP POST + cancel: the RSVP was not recorded.")
    cancel_path = f"/rsvps/{state[0]}/cancel"
    cancel_queries = _post(browser, cancel_path, confirm)
    counts = [count for count in (post_queries, cancel_queries) if count is not None]
    return Target(
        "RSVP POST + cancel",
        [("POST", rsvp_path, going), ("POST", cancel_path, confirm)],
        browser,
        accepted=(302, 303),
        headers=_with_cookies(browser),
        query_limit=None,  # not a page: reported, not held to the page limit
        sequential=True,
        queries=max(counts) if counts else None,
        after=lambda: leave_cancelled(browser, database_url, member["email"], meeting_id, confirm),
    )


def leave_cancelled(
    browser: Browser, database_url: str, email: str, meeting_id: int, confirm: dict
) -> None:
    """After the load (a thread stopped between the pair leaves the member going), cancel."""
    state = rsvp_state(database_url, email, meeting_id)
    if state and state[1] != "cancelled":
        _post(browser, f"/rsvps/{state[0]}/cancel", confirm)
