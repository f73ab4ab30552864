from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from groups.content_cache.logic import content_cache, is_shared_view, request_key
from groups.finder.forms import FILTER_FIELDS, MAX_RADIUS, SearchForm
from groups.finder.logic import (
    listed_groups_with_next_meeting,
    public_group,
    renamed_public_group_slug,
    upcoming_meetings,
)
from groups.finder.places import Place, PlaceMatch, find_place, suggest_places
from groups.finder.search import default_unit, search_groups
from groups.finder.structured_data import meeting_events
from groups.models import utcnow
from groups.organisations.models import Group
from groups.rsvps.forms import ConfirmForm
from groups.rsvps.logic import answers_for, members_rsvps, spaces_left, waitlist_places

blueprint = Blueprint("finder", __name__)


WIDER_RADII = (5, 10, 20, MAX_RADIUS)


def _search_link(drop=(), **changes) -> str:
    """This search's own link with some parameters changed or dropped (a shareable URL)."""
    args = request.args.copy()
    for name in drop:
        args.poplist(name)
    for name, value in changes.items():
        args.setlist(name, [value])
    return url_for("finder.home", **args.to_dict(flat=False))


def _home_page(form: SearchForm, status: int = 200, **context):
    radius = form.radius.data if isinstance(form.radius.data, int) else None
    wider = next((size for size in WIDER_RADII if radius and size > radius), None)
    return render_template(
        "finder/home.html",
        form=form,
        filter_fields=FILTER_FIELDS,
        search_link=_search_link,
        wider_radius=wider,
        tile_url=current_app.config["MAP_TILE_URL"],
        **context,
    ), status


@blueprint.route("/")
def home():
    """Where are you? Without a place, every group; with one, the groups near it. A page found
    for a visitor who is not signed in is kept for the next one (groups/content_cache/logic.py)."""
    unit = default_unit(next(iter(request.accept_languages.values()), None)).value
    if not is_shared_view():
        return _search_page(unit)
    key = request_key("search page", unit)
    return content_cache().get_or_build(
        key,
        lambda _stale: _search_page(unit),
        size=lambda page: len(page[0]),
        keep=lambda page: page[1] == 200,
    )


def _search_page(unit: str):
    form = SearchForm(request.args, unit=unit)
    if not any(field.name in request.args for field in form):
        return _home_page(form, listings=listed_groups_with_next_meeting(utcnow()))
    if not form.validate():
        return _home_page(form, 400)
    if form.place.data:  # a typed town wins over an earlier "Use my location"
        match = find_place(form.place.data)
        if match.place is None:
            if match.is_unknown:
                form.place.errors.append(
                    f"We don't know a place called “{form.place.data}”. Check the spelling, "
                    "or try a nearby town."
                )
                return _home_page(form, 400)
            return _home_page(form, place_choices=match.others)
        centre = (match.place.latitude, match.place.longitude)
    elif form.coordinates:
        match, centre = PlaceMatch(None, []), form.coordinates
    else:
        form.place.errors.append("Type the name of your town, or use your location.")
        return _home_page(form, 400)
    outcome = search_groups(form.criteria(*centre), utcnow())
    return _home_page(
        form, outcome=outcome, place=match.place, other_places=match.others, centre=centre
    )


def _suggestion(place: Place) -> dict:
    return {"label": place.label, "latitude": place.latitude, "longitude": place.longitude}


@blueprint.get("/places/suggest")
def place_suggestions():
    """Up to 8 places whose name starts with ``q``, for the town box's type-ahead."""
    places = suggest_places(request.args.get("q", "")[:120])
    response = jsonify([_suggestion(place) for place in places])
    response.cache_control.public = True
    response.cache_control.max_age = 86400  # the gazetteer changes with a release, not daily
    return response


@blueprint.route("/groups/<slug>")
def group_page(slug: str):
    """The group, its next meetings and how many are going. The page a visitor who is not
    signed in sees is the same for all of them, so it is kept (groups/content_cache/logic.py)."""
    if is_shared_view():
        key = request_key("group page")
        page = content_cache().get_or_build(key, lambda _stale: _group_page(public_group(slug)))
    else:
        page = _group_page(public_group(slug))
    if page is None:
        new_slug = renamed_public_group_slug(slug)
        if new_slug is None:
            abort(404)
        return redirect(url_for("finder.group_page", slug=new_slug), 301)
    return page


def _group_page(group: Group | None) -> str | None:
    if group is None:
        return None
    now = utcnow()
    meetings = upcoming_meetings(group, now)
    meeting_ids = [meeting.id for meeting in meetings]
    answers = answers_for(meeting_ids)
    spaces = {meeting.id: spaces_left(meeting, answers.get(meeting.id)) for meeting in meetings}
    mine = members_rsvps(current_user, meeting_ids)
    return render_template(
        "finder/group.html", group=group, meetings=meetings, answers=answers, spaces=spaces,
        mine=mine, places=waitlist_places(list(mine.values())), now=now,
        # Only a member gets forms: a visitor's page then sets no cookie and can be shared.
        form=ConfirmForm() if current_user.is_authenticated else None,
        events=meeting_events(group, meetings, spaces),
        tile_url=current_app.config["MAP_TILE_URL"],
    )  # fmt: skip
