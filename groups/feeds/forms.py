from flask_wtf import FlaskForm


class CalendarAddressForm(FlaskForm):
    """Make a new personal calendar address, or turn it off: nothing to fill in but the CSRF
    token."""
