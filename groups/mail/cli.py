import click
from flask.cli import AppGroup

from groups.mail.outbox import deliver_due_messages

mail_cli = AppGroup("mail", help="The email outbox.")


@mail_cli.command("send")
@click.option("--limit", default=1000, show_default=True, help="Most messages to send this run.")
def send_command(limit: int) -> None:
    """Deliver every message that is due (run it from cron every minute or two)."""
    report = deliver_due_messages(limit=limit)
    click.echo(f"Sent {report.sent}, failed {report.failed}.")
