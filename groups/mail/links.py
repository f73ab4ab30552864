"""Links in emails. Inside a request they are built from the request's host; emails queued from
the command line (reminders, cron) have no request, so their links use PUBLIC_URL."""

from flask import current_app, has_request_context, url_for


def external_url(endpoint: str, **values) -> str:
    """The absolute URL of ``endpoint``, fit to put in an email."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        return url_for(endpoint, _external=True, **values)
