import click
from flask.cli import AppGroup

from groups.mail.outbox import deliver_due_messages

mail_cli = AppGroup("mail", help="The email outbox.")


@mail_cli.command("send")
def send_command() -> None:
    """Deliver every message that is due (run it from cron every minute or two)."""
    report = deliver_due_messages(limit=1000)
    click.echo(f"Sent {report.sent}, failed {report.failed}.")
