"""Managing when groups meet: schedules (with a preview and a "what will change" step) and the
exceptions staff and facilitators make to single meetings. The rules live in ``logic``,
``recurrence`` and ``preview``; these views parse forms, call them and commit."""

from dataclasses import replace
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from groups.attendance.roster import OPENS_BEFORE_START
from groups.audit.logic import record_event
from groups.extensions import db
from groups.models import utcnow
from groups.organisations.access import (
    GroupPermission,
    group_permissions,
    require_group,
    require_meeting,
    require_schedule,
)
from groups.organisations.models import Group, Venue
from groups.rsvps.emails import queue_meeting_change_notices, queue_promotion
from groups.rsvps.logic import (
    Answers,
    answers_for,
    lock_meeting,
    promote_from_waitlist,
    seats_taken,
)
from groups.schedules.forms import (
    AddMeetingForm,
    CancelMeetingForm,
    ConfirmForm,
    MeetingDetailsForm,
    MoveMeetingForm,
    ScheduleForm,
    default_meeting_values,
    optional_text,
)
from groups.schedules.logic import (
    MeetingError,
    add_one_off_meeting,
    apply_schedule_change,
    cancel_meeting,
    extend_meetings,
    horizon_end,
    move_meeting,
    plan_schedule_change,
)
from groups.schedules.models import Meeting, Schedule, meeting_venue_loaders
from groups.schedules.preview import day_label, schedule_preview, when_label
from groups.schedules.recurrence import RecurrenceError, describe
from groups.venues.logic import active_venues

blueprint = Blueprint("schedules", __name__, url_prefix="/manage")
PAST_SHOWN = 10


@blueprint.app_template_filter("occurrence_when")
def occurrence_when(occurrence, timezone: str) -> str:
    return when_label(occurrence.starts_at, occurrence.ends_at, timezone)


@blueprint.app_template_filter("schedule_date")
def schedule_date(day) -> str:
    return day_label(day)


def _horizon_weeks() -> int:
    return current_app.config["MEETING_HORIZON_WEEKS"]


# --- The group's meetings page -------------------------------------------------------------


def _meetings(group: Group, condition, order, limit: int | None = None) -> list[Meeting]:
    return db.session.scalars(
        sa.select(Meeting)
        .where(Meeting.group_id == group.id, condition)
        .options(*meeting_venue_loaders(groups_loaded=True))
        .order_by(order)
        .limit(limit)
    ).all()


@blueprint.get("/groups/<int:group_id>/meetings")
@login_required
def group_meetings(group_id: int):
    group = require_group(group_id, GroupPermission.MEETINGS)
    now = utcnow()
    upcoming = _meetings(
        group,
        sa.and_(Meeting.ends_at > now, Meeting.starts_at < horizon_end(now, _horizon_weeks())),
        Meeting.starts_at,
    )
    show_past = request.args.get("past") == "1"
    past = (
        _meetings(group, Meeting.ends_at <= now, Meeting.starts_at.desc(), PAST_SHOWN)
        if show_past
        else []
    )
    schedules = db.session.scalars(
        sa.select(Schedule)
        .where(Schedule.group_id == group.id)
        .options(selectinload(Schedule.venue))
        .order_by(Schedule.first_date, Schedule.id)
    ).all()
    return render_template(
        "schedules/group_meetings.html", group=group, schedules=schedules, upcoming=upcoming,
        past=past, show_past=show_past, answers=answers_for([m.id for m in upcoming + past]),
        now=now, today=now.date(), describe=describe, horizon_weeks=_horizon_weeks(),
        permissions=group_permissions(current_user, group), Permission=GroupPermission,
        attendance_opens=OPENS_BEFORE_START,
    )  # fmt: skip


# --- Schedules -----------------------------------------------------------------------------


def _action() -> str:
    return request.form.get("action", "save")


def _prepare(form: ScheduleForm, venues: list[Venue]) -> ScheduleForm:
    form.set_venue_choices(venues)
    form.keep_duration_choice()
    return form


def _checked_rule(form: ScheduleForm):
    """(rule, venue) when the form describes a schedule; None with messages on the form."""
    if not form.validate():
        return None
    venue = db.session.get(Venue, form.venue_id.data)
    try:
        return form.to_rule(venue.timezone), venue
    except RecurrenceError as error:
        form.show_rule_error(error)
        return None


def _schedule_page(form, group, schedule=None, checked=None):
    preview = None
    if checked is not None:
        preview = schedule_preview(checked[0], now=utcnow(), horizon_weeks=_horizon_weeks())
    return render_template(
        "schedules/schedule_form.html", form=form, group=group, schedule=schedule, preview=preview,
        has_venues=bool(form.venue_id.choices),
    )  # fmt: skip


@blueprint.route("/groups/<int:group_id>/schedules/new", methods=["GET", "POST"])
@login_required
def create_schedule(group_id: int):
    group = require_group(group_id, GroupPermission.SCHEDULES)
    form = ScheduleForm(venue_id=group.default_venue_id, first_date=utcnow().date())
    _prepare(form, active_venues(group.organisation))
    checked = _checked_rule(form) if form.is_submitted() else None
    if checked is not None and _action() == "save":
        rule, venue = checked
        schedule = Schedule(group=group, venue=venue, rule=rule)
        db.session.add(schedule)
        db.session.flush()
        now = utcnow()
        created = extend_meetings(schedule, now=now, until=horizon_end(now, _horizon_weeks()))
        record_event(
            current_user, "schedule.created", schedule, organisation_id=group.organisation_id,
            rule=describe(rule), meetings_created=len(created),
        )  # fmt: skip
        db.session.commit()
        flash(f"The schedule is saved and {len(created)} meeting(s) are added.")
        return redirect(url_for("schedules.group_meetings", group_id=group.id))
    return _schedule_page(form, group, checked=checked)


def _repost_values() -> list[tuple[str, str]]:
    """The values typed, to send again with the confirmation."""
    skip = {"csrf_token", "action", "confirm"}
    return [(name, value) for name, values in request.form.lists() if name not in skip
            for value in values]  # fmt: skip


def _confirm_page(schedule, change, rule, venue, *, ending: bool):
    return render_template(
        "schedules/confirm_change.html", schedule=schedule, group=schedule.group, change=change,
        rule=rule, venue=venue, ending=ending, form=ConfirmForm(formdata=None),
        values=[] if ending else _repost_values(), describe=describe,
    )  # fmt: skip


def _changed_message(change, done: str = "changed") -> str:
    parts = []
    if change.added:
        parts.append(f"{len(change.added)} meeting(s) added")
    if change.cancelled:
        parts.append(f"{len(change.cancelled)} cancelled (the people going will be told)")
    if change.deleted:
        parts.append(f"{len(change.deleted)} removed")
    if change.retimed or change.reinstated:
        parts.append(f"{len(change.retimed) + len(change.reinstated)} changed")
    return f"The schedule is {done}: " + (", ".join(parts) or "no upcoming meeting changed") + "."


def _apply(schedule: Schedule, rule, venue: Venue, action: str):
    now = utcnow()
    change = apply_schedule_change(
        schedule, rule, new_venue=venue, now=now, until=horizon_end(now, _horizon_weeks())
    )
    record_event(
        current_user, action, schedule, organisation_id=schedule.group.organisation_id,
        rule=describe(rule), added=len(change.added), cancelled=len(change.cancelled),
        deleted=len(change.deleted), retimed=len(change.retimed),
    )  # fmt: skip
    queue_meeting_change_notices(now)
    db.session.commit()
    return change


def _plan(schedule: Schedule, rule, venue: Venue):
    now = utcnow()
    return plan_schedule_change(
        schedule, rule, new_venue_id=venue.id, now=now, until=horizon_end(now, _horizon_weeks())
    )


@blueprint.route("/schedules/<int:schedule_id>/edit", methods=["GET", "POST"])
@login_required
def edit_schedule(schedule_id: int):
    schedule = require_schedule(schedule_id)
    form = ScheduleForm() if request.method == "POST" else ScheduleForm.for_schedule(schedule)
    _prepare(form, active_venues(schedule.group.organisation, keep_id=schedule.venue_id))
    checked = _checked_rule(form) if form.is_submitted() else None
    if checked is not None and _action() == "save":
        rule, venue = checked
        if form.confirm.data == "yes":
            change = _apply(schedule, rule, venue, "schedule.changed")
            flash(_changed_message(change))
            return redirect(url_for("schedules.group_meetings", group_id=schedule.group_id))
        return _confirm_page(schedule, _plan(schedule, rule, venue), rule, venue, ending=False)
    return _schedule_page(form, schedule.group, schedule, checked=checked)


@blueprint.route("/schedules/<int:schedule_id>/end", methods=["GET", "POST"])
@login_required
def end_schedule(schedule_id: int):
    """No more meetings after today (in the venue's zone); earlier meetings stay as they are."""
    schedule = require_schedule(schedule_id)
    today = utcnow().astimezone(ZoneInfo(schedule.timezone)).date()
    if schedule.last_date is not None and schedule.last_date <= today:
        flash("This schedule has already ended.")
        return redirect(url_for("schedules.group_meetings", group_id=schedule.group_id))
    rule = replace(
        schedule.rule, first_date=min(schedule.first_date, today), last_date=today, count=None
    )
    form = ConfirmForm()
    if form.validate_on_submit():
        change = _apply(schedule, rule, schedule.venue, "schedule.ended")
        flash(_changed_message(change, "ended"))
        return redirect(url_for("schedules.group_meetings", group_id=schedule.group_id))
    return _confirm_page(
        schedule, _plan(schedule, rule, schedule.venue), rule, schedule.venue, ending=True
    )


# --- Single meetings -------------------------------------------------------------------------


def _meeting_page(template: str, meeting: Meeting, form, problem: str | None = None):
    return render_template(
        template, meeting=meeting, group=meeting.group, form=form, problem=problem,
        is_past=meeting.starts_at <= utcnow(),
        answers=answers_for([meeting.id]).get(meeting.id, Answers()),
    )  # fmt: skip


def _done(meeting_or_group_id: int, message: str):
    db.session.commit()
    flash(message)
    return redirect(url_for("schedules.group_meetings", group_id=meeting_or_group_id))


def _audit(action: str, meeting: Meeting, **detail) -> None:
    record_event(
        current_user, action, meeting, organisation_id=meeting.group.organisation_id, **detail
    )


@blueprint.route(
    "/meetings/<int:meeting_id>/cancel", methods=["GET", "POST"], endpoint="cancel_meeting"
)
@login_required
def cancel_meeting_page(meeting_id: int):
    meeting = require_meeting(meeting_id)
    form = CancelMeetingForm()
    problem = None
    if form.validate_on_submit():
        try:
            cancel_meeting(meeting, form.reason.data, now=utcnow())
        except MeetingError as error:
            problem = form.show_meeting_error(error)
        else:
            _audit("meeting.cancelled", meeting)
            queue_meeting_change_notices(utcnow())
            return _done(
                meeting.group_id, "The meeting is cancelled. The people going will be told."
            )
    return _meeting_page("schedules/cancel_meeting.html", meeting, form, problem)


def _venue_form(form_class, organisation, keep_id: int | None = None, **defaults):
    form = form_class(**defaults)
    form.set_venue_choices(active_venues(organisation, keep_id))
    form.keep_duration_choice()
    return form


@blueprint.route(
    "/meetings/<int:meeting_id>/move", methods=["GET", "POST"], endpoint="move_meeting"
)
@login_required
def move_meeting_page(meeting_id: int):
    meeting = require_meeting(meeting_id)
    local_start = meeting.starts_at.astimezone(ZoneInfo(meeting.timezone))
    defaults = default_meeting_values(meeting, local_start)
    form = _venue_form(
        MoveMeetingForm, meeting.group.organisation, defaults["venue_id"], **defaults
    )
    problem = None
    if form.validate_on_submit():
        try:
            move_meeting(
                meeting, local_date=form.local_date.data, start_time=form.start_time.data,
                duration_minutes=form.duration_minutes.data,
                venue=db.session.get(Venue, form.venue_id.data), now=utcnow(),
            )  # fmt: skip
        except MeetingError as error:
            problem = form.show_meeting_error(error)
        else:
            _audit("meeting.moved", meeting)
            queue_meeting_change_notices(utcnow())
            return _done(meeting.group_id, "The meeting is moved. The people going will be told.")
    return _meeting_page("schedules/move_meeting.html", meeting, form, problem)


def _capacity_problem(capacity: int | None, taken: int) -> str | None:
    if capacity is None or capacity >= taken:
        return None
    return (
        f"{taken} places are already taken by people going (companions count too). "
        f"Choose {taken} or more, or leave it empty for the group's usual number."
    )


@blueprint.route("/meetings/<int:meeting_id>/details", methods=["GET", "POST"])
@login_required
def meeting_details(meeting_id: int):
    meeting = require_meeting(meeting_id)
    form = MeetingDetailsForm(
        topic=meeting.topic, guest_speaker=meeting.guest_speaker, capacity=meeting.capacity
    )
    past = meeting.starts_at <= utcnow()
    if not past and form.validate_on_submit():
        lock_meeting(meeting.id)  # nobody takes a seat while the capacity is checked
        message = _capacity_problem(form.capacity.data, seats_taken(meeting.id))
        if message:
            db.session.rollback()
            form.capacity.errors = [message]
        else:
            meeting.topic = optional_text(form.topic.data)
            meeting.guest_speaker = optional_text(form.guest_speaker.data)
            meeting.capacity = form.capacity.data
            promoted = promote_from_waitlist(meeting)
            for rsvp in promoted:
                queue_promotion(rsvp)
            _audit("meeting.details_changed", meeting, capacity=meeting.capacity)
            note = (
                f" {len(promoted)} person(s) on the waiting list now have a place."
                if promoted
                else ""
            )
            return _done(meeting.group_id, "The meeting's details are saved." + note)
    return _meeting_page("schedules/meeting_details.html", meeting, form)


@blueprint.route("/groups/<int:group_id>/meetings/new", methods=["GET", "POST"])
@login_required
def add_meeting(group_id: int):
    group = require_group(group_id, GroupPermission.MEETINGS)
    form = _venue_form(AddMeetingForm, group.organisation, venue_id=group.default_venue_id)
    problem = None
    if form.validate_on_submit():
        try:
            meeting = add_one_off_meeting(
                group, local_date=form.local_date.data, start_time=form.start_time.data,
                duration_minutes=form.duration_minutes.data,
                venue=db.session.get(Venue, form.venue_id.data), now=utcnow(),
                topic=optional_text(form.topic.data),
            )  # fmt: skip
        except MeetingError as error:
            problem = form.show_meeting_error(error)
        else:
            db.session.flush()
            _audit("meeting.added", meeting)
            return _done(group.id, "The extra meeting is added.")
    return render_template(
        "schedules/add_meeting.html", group=group, form=form, problem=problem,
        has_venues=bool(form.venue_id.choices),
    )  # fmt: skip
