"""Form pieces every feature shares."""

import re

# Control characters other than tab and line feed: nothing a person types, and a way to break
# out of a line in an email header or a calendar property.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def strip_whitespace(value):
    """A WTForms filter: what people type, without leading or trailing spaces, with line breaks
    stored one way (LF: CR LF and lone CR become LF) and control characters removed. Every text
    then survives an iCalendar feed exactly (its text can hold LF, never CR)."""
    if not isinstance(value, str):
        return value
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()


def empty_to_none(value):
    """A WTForms filter: an empty optional field is saved as NULL, not as ''."""
    return value or None
