import click
from flask import current_app
from flask.cli import AppGroup

from groups.extensions import db
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
