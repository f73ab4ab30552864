"""The search form: every choice is a GET parameter, so a search is a link people can share.

Values we don't know (kind=banana, day=funday, radius=0, latitude=91) are errors shown beside
their field, never ignored: a shared link that silently searched for something else would mislead.
"""

import math

from wtforms import (
    BooleanField,
    Form,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    widgets,
)
from wtforms.validators import Length, ValidationError

from groups.finder.search import SearchCriteria, TimeOfDay, Unit
from groups.forms import strip_whitespace
from groups.organisations.models import Condition, GroupKind

MIN_RADIUS, MAX_RADIUS, DEFAULT_RADIUS = 2, 50, 10
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]  # Monday = 0, as in Python
WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
ACCESS_CHOICES = [
    ("step_free_entrance", "Step-free entrance"),
    ("lift", "Lift"),
    ("accessible_toilet", "Accessible toilet"),
    ("seating_with_back_support", "Seats with back support"),
    ("space_to_stand_and_move", "Space to stand and move"),
    ("hearing_loop", "Hearing loop"),
    ("quiet_room", "Quiet room"),
    ("parking", "Parking nearby"),
]
TIME_CHOICES = [
    (TimeOfDay.MORNING.value, "Morning (starts before 12:00)"),
    (TimeOfDay.AFTERNOON.value, "Afternoon (starts 12:00 to 17:00)"),
    (TimeOfDay.EVENING.value, "Evening (starts 17:00 or later)"),
]
# The parameters that are filters (not where, nor how far): "remove the filters" drops these.
FILTER_FIELDS = ("day", "time", "kind", "condition", "access", "spaces", "newcomers")


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class CheckboxesField(SelectMultipleField):
    """Tick boxes; a value that is not one of them says which and what to do."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form) -> None:
        known = {choice.value for choice in self.choices}
        unknown = [value for value in self.data or [] if value not in known]
        if unknown:
            raise ValidationError(
                f"“{unknown[0]}” is not one of the choices for {self.label.text.lower()}. "
                "Tick the ones you want from the list."
            )


class RadiusField(IntegerField):
    """A whole number of kilometres or miles, from 2 to 50."""

    _advice = f"Choose how far you can travel: a number from {MIN_RADIUS} to {MAX_RADIUS}."

    def process_formdata(self, valuelist) -> None:
        if valuelist and valuelist[0].strip():
            try:
                self.data = int(valuelist[0].strip())
            except ValueError:
                self.data = None
                raise ValueError(self._advice) from None

    def pre_validate(self, form) -> None:
        if self.process_errors:
            return  # not a number: already said
        if self.data is None or not MIN_RADIUS <= self.data <= MAX_RADIUS:
            raise ValidationError(self._advice)


def _coordinate(limit: int):
    def check(form, field) -> None:
        if not field.data:
            return
        try:
            value = float(field.data)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and -limit <= value <= limit):
            raise ValidationError(
                f"Your location was not understood (the {field.name} must be a number between "
                f"-{limit} and {limit}). Type the name of your town instead."
            )

    return check


class SearchForm(Form):
    place = StringField(
        "Town or place",
        filters=[strip_whitespace],
        validators=[Length(max=120, message="That is too long for a place name.")],
        render_kw={"list": "place-suggestions", "autocomplete": "off", "spellcheck": "false"},
    )
    # Filled by "Use my location" (which empties the town box); a town typed afterwards wins.
    latitude = HiddenField("Latitude", filters=[strip_whitespace], validators=[_coordinate(90)])
    longitude = HiddenField("Longitude", filters=[strip_whitespace], validators=[_coordinate(180)])
    radius = RadiusField(
        "How far can you travel?",
        default=DEFAULT_RADIUS,
        render_kw={"min": MIN_RADIUS, "max": MAX_RADIUS, "inputmode": "numeric"},
    )
    unit = RadioField(
        "In",
        choices=_choices([(Unit.MILES.value, "miles"), (Unit.KM.value, "kilometres")]),
        validate_choice=False,
    )
    day = CheckboxesField("Days", choices=_choices(zip(WEEKDAYS, WEEKDAY_NAMES, strict=True)))
    time = CheckboxesField("Time of day", choices=_choices(TIME_CHOICES))
    kind = CheckboxesField(
        "Kind of group", choices=_choices((kind.value, kind.label) for kind in GroupKind)
    )
    condition = CheckboxesField(
        "Condition the group focuses on", choices=_choices((c.value, c.label) for c in Condition)
    )
    access = CheckboxesField("Access you need at the venue", choices=_choices(ACCESS_CHOICES))
    spaces = BooleanField("Only groups with spaces at their next meeting")
    newcomers = BooleanField("Only groups that welcome first-timers")

    def validate_unit(self, field) -> None:
        if field.data not in {unit.value for unit in Unit}:
            raise ValidationError("Choose miles or kilometres.")

    def validate_longitude(self, field) -> None:
        if bool(self.latitude.data) != bool(field.data):
            raise ValidationError(
                "Your location was incomplete. Try “Use my location” again, or type your town."
            )

    @property
    def coordinates(self) -> tuple[float, float] | None:
        """The position from "Use my location" (None when absent or not valid)."""
        if self.latitude.errors or self.longitude.errors:
            return None
        try:
            return float(self.latitude.data), float(self.longitude.data)
        except (TypeError, ValueError):
            return None

    @property
    def has_filters(self) -> bool:
        return any(self[name].data for name in FILTER_FIELDS)

    @property
    def chosen_unit(self) -> Unit:
        return Unit(self.unit.data)

    def criteria(self, latitude: float, longitude: float) -> SearchCriteria:
        return SearchCriteria(
            latitude=latitude,
            longitude=longitude,
            radius_km=self.chosen_unit.to_km(self.radius.data),
            weekdays=frozenset(WEEKDAYS.index(day) for day in self.day.data),
            times_of_day=frozenset(TimeOfDay(value) for value in self.time.data),
            kinds=frozenset(GroupKind(value) for value in self.kind.data),
            conditions=frozenset(Condition(value) for value in self.condition.data),
            access_features=frozenset(self.access.data),
            has_spaces=self.spaces.data,
            open_to_newcomers=self.newcomers.data,
        )
