import click
from flask.cli import AppGroup

from groups.attendance.retention import purge_named_attendance
from groups.extensions import db
from groups.models import utcnow

attendance_cli = AppGroup("attendance", help="Attendance: retention of named records.")


@attendance_cli.command("purge")
def purge_command() -> None:
    """Turn named attendance older than each organisation's retention period into anonymous
    counts (safe to run again; run it daily)."""
    purged = purge_named_attendance(utcnow())
    db.session.commit()
    for result in purged:
        if result.rows or result.rsvps:
            click.echo(
                f"{result.organisation}: anonymised {result.rows} attendance record(s) and "
                f"{result.rsvps} RSVP(s) of meetings before {result.cutoff:%Y-%m-%d}."
            )
    total = sum(result.rows for result in purged)
    click.echo(f"Anonymised {total} attendance record(s) in all.")
