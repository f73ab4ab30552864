from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from groups.forms import strip_whitespace
from groups.organisations.models import Condition, GroupKind


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class GroupForm(FlaskForm):
    name = StringField(
        "Group name", filters=[strip_whitespace], validators=[DataRequired(), Length(max=160)]
    )
    kind = RadioField(
        "Kind of group",
        choices=[(kind.value, kind.label) for kind in GroupKind],
        validators=[DataRequired(message="Choose the kind of group.")],
    )
    conditions = CheckboxesField(
        "Conditions it focuses on", choices=[(c.value, c.label) for c in Condition]
    )
    description = TextAreaField(
        "Description", filters=[strip_whitespace], validators=[Length(max=10000)]
    )
    who_it_is_for = TextAreaField(
        "Who it is for", filters=[strip_whitespace], validators=[Length(max=2000)]
    )
    first_time_expectations = TextAreaField(
        "What a first-timer can expect", filters=[strip_whitespace], validators=[Length(max=2000)]
    )
    default_venue_id = SelectField("Usual venue", coerce=int, validators=[Optional()])
    default_capacity = IntegerField(
        "Places at each meeting",
        validators=[Optional(), NumberRange(min=1, max=500, message="Use a number from 1 to 500.")],
    )
    rsvp_open = BooleanField("Members can say they are coming (RSVP)")
    open_to_newcomers = BooleanField("Newcomers can join at any meeting")
    is_listed = BooleanField("Show this group on Circles' public pages")


class FacilitatorForm(FlaskForm):
    user_id = SelectField("Member of your organisation", coerce=int)


class InviteFacilitatorForm(FlaskForm):
    email = StringField(
        "Email address",
        filters=[strip_whitespace],
        validators=[
            DataRequired(),
            Email(message="Enter an email address like name@example.org."),
            Length(max=254),
        ],
    )


class RemoveFacilitatorForm(FlaskForm):
    """A button: remove one facilitator."""
