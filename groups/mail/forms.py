from flask_wtf import FlaskForm


class RetryForm(FlaskForm):
    """The "Retry now" button: no fields, only the CSRF token."""
