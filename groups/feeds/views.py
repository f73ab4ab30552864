"""Calendar files and feeds, and the page where members manage their personal calendar address.

Every calendar carries its version (groups/feeds/versions.py) as ETag and Last-Modified, and is
kept in the process while the content generation holds (groups/content_cache/logic.py), so a
304 or a repeat download builds nothing. Public feeds may be cached by anyone for 15 minutes;
the personal feed and a discreet member's download are private and never stored by a client.
The personal feed also never touches the session, so it sets no cookie, and its path (which
holds the secret) is hidden from the request logs.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import quote, urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.http import http_date, is_resource_modified, quote_etag

from groups.content_cache.logic import content_cache, request_key
from groups.extensions import db
from groups.feeds.forms import CalendarAddressForm
from groups.feeds.ical import ICS_MIMETYPE, meeting_ics
from groups.feeds.log_redaction import install_log_redaction
from groups.feeds.meeting_guide import meeting_guide_entries
from groups.feeds.personal import personal_calendar, personal_version
from groups.feeds.public_feeds import (
    group_calendar,
    groups_calendar,
    organisation_calendar,
    public_group_by_slug,
    public_group_ids_of,
    public_organisation,
)
from groups.feeds.saved_search import saved_search
from groups.feeds.tokens import (
    active_feed_token,
    issue_feed_token,
    revoke_feed_tokens,
    user_for_feed_token,
)
from groups.feeds.versions import FeedVersion, groups_version
from groups.finder.logic import public_meeting, renamed_public_group_slug
from groups.models import utcnow
from groups.security import refuse_session_cookie

blueprint = Blueprint("feeds", __name__)
blueprint.record_once(lambda _state: install_log_redaction())

PUBLIC_CACHE = "public, max-age=900"
PRIVATE_CACHE = "private, no-store"


@dataclass(frozen=True)
class Calendar:
    """A calendar ready to send: its bytes, and the headers worked out once for every request
    that gets it (it may be kept and sent thousands of times)."""

    version: FeedVersion
    body: bytes
    filename: str
    private: bool = False

    @cached_property
    def quoted_etag(self) -> str:
        return quote_etag(self.version.etag)

    @cached_property
    def headers(self) -> list[tuple[str, str]]:
        """What a 304 carries: the ETag and how the calendar may be stored (RFC 9110 15.4.5:
        no other metadata, as there is an ETag)."""
        headers = [
            ("ETag", self.quoted_etag),
            ("Cache-Control", PRIVATE_CACHE if self.private else PUBLIC_CACHE),
        ]
        if self.private:
            headers.append(("X-Robots-Tag", "noindex"))
        return headers

    @cached_property
    def full_headers(self) -> list[tuple[str, str]]:
        return [
            *self.headers,
            ("Last-Modified", http_date(self.version.last_modified)),
            ("Content-Type", f"{ICS_MIMETYPE}; charset=utf-8"),
            ("Content-Disposition", f'attachment; filename="{self.filename}"'),
        ]


# What a feed view hands to kept_calendar: the version, how to build the bytes, the file name.
CalendarParts = tuple[FeedVersion, Callable[[], bytes], str]


def kept_calendar(
    parts: Callable[[], CalendarParts | None], *, private: bool = False, keep: bool = True
) -> Calendar | None:
    """The calendar for this request (None when ``parts`` finds nothing), kept while the content
    generation holds (groups/content_cache/logic.py). The bytes hold the site's address, so the
    key is the whole request URL. When the generation moved on but the calendar's own version
    did not, the bytes are reused rather than built again."""

    def build(stale: Calendar | None) -> Calendar | None:
        found = parts()
        if found is None:
            return None
        version, build_bytes, filename = found
        if stale is not None and stale.version.etag == version.etag:
            return Calendar(version, stale.body, filename, private)
        return Calendar(version, build_bytes(), filename, private)

    if not keep:
        return build(None)
    return content_cache().get_or_build(request_key("calendar"), build, size=_calendar_size)


def _calendar_size(calendar: Calendar) -> int:
    return len(calendar.body)


def calendar_response(calendar: Calendar) -> Response:
    """The calendar, or 304 Not Modified when the client's copy is current."""
    environ = request.environ
    # The common case first: a calendar app sending back the ETag it was given.
    current = environ.get("HTTP_IF_NONE_MATCH") == calendar.quoted_etag or not (
        is_resource_modified(
            environ, etag=calendar.version.etag, last_modified=calendar.version.last_modified
        )
    )
    if current:
        return CalendarResponse(status=304, headers=calendar.headers)
    return CalendarResponse(calendar.body, headers=calendar.full_headers)


class CalendarResponse(Response):
    # The headers say the type (a 304 carries none): no default to work out and then replace.
    default_mimetype = None


def _site_address() -> str:
    # Links in a feed use the request's host: part of what the bytes (and so the ETag) depend on.
    return request.host_url


@blueprint.route("/meetings/<int:meeting_id>.ics")
def meeting_download(meeting_id: int):
    discreet = bool(current_user.is_authenticated and current_user.discreet_calendar)

    def parts() -> CalendarParts | None:
        meeting = public_meeting(meeting_id)
        if meeting is None:
            return None
        version = groups_version(
            [meeting.group_id], "meeting", meeting.id, discreet, _site_address()
        )
        build = lambda: meeting_ics(meeting, discreet=discreet)  # noqa: E731
        return version, build, f"meeting-{meeting.id}.ics"

    # A discreet member's copy is theirs alone: never kept.
    calendar = kept_calendar(parts, private=discreet, keep=not discreet)
    if calendar is None:
        abort(404)
    return calendar_response(calendar)


@blueprint.route("/feeds/groups/<slug>.ics")
def group_feed(slug: str):
    def parts() -> CalendarParts | None:
        group = public_group_by_slug(slug)
        if group is None:
            return None
        version = groups_version([group.id], "group", _site_address())
        return version, lambda: group_calendar(group), f"{group.slug}.ics"

    calendar = kept_calendar(parts)
    if calendar is None:
        new_slug = renamed_public_group_slug(slug)
        if new_slug is None:
            abort(404)
        return redirect(url_for("feeds.group_feed", slug=new_slug), 301)
    return calendar_response(calendar)


@blueprint.route("/feeds/organisations/<slug>.ics")
def organisation_feed(slug: str):
    def parts() -> CalendarParts | None:
        organisation = public_organisation(slug)
        if organisation is None:
            return None
        group_ids = public_group_ids_of(organisation)
        version = groups_version(group_ids, "organisation", organisation.name, _site_address())
        return version, lambda: organisation_calendar(organisation), f"{organisation.slug}.ics"

    calendar = kept_calendar(parts)
    if calendar is None:
        abort(404)
    return calendar_response(calendar)


@blueprint.route("/feeds/search.ics")
def search_feed():
    def parts() -> CalendarParts | None:
        search = saved_search(request.args, utcnow())
        if search is None:
            return None
        version = groups_version(search.group_ids, "search", search.name, _site_address())
        description = "Groups found by a search on Circles."
        build = lambda: groups_calendar(search.name, description, search.group_ids)  # noqa: E731
        return version, build, "circles-search.ics"

    calendar = kept_calendar(parts)
    if calendar is None:
        abort(404, "This search is not complete: open it on the search page and try again.")
    return calendar_response(calendar)


@blueprint.route("/feeds/meeting-guide.json")
def meeting_guide():
    response = jsonify(meeting_guide_entries(utcnow().date()))
    response.headers["Cache-Control"] = PUBLIC_CACHE
    response.add_etag()
    return response.make_conditional(request)


@blueprint.route("/feeds/personal/<token>.ics")
def personal_feed(token: str):
    refuse_session_cookie()

    def parts() -> CalendarParts | None:
        user = user_for_feed_token(token)
        if user is None:
            return None
        build = lambda: personal_calendar(user)  # noqa: E731
        return personal_version(user, _site_address()), build, "my-meetings.ics"

    # Kept by its secret address, in this process's memory only: revoking the address or any
    # change to the member's meetings gives a new content generation, which ends the copy.
    calendar = kept_calendar(parts, private=True)
    if calendar is None:
        # A plain answer: the site's error page would load the session to show who is signed in.
        return Response("Not found\n", 404, content_type="text/plain; charset=utf-8")
    return calendar_response(calendar)


def personal_feed_url(token: str) -> str:
    return url_for("feeds.personal_feed", token=token, _external=True)


def _settings_page(feed_url: str | None = None, status: int = 200):
    response = Response(
        render_template(
            "feeds/calendar_settings.html",
            token=active_feed_token(current_user),
            feed_url=feed_url,
            form=CalendarAddressForm(),
        ),
        status,
    )
    response.headers["Cache-Control"] = PRIVATE_CACHE  # the page may show the secret address
    return response


@blueprint.route("/settings/calendar")
@login_required
def calendar_settings():
    return _settings_page()


@blueprint.route("/settings/calendar/new", methods=["POST"])
@login_required
def new_calendar_address():
    if not CalendarAddressForm().validate_on_submit():
        abort(400)
    token = issue_feed_token(current_user, now=utcnow())
    db.session.commit()
    # Shown on this response only: the address is not stored, so it can't be shown again later.
    return _settings_page(feed_url=personal_feed_url(token))


@blueprint.route("/settings/calendar/revoke", methods=["POST"])
@login_required
def revoke_calendar_address():
    if not CalendarAddressForm().validate_on_submit():
        abort(400)
    revoke_feed_tokens(current_user, now=utcnow())
    db.session.commit()
    flash("Your calendar address no longer works. Calendars that used it will stop updating.")
    return redirect(url_for("feeds.calendar_settings"))


@blueprint.app_template_filter("webcal")
def webcal_url(url: str) -> str:
    """The same address with the webcal:// scheme, which opens the device's calendar app."""
    parts = urlsplit(url)
    return "webcal://" + url[len(parts.scheme) + 3 :]


@blueprint.app_template_filter("query_value")
def query_value(value: str) -> str:
    """A value quoted whole for a query string (the URL of a feed inside another URL)."""
    return quote(value, safe="")
