"""Attendance reports: a group's (its facilitators, the organisation's admins and staff) and a
whole organisation's (admins and staff), as a page, a figures CSV and, for organisation admins
only, a named attendance CSV whose every download is audited. The figures are worked out in
``groups.attendance.reports``."""

from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user, login_required

from groups.attendance.reports import (
    AttendanceReport,
    ReportScope,
    attendance_report,
    group_scope,
    organisation_scope,
)
from groups.attendance.reports_chart import attendance_chart
from groups.attendance.reports_export import figures_csv, named_attendance_csv
from groups.attendance.reports_period import ReportPeriodForm
from groups.audit.logic import record_event
from groups.extensions import db
from groups.models import utcnow
from groups.organisations.access import (
    GroupPermission,
    organisation_role,
    require_group,
    require_organisation,
)
from groups.organisations.forms import ButtonForm
from groups.organisations.models import Group, MemberRole, Organisation

blueprint = Blueprint("attendance_reports", __name__, url_prefix="/manage")


def _report(scope: ReportScope) -> tuple[ReportPeriodForm, AttendanceReport | None]:
    """The report for the period in the address; None (the form says why) for a bad period."""
    now = utcnow()
    form = ReportPeriodForm(request.args)
    period = form.period(now.astimezone(ZoneInfo(scope.timezone)).date(), scope.timezone)
    return form, attendance_report(scope, period, now) if period else None


def _page(scope: ReportScope, group: Group | None, organisation: Organisation):
    form, report = _report(scope)
    is_admin = organisation_role(current_user, organisation.id) is MemberRole.ADMIN
    return render_template(
        "attendance/report.html", form=form, report=report, scope=scope, group=group,
        organisation=organisation, is_admin=is_admin, export_form=ButtonForm(),
        chart=attendance_chart(report.meetings, scope.timezone) if report else None,
    ), 200 if report else 400  # fmt: skip


def _csv(body: str, scope: ReportScope, report: AttendanceReport, kind: str) -> Response:
    filename = f"{scope.file_stem}-{kind}-{report.period.file_label}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


def _figures_download(scope: ReportScope):
    form, report = _report(scope)
    if report is None:
        abort(400, " ".join(error for errors in form.errors.values() for error in errors))
    return _csv(figures_csv(report), scope, report, "attendance-figures")


def _named_download(scope: ReportScope, audited, organisation: Organisation):
    """Organisation admins only; the download is recorded in the audit log."""
    if organisation_role(current_user, organisation.id) is not MemberRole.ADMIN:
        abort(403, "Only the organisation's admins can download attendance with names.")
    if not ButtonForm().validate_on_submit():
        abort(400, "The download link had expired. Go back to the report and try again.")
    form, report = _report(scope)
    if report is None:
        abort(400, " ".join(error for errors in form.errors.values() for error in errors))
    body = named_attendance_csv(report, utcnow())
    record_event(
        current_user._get_current_object(), "attendance.named_export", audited,
        organisation_id=organisation.id,
        period={"from": report.period.starts_on.isoformat(), "to": report.period.ends_on.isoformat()},
    )  # fmt: skip
    db.session.commit()
    return _csv(body, scope, report, "attendance-named")


# A group's report ------------------------------------------------------------------------


@blueprint.get("/groups/<int:group_id>/report")
@login_required
def group_report(group_id: int):
    group = require_group(group_id, GroupPermission.MEETINGS)
    return _page(group_scope(group), group, group.organisation)


@blueprint.get("/groups/<int:group_id>/report.csv")
@login_required
def group_figures_csv(group_id: int):
    group = require_group(group_id, GroupPermission.MEETINGS)
    return _figures_download(group_scope(group))


@blueprint.post("/groups/<int:group_id>/report/named.csv")
@login_required
def group_named_csv(group_id: int):
    group = require_group(group_id, GroupPermission.MEETINGS)
    return _named_download(group_scope(group), group, group.organisation)


# An organisation's report ----------------------------------------------------------------


@blueprint.get("/<slug>/report")
@login_required
def organisation_report(slug: str):
    organisation = require_organisation(slug)
    return _page(organisation_scope(organisation), None, organisation)


@blueprint.get("/<slug>/report.csv")
@login_required
def organisation_figures_csv(slug: str):
    organisation = require_organisation(slug)
    return _figures_download(organisation_scope(organisation))


@blueprint.post("/<slug>/report/named.csv")
@login_required
def organisation_named_csv(slug: str):
    organisation = require_organisation(slug)
    return _named_download(organisation_scope(organisation), organisation, organisation)
