import re

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from groups.forms import empty_to_none, strip_whitespace
from groups.venues.timezones import country_names, timezone_choices, valid_timezones

DEFAULT_COUNTRY = "GB"
WORK_IT_OUT = ""  # the time zone option that asks us to work it out from the location
MAX_PARKING_METRES = 10_000
# "53.3811, -1.4701": what map sites copy, pasted whole into the latitude box.
_COORDINATE_PAIR = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[,;\s]\s*(-?\d+(?:\.\d+)?)\s*$")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")

# Every accessibility feature: (field name, label, hint). Plain words, as a visitor would ask.
ACCESSIBILITY_FEATURES = [
    ("step_free_entrance", "Step-free way in",
     "No steps, or a ramp, from the street to the meeting room."),
    ("lift", "Lift", "A working lift to the meeting room, if it is not on the ground floor."),
    ("accessible_toilet", "Accessible toilet",
     "A toilet with room for a wheelchair and grab rails."),
    ("seating_with_back_support", "Chairs with back support",
     "Chairs with a backrest (not only stools, benches or floor cushions)."),
    ("space_to_stand_and_move", "Room to stand and move about",
     "People can stand up, stretch or walk around during the meeting."),
    ("hearing_loop", "Hearing loop", "An induction loop for people who use hearing aids."),
    ("quiet_room", "Quiet room", "A separate, quieter space to rest in if someone needs a break."),
]  # fmt: skip


def parse_number(text: str | None) -> float | None:
    """'53.38', ' -1,47 ' -> float; '' -> None; raises ValueError for anything else."""
    text = (text or "").strip().replace("\N{MINUS SIGN}", "-")
    if not text:
        return None
    if not _NUMBER.match(text):
        raise ValueError(text)
    return float(text.replace(",", "."))


def _coordinate(name: str, limit: int, example: str):
    def check(_form, field) -> None:
        try:
            value = parse_number(field.data)
        except ValueError:
            raise ValidationError(f"Enter the {name} as a number, like {example}.") from None
        if value is not None and not -limit <= value <= limit:
            raise ValidationError(
                f"The {name} must be between -{limit} and {limit}. "
                f"Check you have not swapped latitude and longitude."
            )

    return check


def _parking(_form, field) -> None:
    text = (field.data or "").strip()
    if not text:
        return
    if not re.fullmatch(r"-?\d+", text):
        raise ValidationError("Enter the distance in whole metres, like 50, or leave it empty.")
    metres = int(text)
    if metres < 0:
        raise ValidationError("The distance can't be less than 0 metres.")
    if metres > MAX_PARKING_METRES:
        raise ValidationError(
            f"Enter a distance up to {MAX_PARKING_METRES} metres, or leave it empty if there "
            "is no parking nearby."
        )


class VenueForm(FlaskForm):
    name = StringField(
        "Name of the venue",
        filters=[strip_whitespace],
        validators=[
            DataRequired(message="Enter the venue's name."),
            Length(max=160, message="Use up to 160 characters."),
        ],
    )
    address_line1 = StringField(
        "Address line 1",
        filters=[strip_whitespace],
        validators=[
            DataRequired(message="Enter the first line of the address."),
            Length(max=160, message="Use up to 160 characters."),
        ],
    )
    address_line2 = StringField(
        "Address line 2 (optional)",
        filters=[strip_whitespace, empty_to_none],
        validators=[Optional(), Length(max=160, message="Use up to 160 characters.")],
    )
    town = StringField(
        "Town or city",
        filters=[strip_whitespace],
        validators=[
            DataRequired(message="Enter the town or city."),
            Length(max=100, message="Use up to 100 characters."),
        ],
    )
    postcode = StringField(
        "Postcode (optional)",
        filters=[strip_whitespace, empty_to_none],
        validators=[Optional(), Length(max=20, message="Use up to 20 characters.")],
    )
    # Checked by validate_country and validate_timezone, with messages people understand.
    country = SelectField("Country", default=DEFAULT_COUNTRY, validate_choice=False)
    latitude = StringField(
        "Latitude",
        filters=[strip_whitespace],
        validators=[_coordinate("latitude", 90, "53.3811")],
        render_kw={"inputmode": "decimal", "spellcheck": "false"},
    )
    longitude = StringField(
        "Longitude",
        filters=[strip_whitespace],
        validators=[_coordinate("longitude", 180, "-1.4701")],
        render_kw={"inputmode": "decimal", "spellcheck": "false"},
    )
    timezone = SelectField("Time zone", default=WORK_IT_OUT, validate_choice=False)

    step_free_entrance = BooleanField(ACCESSIBILITY_FEATURES[0][1])
    lift = BooleanField(ACCESSIBILITY_FEATURES[1][1])
    accessible_toilet = BooleanField(ACCESSIBILITY_FEATURES[2][1])
    seating_with_back_support = BooleanField(ACCESSIBILITY_FEATURES[3][1])
    space_to_stand_and_move = BooleanField(ACCESSIBILITY_FEATURES[4][1])
    hearing_loop = BooleanField(ACCESSIBILITY_FEATURES[5][1])
    quiet_room = BooleanField(ACCESSIBILITY_FEATURES[6][1])
    parking_distance_m = StringField(
        "Parking nearby, in metres (optional)",
        validators=[_parking],
        render_kw={"inputmode": "numeric"},
    )
    public_transport_notes = TextAreaField(
        "Getting there by public transport (optional)",
        filters=[strip_whitespace, empty_to_none],
        validators=[Optional(), Length(max=2000, message="Use up to 2,000 characters.")],
    )
    accessibility_notes = TextAreaField(
        "Anything else about access (optional)",
        filters=[strip_whitespace, empty_to_none],
        validators=[Optional(), Length(max=2000, message="Use up to 2,000 characters.")],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = country_names()
        self.country.choices = [
            SelectChoice(code, name) for code, name in sorted(names.items(), key=lambda c: c[1])
        ]
        # Grouped by region (Africa, America, ...), then the old-style names (GB, UTC) last.
        zones = sorted(timezone_choices(), key=lambda zone: ("/" not in zone, zone))
        self.timezone.choices = [SelectChoice(WORK_IT_OUT, "Work it out from the location")] + [
            SelectChoice(zone, zone.replace("_", " "), optgroup=_region(zone)) for zone in zones
        ]

    @classmethod
    def for_venue(cls, venue) -> "VenueForm":
        """The edit form: the venue's values on GET, what was typed on POST."""
        form = cls(obj=venue)
        if not form.is_submitted():
            form.latitude.data = _number_text(venue.latitude)
            form.longitude.data = _number_text(venue.longitude)
            form.parking_distance_m.data = (
                "" if venue.parking_distance_m is None else str(venue.parking_distance_m)
            )
        return form

    def validate_country(self, field) -> None:
        if field.data not in country_names():
            raise ValidationError("Choose the country from the list.")

    def validate_timezone(self, field) -> None:
        if field.data != WORK_IT_OUT and field.data not in valid_timezones():
            raise ValidationError("Choose a time zone from the list, or “Work it out”.")

    def validate(self, extra_validators=None) -> bool:
        # A pair pasted into the latitude box ("53.3811, -1.4701") fills both boxes.
        pair = _COORDINATE_PAIR.match(self.latitude.data or "")
        if pair and not (self.longitude.data or "").strip():
            self.latitude.data, self.longitude.data = pair.groups()
        valid = super().validate(extra_validators)
        has_latitude = bool((self.latitude.data or "").strip())
        has_longitude = bool((self.longitude.data or "").strip())
        if valid and has_latitude != has_longitude:
            missing = self.longitude if has_latitude else self.latitude
            missing.errors.append(
                "Enter both the latitude and the longitude, or leave both empty to use the "
                "centre of the town."
            )
            valid = False
        return valid

    def fields(self) -> dict:
        """The venue's values, as the model stores them (coordinates None when left empty)."""
        parking = (self.parking_distance_m.data or "").strip()
        values = {
            name: getattr(self, name).data
            for name in (
                "name", "address_line1", "address_line2", "town", "postcode", "country",
                "public_transport_notes", "accessibility_notes",
            )
        }  # fmt: skip
        values.update(
            {name: bool(getattr(self, name).data) for name, _, _ in ACCESSIBILITY_FEATURES}
        )
        values.update(
            latitude=parse_number(self.latitude.data),
            longitude=parse_number(self.longitude.data),
            timezone=self.timezone.data or None,
            parking_distance_m=int(parking) if parking else None,
        )
        return values


def _region(zone: str) -> str:
    return zone.split("/")[0] if "/" in zone else "Other names"


def _number_text(value: float | None) -> str:
    return "" if value is None else f"{value:.6f}".rstrip("0").rstrip(".")


class ButtonForm(FlaskForm):
    """A button that only needs the CSRF token (archive, restore)."""
