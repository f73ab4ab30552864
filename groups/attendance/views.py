"""Taking attendance at the door: the facilitator's home, a meeting's roster, and members'
choice to be counted anonymously at a group."""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from groups.attendance.consent import (
    group_for_member,
    is_counted_anonymously,
    set_anonymous_counting,
)
from groups.attendance.facilitator_home import facilitator_home, is_on_now
from groups.attendance.forms import CountingForm, RosterForm, marks_from
from groups.attendance.roster import (
    RosterError,
    RosterSaved,
    correction_closes_at,
    recording_problem,
    roster_for,
    save_roster,
)
from groups.attendance.walk_ins import walk_in_candidates
from groups.extensions import db
from groups.models import utcnow
from groups.organisations.access import require_meeting
from groups.schedules.display import in_zone
from groups.schedules.models import Meeting

blueprint = Blueprint("attendance", __name__)

SAVED_AT_THE_SAME_TIME = (
    "Someone else saved this roster at the same moment, so yours was not saved. "
    "Reload the page to see their marks, then save again."
)


@blueprint.get("/facilitate/")
@login_required
def facilitator_home_page():
    now = utcnow()
    return render_template(
        "attendance/facilitate.html", home=facilitator_home(current_user, now), now=now
    )


def _wants_json() -> bool:
    """roster.js asks for JSON; a plain form post gets a page."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _added_ids(values) -> set[int]:
    return {int(value) for value in values if value.isdigit() and len(value) < 12}


def _render_roster(meeting: Meeting, form=None, problem=None, chosen=None, status=200):
    """The roster page; after a failed save, with what was sent (no mark is lost)."""
    chosen = chosen or {}
    added = _added_ids(request.args.getlist("add")) | _added_ids(chosen)
    roster = roster_for(meeting, added)
    if form is None:
        form = RosterForm(data={"walk_ins": roster.walk_ins, "note": roster.note})
    search = request.args.get("q", "").strip()[:80]
    now = utcnow()
    return render_template(
        "attendance/roster.html", meeting=meeting, form=form, problem=problem, chosen=chosen,
        roster=roster, closed=recording_problem(meeting, now),
        closes_at=correction_closes_at(meeting), search=search, added=sorted(added),
        candidates=walk_in_candidates(meeting, search), on_now=is_on_now(meeting, now),
    ), status  # fmt: skip


def _saved_message(meeting: Meeting, saved: RosterSaved, now) -> str:
    local = in_zone(now, meeting.timezone)
    return f"Saved at {local:%H:%M}." if saved.changed else f"Saved at {local:%H:%M}: no changes."


def _refused(meeting: Meeting, form: RosterForm, message: str, status: int, chosen=None):
    if _wants_json():
        return jsonify(error=message), status
    return _render_roster(meeting, form, problem=message, chosen=chosen, status=status)


@blueprint.route("/manage/meetings/<int:meeting_id>/attendance", methods=["GET", "POST"])
@login_required
def roster(meeting_id: int):
    """The door list: one POST saves the whole state, so saving twice changes nothing."""
    meeting = require_meeting(meeting_id)
    if request.method == "GET":
        return _render_roster(meeting)
    form = RosterForm()
    try:
        marks = marks_from(request.form)
    except RosterError as error:
        return _refused(meeting, form, str(error), 400)
    if not form.validate_on_submit():
        errors = [message for messages in form.errors.values() for message in messages]
        return _refused(meeting, form, " ".join(errors), 400, marks)
    now = utcnow()
    try:
        saved = save_roster(meeting, current_user, marks, form.walk_ins.data, form.note.data, now)
        db.session.commit()
    except RosterError as error:
        db.session.rollback()
        return _refused(meeting, form, str(error), 400, marks)
    except IntegrityError:
        db.session.rollback()
        return _refused(meeting, form, SAVED_AT_THE_SAME_TIME, 409, marks)
    message = _saved_message(meeting, saved, now)
    if _wants_json():
        return jsonify(message=message, notices=saved.notices, changed=saved.changed)
    for text in [message, *saved.notices]:
        flash(text)
    return redirect(url_for("attendance.roster", meeting_id=meeting.id))


@blueprint.route("/my/groups/<slug>/counting", methods=["GET", "POST"])
@login_required
def counting(slug: str):
    """A member chooses to be counted by name or anonymously at one group."""
    group = group_for_member(slug, current_user)
    if group is None:
        abort(404)
    anonymous = is_counted_anonymously(current_user, group)
    form = CountingForm(counting="anonymous" if anonymous else "named")
    if form.validate_on_submit():
        wanted = form.counting.data == "anonymous"
        set_anonymous_counting(current_user, group, wanted)
        db.session.commit()
        if wanted:
            flash(f"Done: at {group.name} you are counted anonymously, never by name.")
        else:
            flash(f"Done: at {group.name} facilitators record you by name.")
        return redirect(url_for("attendance.counting", slug=group.slug))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "attendance/consent.html", group=group, form=form, anonymous=anonymous
    ), status
