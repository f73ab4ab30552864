"""Venues: an organisation's list of places, adding and editing one (with a map when JavaScript
runs), archiving, and a time zone suggestion for the map. For the organisation's admins and staff
(groups.organisations.access.require_organisation)."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from groups.extensions import db
from groups.models import utcnow
from groups.organisations.access import require_organisation
from groups.organisations.models import Organisation, Venue
from groups.venues import logic
from groups.venues.forms import ACCESSIBILITY_FEATURES, ButtonForm, VenueForm, parse_number
from groups.venues.timezones import country_names, timezone_for

blueprint = Blueprint("venues", __name__, url_prefix="/manage")


def _user():
    return current_user._get_current_object()


def _venue_or_404(organisation: Organisation, venue_id: int) -> Venue:
    venue = logic.venue_of(organisation, venue_id)
    if venue is None:
        abort(404)
    return venue


def _form_page(organisation: Organisation, form: VenueForm, venue: Venue | None = None):
    return render_template(
        "venues/venue_form.html",
        organisation=organisation,
        form=form,
        venue=venue,
        features=ACCESSIBILITY_FEATURES,
        tile_url=current_app.config["MAP_TILE_URL"],
    ), 400 if form.errors else 200


def _saved_message(venue: Venue, location: logic.Location, verb: str) -> str:
    message = f"{venue.name} is {verb}. Its time zone is {venue.timezone.replace('_', ' ')}."
    if location.from_town:
        message += (
            f" We put it at the centre of {venue.town}: edit the venue to place it exactly, "
            "so people searching nearby see the right distance."
        )
    return message


@blueprint.get("/<slug>/venues", endpoint="list")
@login_required
def venue_list(slug: str):
    organisation = require_organisation(slug)
    return render_template(
        "venues/list.html",
        organisation=organisation,
        venues=logic.venues_of(organisation),
        countries=country_names(),
        button_form=ButtonForm(),
    )


@blueprint.route("/<slug>/venues/new", methods=["GET", "POST"])
@login_required
def create(slug: str):
    organisation = require_organisation(slug)
    form = VenueForm()
    if form.validate_on_submit():
        try:
            venue, location = logic.create_venue(organisation, _user(), **form.fields())
        except logic.VenueError as error:
            form[error.field].errors.append(str(error))
        else:
            db.session.commit()
            flash(_saved_message(venue, location, "added"))
            return redirect(url_for("venues.list", slug=organisation.slug))
    return _form_page(organisation, form)


@blueprint.route("/<slug>/venues/<int:venue_id>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str, venue_id: int):
    organisation = require_organisation(slug)
    venue = _venue_or_404(organisation, venue_id)
    form = VenueForm.for_venue(venue)
    if form.validate_on_submit():
        try:
            location = logic.update_venue(venue, _user(), **form.fields())
        except logic.VenueError as error:
            form[error.field].errors.append(str(error))
        else:
            db.session.commit()
            flash(_saved_message(venue, location, "saved"))
            return redirect(url_for("venues.list", slug=organisation.slug))
    return _form_page(organisation, form, venue)


def _archive_action(slug: str, venue_id: int, change, done: str):
    organisation = require_organisation(slug)
    venue = _venue_or_404(organisation, venue_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    change(venue)
    db.session.commit()
    flash(done.format(name=venue.name))
    return redirect(url_for("venues.list", slug=organisation.slug))


@blueprint.post("/<slug>/venues/<int:venue_id>/archive")
@login_required
def archive(slug: str, venue_id: int):
    return _archive_action(
        slug,
        venue_id,
        lambda venue: logic.archive_venue(venue, _user(), utcnow()),
        "{name} is archived: it is no longer offered for new groups and meetings. "
        "Meetings already planned there still take place there.",
    )


@blueprint.post("/<slug>/venues/<int:venue_id>/restore")
@login_required
def restore(slug: str, venue_id: int):
    return _archive_action(
        slug,
        venue_id,
        lambda venue: logic.restore_venue(venue, _user()),
        "{name} is back in use: you can choose it for groups and meetings again.",
    )


@blueprint.get("/<slug>/venues/timezone")
@login_required
def suggest_timezone(slug: str):
    """{"timezone": "Europe/London"} for ?latitude=..&longitude=.. (the map calls this)."""
    require_organisation(slug)
    coordinates = {}
    for name, limit in (("latitude", 90), ("longitude", 180)):
        try:
            value = parse_number(request.args.get(name))
        except ValueError:
            value = None
        if value is None or not -limit <= value <= limit:
            message = f"Give the {name} as a number between -{limit} and {limit}."
            return jsonify(message=message, field=name), 400
        coordinates[name] = value
    return jsonify(
        timezone=timezone_for(coordinates["latitude"], coordinates["longitude"], None, None)
    )
