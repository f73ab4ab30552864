from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import IntegerField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from groups.attendance.models import AttendanceStatus
from groups.attendance.roster import MAX_WALK_INS, NOTE_MAX_LENGTH, Mark, RosterError
from groups.forms import empty_to_none, strip_whitespace
from groups.rsvps.logic import MAX_COMPANIONS

MARK_PREFIX = "mark-"
COMPANIONS_PREFIX = "companions-"


class CountField(IntegerField):
    """A whole number where an empty box means 0 (a number box without JavaScript)."""

    def process_formdata(self, valuelist) -> None:
        if valuelist and not valuelist[0].strip():
            self.data = 0
            return
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Enter a whole number, like 0 or 3.") from error


class RosterForm(FlaskForm):
    """The roster's fixed fields; each person's mark is read by ``marks_from``."""

    walk_ins = CountField(
        "People who came without an account",
        default=0,
        validators=[
            NumberRange(min=0, message="The number of walk-ins can't be below 0."),
            NumberRange(max=MAX_WALK_INS, message=f"At most {MAX_WALK_INS} walk-ins."),
        ],
    )
    note = TextAreaField(
        "Note about this meeting (for staff and facilitators, never shown to members)",
        filters=[strip_whitespace, empty_to_none],
        validators=[Optional(), Length(max=NOTE_MAX_LENGTH)],
    )


def marks_from(formdata: MultiDict) -> dict[str, Mark]:
    """Each person's mark, keyed by the roster key: ``mark-<key>`` is "present" or "absent",
    ``companions-<key>`` 0 to MAX_COMPANIONS. People left unmarked are not in the result."""
    marks = {}
    for name, value in formdata.items():
        if not name.startswith(MARK_PREFIX):
            continue
        key = name.removeprefix(MARK_PREFIX)
        try:
            status = AttendanceStatus(value)
            companions = int(formdata.get(COMPANIONS_PREFIX + key) or 0)
        except ValueError as error:
            raise RosterError("Mark each person as came or didn't come.") from error
        if not 0 <= companions <= MAX_COMPANIONS:
            raise RosterError(f"Companions can be 0 to {MAX_COMPANIONS}.")
        marks[key] = Mark(status, companions)
    return marks


class CountingForm(FlaskForm):
    counting = RadioField(
        "How should the group's facilitators record you?",
        choices=[
            SelectChoice("named", "By my name (they see who came)"),
            SelectChoice("anonymous", "Count me anonymously at this group"),
        ],
    )
