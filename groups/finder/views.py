from flask import Blueprint, abort, render_template

from groups.finder.logic import listed_groups_with_next_meeting, public_group, upcoming_meetings
from groups.models import utcnow

blueprint = Blueprint("finder", __name__)


@blueprint.route("/")
def home():
    return render_template("finder/home.html", listings=listed_groups_with_next_meeting(utcnow()))


@blueprint.route("/groups/<slug>")
def group_page(slug: str):
    group = public_group(slug)
    if group is None:
        abort(404)
    return render_template(
        "finder/group.html", group=group, meetings=upcoming_meetings(group, utcnow())
    )
