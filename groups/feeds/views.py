"""Calendar files and feeds, and the page where members manage their personal calendar address.

Every calendar answers 304 from its version (groups/feeds/versions.py) before anything is built.
Public feeds may be cached by anyone for 15 minutes; the personal feed and a discreet member's
download are private and never stored. The personal feed also never touches the session, so it
sets no cookie, and its path (which holds the secret) is hidden from the request logs.
"""

from collections import OrderedDict
from collections.abc import Callable
from threading import Lock
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
from werkzeug.http import is_resource_modified

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
# Public calendars by their ETag: the ETag is a hash of everything the bytes are made of, so a
# stored copy is right for as long as the ETag is the same, and building one again is the
# costly part of a feed request. Bounded, per process; private calendars are never stored.
PUBLIC_CALENDARS: "OrderedDict[str, bytes]" = OrderedDict()
PUBLIC_CALENDARS_KEPT = 512
_public_calendars_lock = Lock()
PRIVATE_CACHE = "private, no-store"


def calendar_response(
    version: FeedVersion, build: Callable[[], bytes], *, filename: str, private: bool = False
) -> Response:
    """The calendar, or 304 Not Modified without building it when the client's copy is current."""
    environ = request.environ
    if is_resource_modified(environ, etag=version.etag, last_modified=version.last_modified):
        body = build() if private else _public_calendar(version.etag, build)
        response = Response(body, content_type=f"{ICS_MIMETYPE}; charset=utf-8")
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        response = Response(status=304)
    response.set_etag(version.etag)
    response.last_modified = version.last_modified
    response.headers["Cache-Control"] = PRIVATE_CACHE if private else PUBLIC_CACHE
    if private:
        response.headers["X-Robots-Tag"] = "noindex"
    return response


def _public_calendar(etag: str, build: Callable[[], bytes]) -> bytes:
    with _public_calendars_lock:
        body = PUBLIC_CALENDARS.get(etag)
        if body is not None:
            PUBLIC_CALENDARS.move_to_end(etag)
            return body
    body = build()
    with _public_calendars_lock:
        PUBLIC_CALENDARS[etag] = body
        if len(PUBLIC_CALENDARS) > PUBLIC_CALENDARS_KEPT:
            PUBLIC_CALENDARS.popitem(last=False)
    return body


def _site_address() -> str:
    # Links in a feed use the request's host: part of what the bytes (and so the ETag) depend on.
    return request.host_url


@blueprint.route("/meetings/<int:meeting_id>.ics")
def meeting_download(meeting_id: int):
    meeting = public_meeting(meeting_id)
    if meeting is None:
        abort(404)
    discreet = bool(current_user.is_authenticated and current_user.discreet_calendar)
    version = groups_version([meeting.group_id], "meeting", meeting.id, discreet, _site_address())
    return calendar_response(
        version,
        lambda: meeting_ics(meeting, discreet=discreet),
        filename=f"meeting-{meeting.id}.ics",
        private=discreet,
    )


@blueprint.route("/feeds/groups/<slug>.ics")
def group_feed(slug: str):
    group = public_group_by_slug(slug)
    if group is None:
        new_slug = renamed_public_group_slug(slug)
        if new_slug is None:
            abort(404)
        return redirect(url_for("feeds.group_feed", slug=new_slug), 301)
    version = groups_version([group.id], "group", _site_address())
    return calendar_response(version, lambda: group_calendar(group), filename=f"{group.slug}.ics")


@blueprint.route("/feeds/organisations/<slug>.ics")
def organisation_feed(slug: str):
    organisation = public_organisation(slug)
    if organisation is None:
        abort(404)
    group_ids = public_group_ids_of(organisation)
    version = groups_version(group_ids, "organisation", organisation.name, _site_address())
    return calendar_response(
        version, lambda: organisation_calendar(organisation), filename=f"{organisation.slug}.ics"
    )


@blueprint.route("/feeds/search.ics")
def search_feed():
    search = saved_search(request.args, utcnow())
    if search is None:
        abort(404, "This search is not complete: open it on the search page and try again.")
    version = groups_version(search.group_ids, "search", search.name, _site_address())
    return calendar_response(
        version,
        lambda: groups_calendar(
            search.name, "Groups found by a search on Circles.", search.group_ids
        ),
        filename="circles-search.ics",
    )


@blueprint.route("/feeds/meeting-guide.json")
def meeting_guide():
    response = jsonify(meeting_guide_entries(utcnow().date()))
    response.headers["Cache-Control"] = PUBLIC_CACHE
    response.add_etag()
    return response.make_conditional(request)


@blueprint.route("/feeds/personal/<token>.ics")
def personal_feed(token: str):
    refuse_session_cookie()
    user = user_for_feed_token(token)
    if user is None:
        # A plain answer: the site's error page would load the session to show who is signed in.
        return Response("Not found\n", 404, content_type="text/plain; charset=utf-8")
    return calendar_response(
        personal_version(user, _site_address()),
        lambda: personal_calendar(user),
        filename="my-meetings.ics",
        private=True,
    )


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
