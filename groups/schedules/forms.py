"""Forms for schedules and single meetings, in words a clinic worker uses.

The schedule form works without JavaScript: every field is on the page and the "How often" radio
button decides which of them apply. Fields that don't apply are ignored, even if something is
typed in them. Whether the rule itself makes sense is decided by ``recurrence.Rule``; its
``RecurrenceError`` is shown next to the field it names (``show_rule_error``).
"""

from datetime import datetime, time

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    widgets,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from groups.forms import strip_whitespace
from groups.schedules.recurrence import (
    DAY_NAMES,
    MONTHLY_DAY,
    MONTHLY_WEEKDAY,
    WEEKLY,
    RecurrenceError,
    Rule,
)

DURATIONS = (30, 45, 60, 75, 90, 105, 120, 150, 180, 210, 240, 300, 360, 480, 600, 720)
VENUE_MESSAGE = "Choose one of your organisation's venues."


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def duration_label(minutes: int) -> str:
    """90 -> "1 hour 30 minutes"."""
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if rest or not hours:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(parts)


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class LocalDateField(DateField):
    """A date as the browser's date picker sends it (2026-03-24), or typed as 24/03/2026."""

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not text:
            return  # whether it is needed is for the validators to say
        for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                self.data = datetime.strptime(text, pattern).date()
                return
            except ValueError:
                continue
        raise ValueError("Enter a date like 24/03/2026.")


class ClockTimeField(TimeField):
    """A local clock time: 18:30 (what a time picker sends), 18:30:00 or 18.30."""

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not text:
            return
        for pattern in ("%H:%M", "%H:%M:%S", "%H.%M"):
            try:
                self.data = datetime.strptime(text, pattern).time()
                return
            except ValueError:
                continue
        raise ValueError("Enter a time on the 24-hour clock, like 18:30.")


def _venue_field() -> SelectField:
    # The choices are set by the view (the organisation's active venues); an id sent that is not
    # one of them (another organisation's venue) is refused with a message, not "Not a valid choice".
    return SelectField("Venue", coerce=int, validate_choice=False)


def _duration_field() -> SelectField:
    # validate_choice=False: a length that isn't offered is checked by the domain rule, which says
    # what is allowed ("from 1 minute to 12 hours").
    return SelectField(
        "How long it lasts",
        coerce=int,
        choices=_choices((minutes, duration_label(minutes)) for minutes in DURATIONS),
        validate_choice=False,
        default=90,
    )


class VenueAndLengthMixin:
    def set_venue_choices(self, venues) -> None:
        self.venue_id.choices = _choices(
            (venue.id, f"{venue.name}, {venue.town}") for venue in venues
        )

    def keep_duration_choice(self) -> None:
        """Show a length that isn't in the list (an old schedule's 100 minutes, or a typo)."""
        value = self.duration_minutes.data
        offered = [choice.value for choice in self.duration_minutes.choices]
        if isinstance(value, int) and value not in offered:
            self.duration_minutes.choices = [
                SelectChoice(value, duration_label(max(value, 0))),
                *self.duration_minutes.choices,
            ]

    def validate_venue_id(self, field) -> None:
        if field.data not in [choice.value for choice in field.choices or []]:
            raise ValidationError(VENUE_MESSAGE)


class ScheduleForm(VenueAndLengthMixin, FlaskForm):
    pattern = RadioField(
        "How often does the group meet?",
        choices=_choices(
            [
                (WEEKLY, "Every week, or every few weeks"),
                (MONTHLY_WEEKDAY, "Once a month, on a day of the week (such as the 2nd Tuesday)"),
                (MONTHLY_DAY, "Once a month, on a date (such as the 15th)"),
            ]
        ),
        default=WEEKLY,
        validators=[DataRequired(message="Choose how often the group meets.")],
    )
    interval = SelectField(
        "How often",
        coerce=int,
        choices=_choices([(1, "Every week")] + [(n, f"Every {n} weeks") for n in (2, 3, 4)]),
        default=1,
        validate_choice=False,
    )
    weekdays = CheckboxesField(
        "On these days", coerce=int, choices=_choices(enumerate(DAY_NAMES)), default=[]
    )
    week_of_month = SelectField(
        "Which one in the month",
        coerce=int,
        choices=_choices([(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (-1, "Last")]),
        default=1,
        validate_choice=False,  # a 5th is refused by the rule, with the reason
    )
    month_weekday = SelectField(
        "Day of the week", coerce=int, choices=_choices(enumerate(DAY_NAMES)), default=0
    )
    day_of_month = SelectField(
        "Day of the month",
        coerce=int,
        choices=_choices((day, str(day)) for day in range(1, 29)),
        default=1,
        validate_choice=False,  # the 29th to 31st are refused by the rule, with the reason
    )
    # Not on the page: kept as it is when editing a schedule that meets every 2 or more months.
    month_interval = HiddenField(default="1")
    start_time = ClockTimeField(
        "Start time", validators=[InputRequired(message="Enter the start time, like 18:30.")]
    )
    duration_minutes = _duration_field()
    venue_id = _venue_field()
    first_date = LocalDateField(
        "Date of the first meeting",
        validators=[InputRequired(message="Enter the date of the first meeting.")],
    )
    end = RadioField(
        "When does it end?",
        choices=_choices(
            [
                ("never", "It keeps going (you can end it later)"),
                ("last_date", "On a last date"),
                ("count", "After a number of meetings"),
            ]
        ),
        default="never",
        validators=[DataRequired(message="Choose when the schedule ends.")],
    )
    last_date = LocalDateField("Last meeting date", validators=[Optional()])
    occurrence_count = IntegerField(
        "Number of meetings",
        validators=[
            Optional(),
            NumberRange(min=1, max=500, message="Choose from 1 to 500 meetings."),
        ],
    )
    confirm = HiddenField()

    # Which fields each choice uses; the others are ignored.
    _PATTERN_FIELDS = {
        WEEKLY: ("interval", "weekdays"),
        MONTHLY_WEEKDAY: ("week_of_month", "month_weekday"),
        MONTHLY_DAY: ("day_of_month",),
    }
    _END_FIELDS = {"never": (), "last_date": ("last_date",), "count": ("occurrence_count",)}

    @classmethod
    def for_schedule(cls, schedule) -> "ScheduleForm":
        rule = schedule.rule
        if rule.last_date is not None:
            end = "last_date"
        elif rule.count is not None:
            end = "count"
        else:
            end = "never"
        weekly = rule.frequency == WEEKLY
        return cls(
            pattern=rule.frequency,
            interval=rule.interval if weekly else 1,
            month_interval=str(1 if weekly else rule.interval),
            weekdays=list(rule.weekdays) if weekly else [],
            week_of_month=rule.week_of_month or 1,
            month_weekday=rule.weekdays[0] if rule.frequency == MONTHLY_WEEKDAY else 0,
            day_of_month=rule.day_of_month or 1,
            start_time=rule.start_time,
            duration_minutes=rule.duration_minutes,
            venue_id=schedule.venue_id,
            first_date=rule.first_date,
            end=end,
            last_date=rule.last_date,
            occurrence_count=rule.count,
        )

    def _unused_fields(self) -> set[str]:
        used = set(self._PATTERN_FIELDS.get(self.pattern.data, ()))
        used |= set(self._END_FIELDS.get(self.end.data, ()))
        every = {name for names in self._PATTERN_FIELDS.values() for name in names}
        every |= {name for names in self._END_FIELDS.values() for name in names}
        return every - used

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        for name in self._unused_fields():
            self[name].errors = []
        if (
            self.end.data == "last_date"
            and self.last_date.data is None
            and not self.last_date.errors
        ):
            self.last_date.errors = ["Enter the last meeting date, or choose another ending."]
        if (
            self.end.data == "count"
            and self.occurrence_count.data is None
            and not self.occurrence_count.errors
        ):
            self.occurrence_count.errors = ["Enter how many meetings there will be."]
        self._errors = None  # WTForms caches form.errors; the lists above changed
        return not self.errors

    def to_rule(self, timezone: str) -> Rule:
        """The rule the form describes; raises RecurrenceError when it can't be a schedule."""
        pattern = self.pattern.data
        try:
            month_interval = int(self.month_interval.data or 1)
        except ValueError:
            month_interval = 0  # refused by the rule
        return Rule(
            frequency=pattern,
            interval=self.interval.data if pattern == WEEKLY else month_interval,
            weekdays=self._weekdays(pattern),
            week_of_month=self.week_of_month.data if pattern == MONTHLY_WEEKDAY else None,
            day_of_month=self.day_of_month.data if pattern == MONTHLY_DAY else None,
            start_time=self.start_time.data,
            duration_minutes=self.duration_minutes.data,
            timezone=timezone,
            first_date=self.first_date.data,
            last_date=self.last_date.data if self.end.data == "last_date" else None,
            count=self.occurrence_count.data if self.end.data == "count" else None,
        )

    def _weekdays(self, pattern: str) -> tuple[int, ...]:
        if pattern == WEEKLY:
            return tuple(self.weekdays.data or ())
        if pattern == MONTHLY_WEEKDAY:
            return (self.month_weekday.data,)
        return ()

    def show_rule_error(self, error: RecurrenceError) -> None:
        """Put the rule's message next to the field the person has to change."""
        name = {
            "frequency": "pattern",
            "timezone": "venue_id",
            "count": "occurrence_count",
            "interval": "interval" if self.pattern.data == WEEKLY else "pattern",
            "weekdays": "weekdays" if self.pattern.data == WEEKLY else "month_weekday",
        }.get(error.field, error.field)
        target = self._fields.get(name, self.pattern)
        target.errors = list(target.errors) + [str(error)]
        self._errors = None


class MeetingErrorMixin:
    _MEETING_FIELDS = {"venue": "venue_id", "reason": "reason"}

    def show_meeting_error(self, error) -> str | None:
        """A MeetingError next to its field; one about the whole meeting is returned for the page
        to show on its own."""
        name = self._MEETING_FIELDS.get(error.field, error.field)
        if not (name and name in self):
            return str(error)
        self[name].errors = list(self[name].errors) + [str(error)]
        self._errors = None
        return None


class ConfirmForm(FlaskForm):
    """A "Yes, do it" button: only the CSRF token."""


class CancelMeetingForm(MeetingErrorMixin, FlaskForm):
    reason = TextAreaField(
        "Why is it cancelled?",
        filters=[strip_whitespace],
        validators=[
            DataRequired(message="Say why the meeting is cancelled; members will see it."),
            Length(max=1000, message="Use up to 1000 characters."),
        ],
    )


class MoveMeetingForm(VenueAndLengthMixin, MeetingErrorMixin, FlaskForm):
    local_date = LocalDateField(
        "New date", validators=[InputRequired(message="Enter the date of the meeting.")]
    )
    start_time = ClockTimeField(
        "Start time", validators=[InputRequired(message="Enter the start time, like 18:30.")]
    )
    duration_minutes = _duration_field()
    venue_id = _venue_field()


class AddMeetingForm(MoveMeetingForm):
    local_date = LocalDateField(
        "Date", validators=[InputRequired(message="Enter the date of the meeting.")]
    )
    topic = StringField(
        "Topic (optional)",
        filters=[strip_whitespace],
        validators=[Length(max=200, message="Use up to 200 characters.")],
    )


class MeetingDetailsForm(MeetingErrorMixin, FlaskForm):
    topic = StringField(
        "Topic (optional)",
        filters=[strip_whitespace],
        validators=[Length(max=200, message="Use up to 200 characters.")],
    )
    guest_speaker = StringField(
        "Guest speaker (optional)",
        filters=[strip_whitespace],
        validators=[Length(max=200, message="Use up to 200 characters.")],
    )
    capacity = IntegerField(
        "Places at this meeting",
        validators=[
            Optional(),
            NumberRange(
                min=1,
                max=500,
                message="Use a number from 1 to 500, or leave it empty for the group's usual "
                "number.",
            ),
        ],
    )


def optional_text(value: str | None) -> str | None:
    """An empty text box means "none"."""
    return value or None


def default_meeting_values(meeting, local_start: datetime) -> dict:
    """What the move form starts with: the meeting's own date, time, length and venue."""
    minutes = round((meeting.ends_at - meeting.starts_at).total_seconds() / 60)
    venue = meeting.venue
    return {
        "local_date": local_start.date(),
        "start_time": time(local_start.hour, local_start.minute),
        "duration_minutes": minutes,
        "venue_id": venue.id if venue is not None else None,
    }
