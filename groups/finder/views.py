from flask import Blueprint, abort, redirect, render_template, url_for

from groups.finder.logic import listed_groups_with_next_meeting, public_group, upcoming_meetings
from groups.models import utcnow
from groups.support_groups.logic import group_for_old_slug

blueprint = Blueprint("finder", __name__)


@blueprint.route("/")
def home():
    return render_template("finder/home.html", listings=listed_groups_with_next_meeting(utcnow()))


@blueprint.route("/groups/<slug>")
def group_page(slug: str):
    group = public_group(slug)
    if group is None:
        renamed = group_for_old_slug(slug)
        if renamed is not None and public_group(renamed.slug) is not None:
            return redirect(url_for("finder.group_page", slug=renamed.slug), 301)
        abort(404)
    return render_template(
        "finder/group.html", group=group, meetings=upcoming_meetings(group, utcnow())
    )
