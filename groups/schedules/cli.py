import click
from flask import current_app
from flask.cli import AppGroup

from groups.extensions import db
from groups.models import utcnow
from groups.rsvps.emails import queue_meeting_change_notices, queue_reminders
from groups.schedules.logic import extend_all_meetings

meetings_cli = AppGroup("meetings", help="Meetings: materialise schedules, send reminders.")


@meetings_cli.command("extend")
@click.option("--weeks", type=click.IntRange(1, 104), default=None, help="Horizon in weeks.")
def extend_command(weeks: int | None) -> None:
    """Create every schedule's meetings up to the rolling horizon (safe to run again)."""
    weeks = weeks or current_app.config["MEETING_HORIZON_WEEKS"]
    created = extend_all_meetings(weeks=weeks)
    db.session.commit()
    click.echo(f"Created {created} meeting(s) up to {weeks} weeks ahead.")


@meetings_cli.command("notify")
def notify_command() -> None:
    """Queue the emails about cancelled, moved and changed meetings not sent yet (safe to run
    again). `flask mail send` delivers them."""
    queued = queue_meeting_change_notices(utcnow())
    db.session.commit()
    click.echo(f"Queued {queued} email(s) about changed meetings.")


@meetings_cli.command("remind")
def remind_command() -> None:
    """Queue the day-before reminders, once each (run it hourly, or at least daily); sends any
    pending notices of changed meetings first. `flask mail send` delivers them."""
    now = utcnow()
    notices = queue_meeting_change_notices(now)
    reminders = queue_reminders(now)
    db.session.commit()
    click.echo(f"Queued {notices} email(s) about changed meetings.")
    click.echo(f"Queued {reminders} reminder(s) for tomorrow's meetings.")
