"""Form pieces every feature shares."""


def strip_whitespace(value):
    """A WTForms filter: what people type, without leading or trailing spaces."""
    return value.strip() if isinstance(value, str) else value


def empty_to_none(value):
    """A WTForms filter: an empty optional field is saved as NULL, not as ''."""
    return value or None
