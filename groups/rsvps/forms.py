from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectChoice, ValidationError

from groups.rsvps.logic import MAX_COMPANIONS


class CompanionsField(RadioField):
    """0 to MAX_COMPANIONS companions or carers, with a message a person understands."""

    def pre_validate(self, form) -> None:
        if self.data not in range(MAX_COMPANIONS + 1):
            raise ValidationError(f"Choose how many come with you: none, 1 or {MAX_COMPANIONS}.")


class RSVPForm(FlaskForm):
    companions = CompanionsField(
        "Who is coming?",
        coerce=int,
        default=0,
        choices=[
            SelectChoice(0, "Just me"),
            SelectChoice(1, "Me and 1 companion or carer"),
            SelectChoice(2, "Me and 2 companions or carers"),
        ],
    )
    every_meeting = BooleanField("Say I'm going to every meeting of this group")


class ConfirmForm(FlaskForm):
    """A button and its CSRF token: cancelling, stopping."""
