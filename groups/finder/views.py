from flask import Blueprint, render_template

from groups.finder.logic import listed_groups_with_next_meeting
from groups.models import utcnow

blueprint = Blueprint("finder", __name__)


@blueprint.route("/")
def home():
    return render_template("finder/home.html", listings=listed_groups_with_next_meeting(utcnow()))
