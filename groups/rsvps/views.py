"""Members saying they are coming, cancelling (also by a signed link from an email), their
meetings page; staff seeing and managing the RSVPs of their groups' meetings."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from groups.attendance.roster import ANONYMOUS_LABEL, anonymous_member_ids
from groups.audit.logic import record_event
from groups.extensions import db, limiter
from groups.finder.logic import public_meeting
from groups.models import utcnow
from groups.organisations.access import require_meeting
from groups.rsvps import emails
from groups.rsvps.forms import ConfirmForm, RSVPForm
from groups.rsvps.links import read_cancel_token
from groups.rsvps.logic import (
    RSVPError,
    answers_for,
    cancel_rsvp,
    check_open,
    members_rsvps,
    spaces_left,
    waitlist_place,
)
from groups.rsvps.models import RSVP, RSVPStatus, StandingRSVP
from groups.rsvps.my_meetings import my_meetings_page
from groups.rsvps.standing import has_standing_rsvp, say_going, stop_going_to_every_meeting
from groups.schedules.models import Meeting
from groups.security import TokenError, is_safe_next

blueprint = Blueprint("rsvps", __name__)


def _meeting_anchor(meeting: Meeting) -> str:
    return url_for("finder.group_page", slug=meeting.group.slug, _anchor=f"meeting-{meeting.id}")


def _own_rsvp(rsvp_id: int) -> RSVP:
    """The signed-in member's own RSVP; anyone else's answers 404."""
    rsvp = db.session.get(RSVP, rsvp_id)
    if rsvp is None or rsvp.user_id != current_user.id:
        abort(404)
    return rsvp


def _said_yes(outcome_rsvp: RSVP, every: bool) -> str:
    if outcome_rsvp.status is RSVPStatus.GOING:
        message = "You're going. We've emailed you the details."
    else:
        place = waitlist_place(outcome_rsvp)
        message = (
            f"The meeting is full, so you're on the waiting list: number {place}. "
            "If a place comes free we'll give it to you and email you."
        )
    if every:
        message += " You're also down for every later meeting of this group."
    return message


@blueprint.route("/meetings/<int:meeting_id>/rsvp", methods=["GET", "POST"])
@login_required
def rsvp(meeting_id: int):
    """Say you're coming: one tap from the group page, or this page for companions and
    "every meeting". Signing in or up from the button comes back here."""
    meeting = public_meeting(meeting_id)
    if meeting is None:
        abort(404)
    form = RSVPForm()
    problem = None
    now = utcnow()
    if form.validate_on_submit():
        try:
            outcomes = say_going(
                meeting, current_user, companions=form.companions.data,
                every=form.every_meeting.data, now=now,
            )  # fmt: skip
        except RSVPError as error:
            db.session.rollback()
            problem = str(error)
        else:
            if outcomes:
                first = outcomes[0].rsvp
                # One email about the meeting pressed; later ones come as reminders.
                emails.queue_rsvp_confirmation(first)
                message = _said_yes(first, every=bool(form.every_meeting.data))
            else:
                message = "You're down for every meeting of this group from now on."
            db.session.commit()
            flash(message)
            return redirect(_meeting_anchor(meeting))
    elif request.method == "POST":
        problem = "Please check your answer below."
    if problem is None and request.method == "GET":
        try:
            check_open(meeting, now)
        except RSVPError as error:
            problem = str(error)
    answers = answers_for([meeting.id]).get(meeting.id)
    existing = members_rsvps(current_user, [meeting.id]).get(meeting.id)
    standing = has_standing_rsvp(meeting.schedule_id, current_user)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "rsvps/rsvp.html", meeting=meeting, form=form, problem=problem, existing=existing,
        standing=standing,
        spaces=spaces_left(meeting, answers), place=existing and waitlist_place(existing),
    ), status  # fmt: skip


def _after_cancel(promoted: list[RSVP]) -> None:
    for rsvp in promoted:
        emails.queue_promotion(rsvp)


@blueprint.post("/rsvps/<int:rsvp_id>/cancel")
@login_required
def cancel(rsvp_id: int):
    rsvp = _own_rsvp(rsvp_id)
    if not ConfirmForm().validate_on_submit():
        abort(400, "The form had expired. Please try again.")
    was = rsvp.status
    outcome = cancel_rsvp(rsvp.id, now=utcnow())
    _after_cancel(outcome.promoted)
    db.session.commit()
    if was is RSVPStatus.CANCELLED:
        flash("That RSVP was already cancelled.")
    else:
        flash("You're no longer going. Thank you for letting the group know.")
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for("rsvps.my_meetings"))


def _rsvp_for_link(token: str) -> RSVP:
    rsvp_id, user_id = read_cancel_token(token)
    rsvp = db.session.get(RSVP, rsvp_id)
    if rsvp is None or rsvp.user_id != user_id:
        raise TokenError("This link is for an RSVP that no longer exists.")
    return rsvp


@blueprint.route("/rsvps/cancel/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def cancel_by_link(token: str):
    """The one-click link in every email. Opening it only asks: mail scanners that follow
    links cancel nothing; the button does. No sign-in needed: the link is signed."""
    try:
        rsvp = _rsvp_for_link(token)
    except TokenError as error:
        return render_template("accounts/link_problem.html", message=str(error)), 400
    form = ConfirmForm()
    done = False
    if form.validate_on_submit() and rsvp.status is not RSVPStatus.CANCELLED:
        outcome = cancel_rsvp(rsvp.id, now=utcnow())
        _after_cancel(outcome.promoted)
        db.session.commit()
        done = True
    return render_template(
        "rsvps/cancel_by_link.html", rsvp=rsvp, meeting=rsvp.meeting, form=form, done=done,
        past=rsvp.meeting.starts_at <= utcnow(),
    )  # fmt: skip


@blueprint.get("/my/meetings")
@login_required
def my_meetings():
    return render_template(
        "rsvps/my_meetings.html", page=my_meetings_page(current_user, utcnow()), form=ConfirmForm()
    )


@blueprint.post("/my/every-meeting/<int:standing_id>/stop")
@login_required
def stop_every_meeting(standing_id: int):
    standing = db.session.get(StandingRSVP, standing_id)
    if standing is None or standing.user_id != current_user.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400, "The form had expired. Please try again.")
    _after_cancel(stop_going_to_every_meeting(standing, now=utcnow()))
    db.session.commit()
    flash(
        "You're no longer down for every meeting, and your places at its next meetings are freed."
    )
    return redirect(url_for("rsvps.my_meetings"))


# --- Staff and facilitators ---------------------------------------------------------------


@blueprint.get("/manage/meetings/<int:meeting_id>/rsvps")
@login_required
def meeting_rsvps(meeting_id: int):
    """Who is coming: names, for the group's staff and facilitators only."""
    meeting = require_meeting(meeting_id)
    rsvps = db.session.scalars(
        sa.select(RSVP)
        .where(RSVP.meeting_id == meeting.id)
        .options(selectinload(RSVP.user))
        .order_by(RSVP.created_at, RSVP.id)
    ).all()
    answers = answers_for([meeting.id]).get(meeting.id)
    return render_template(
        "rsvps/meeting_rsvps.html", meeting=meeting, form=ConfirmForm(),
        anonymous=anonymous_member_ids(meeting.group_id, [rsvp.user_id for rsvp in rsvps]),
        anonymous_label=ANONYMOUS_LABEL,
        going=[r for r in rsvps if r.status is RSVPStatus.GOING],
        waiting=[r for r in rsvps if r.status is RSVPStatus.WAITLISTED],
        cancelled=[r for r in rsvps if r.status is RSVPStatus.CANCELLED],
        answers=answers, spaces=spaces_left(meeting, answers), now=utcnow(),
    )  # fmt: skip


@blueprint.post("/manage/rsvps/<int:rsvp_id>/cancel")
@login_required
def staff_cancel(rsvp_id: int):
    """Staff take someone off a meeting (they asked by phone, say); the member is told."""
    rsvp = db.session.get(RSVP, rsvp_id)
    if rsvp is None:
        abort(404)
    meeting = require_meeting(rsvp.meeting_id)
    if not ConfirmForm().validate_on_submit():
        abort(400, "The form had expired. Please try again.")
    if rsvp.status is not RSVPStatus.CANCELLED:
        outcome = cancel_rsvp(rsvp.id, now=utcnow())
        _after_cancel(outcome.promoted)
        emails.queue_cancelled_by_staff(rsvp)
        record_event(
            current_user, "rsvp.cancelled_by_staff", rsvp,
            organisation_id=meeting.group.organisation_id, meeting_id=meeting.id,
        )  # fmt: skip
        db.session.commit()
        who = (
            "That member"
            if anonymous_member_ids(meeting.group_id, [rsvp.user_id])
            else rsvp.user.display_name
        )
        flash(f"{who} is no longer down for this meeting, and has been told.")
    return redirect(url_for("rsvps.meeting_rsvps", meeting_id=meeting.id))
