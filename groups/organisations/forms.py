import re
from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    RadioField,
    SelectChoice,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from groups.forms import empty_to_none, strip_whitespace
from groups.organisations.models import MemberRole, OrganisationKind

# "www.clinic.org" or "clinic.org/groups": a web address typed without https://
_BARE_DOMAIN = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:\d+)?([/?#]\S*)?$")


def _add_scheme(value):
    """People type web addresses without https://; add it for them."""
    if isinstance(value, str) and _BARE_DOMAIN.match(value):
        return f"https://{value}"
    return value


def _web_address(_form, field) -> None:
    if not field.data:
        return
    parts = urlsplit(field.data)
    host = parts.hostname or ""
    if (
        parts.scheme not in {"http", "https"}
        or "." not in host
        or any(c.isspace() for c in field.data)
    ):
        raise ValidationError("Enter a web address like https://www.example.org.")


ROLE_CHOICES = [
    SelectChoice(MemberRole.STAFF.value, "Staff: runs groups, venues and meetings"),
    SelectChoice(
        MemberRole.ADMIN.value, "Admin: also manages people and the organisation's settings"
    ),
]


class OrganisationForm(FlaskForm):
    name = StringField(
        "Name of your organisation",
        filters=[strip_whitespace],
        validators=[DataRequired(message="Enter the organisation's name."), Length(max=160)],
    )
    kind = RadioField(
        "Kind of organisation",
        choices=[SelectChoice(kind.value, kind.label) for kind in OrganisationKind],
        validators=[DataRequired(message="Choose the kind of organisation.")],
    )
    contact_email = EmailField(
        "Contact email",
        filters=[strip_whitespace],
        validators=[
            DataRequired(message="Enter an email address people can write to."),
            Email(message="Enter an email address like name@example.org."),
            Length(max=254),
        ],
    )
    contact_phone = StringField(
        "Contact phone (optional)",
        filters=[strip_whitespace, empty_to_none],
        validators=[
            Optional(),
            Length(max=40, message="Use up to 40 characters."),
            Regexp(
                r"^[0-9+() -]+$",
                message="Use numbers, spaces and + ( ) - only, like 0114 496 0000.",
            ),
        ],
    )
    website = StringField(
        "Website (optional)",
        filters=[strip_whitespace, empty_to_none, _add_scheme],
        validators=[Optional(), Length(max=300, message="Use up to 300 characters."), _web_address],
    )

    def fields(self) -> dict:
        """The form's values as the Organisation model takes them."""
        return {
            "name": self.name.data,
            "kind": OrganisationKind(self.kind.data),
            "contact_email": self.contact_email.data,
            "contact_phone": self.contact_phone.data,
            "website": self.website.data,
        }


_RETENTION_MESSAGE = "Enter a number of months from 1 to 120."
_CORRECTION_MESSAGE = "Enter a number of days from 1 to 90."


class SettingsForm(OrganisationForm):
    facilitators_manage_schedules = BooleanField("Let facilitators edit their groups' schedules")
    # Left out of a post, these keep the organisation's current value (the form is built on it).
    attendance_retention_months = IntegerField(
        "Keep named attendance for (months)",
        validators=[
            DataRequired(message=_RETENTION_MESSAGE),
            NumberRange(min=1, max=120, message=_RETENTION_MESSAGE),
        ],
    )
    attendance_correction_days = IntegerField(
        "Attendance can be corrected for (days after a meeting)",
        validators=[
            DataRequired(message=_CORRECTION_MESSAGE),
            NumberRange(min=1, max=90, message=_CORRECTION_MESSAGE),
        ],
    )

    def fields(self) -> dict:
        return {
            **super().fields(),
            "facilitators_manage_schedules": self.facilitators_manage_schedules.data,
            "attendance_retention_months": self.attendance_retention_months.data,
            "attendance_correction_days": self.attendance_correction_days.data,
        }


class InviteForm(FlaskForm):
    email = EmailField(
        "Their email address",
        filters=[strip_whitespace],
        validators=[
            DataRequired(message="Enter their email address."),
            Email(message="Enter an email address like name@example.org."),
            Length(max=254),
        ],
    )
    role = RadioField(
        "What they can do",
        choices=ROLE_CHOICES,
        default=MemberRole.STAFF.value,
        validators=[DataRequired(message="Choose staff or admin.")],
    )


class RoleForm(FlaskForm):
    role = RadioField(
        "Role", choices=ROLE_CHOICES, validators=[DataRequired(message="Choose staff or admin.")]
    )


class RejectForm(FlaskForm):
    reason = TextAreaField(
        "Why it is not approved",
        filters=[strip_whitespace],
        validators=[
            DataRequired(message="Write a reason: it is sent to the organisation's admins."),
            Length(max=2000, message="Use up to 2000 characters."),
        ],
    )


class ButtonForm(FlaskForm):
    """A button that changes something: no fields, only the CSRF token."""
