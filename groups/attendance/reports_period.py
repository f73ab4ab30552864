"""The period a report covers: two dates, read in one time zone, chosen with a small GET form.

A period runs from the start of its first day to the end of its last day, in the report's time
zone (the group's venue's zone), and never further than now: a report is about what happened.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from wtforms import DateField, Form
from wtforms.validators import Optional

DEFAULT_MONTHS = 3
LONGEST_YEARS = 3


@dataclass(frozen=True)
class Period:
    starts_on: date
    ends_on: date  # included
    timezone: str  # IANA name the dates are read in

    def bounds(self, now: datetime) -> tuple[datetime, datetime]:
        """[start, end) as UTC instants; the end is never later than ``now``."""
        zone = ZoneInfo(self.timezone)
        start = datetime.combine(self.starts_on, time(), zone)
        end = datetime.combine(self.ends_on + timedelta(days=1), time(), zone)
        return start, min(end, now)

    @property
    def label(self) -> str:
        return f"{_day(self.starts_on)} to {_day(self.ends_on)}"

    @property
    def file_label(self) -> str:
        return f"{self.starts_on.isoformat()}-to-{self.ends_on.isoformat()}"


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def default_period(today: date, timezone: str) -> Period:
    """The last three months, today included."""
    return Period(today - relativedelta(months=DEFAULT_MONTHS), today, timezone)


_DATE_MESSAGE = "Enter a date like 2026-08-31."


class ReportPeriodForm(Form):
    """Read from the address (GET), so a report can be bookmarked: ?from=2026-01-01&to=2026-03-31.
    Either date may be left out: the last three months to today are used."""

    starts_on = DateField(
        "From", name="from", validators=[Optional()], invalid_value_message=_DATE_MESSAGE
    )
    ends_on = DateField(
        "To (included)", name="to", validators=[Optional()], invalid_value_message=_DATE_MESSAGE
    )

    def period(self, today: date, timezone: str) -> Period | None:
        """The chosen period, or None with the reason in the form's errors."""
        if not self.validate():
            return None
        ends_on = self.ends_on.data or today
        starts_on = self.starts_on.data or default_period(ends_on, timezone).starts_on
        if starts_on > ends_on:
            self.starts_on.errors.append("The start date must be on or before the end date.")
            return None
        if starts_on < ends_on - relativedelta(years=LONGEST_YEARS):
            self.starts_on.errors.append(
                f"Choose a period of at most {LONGEST_YEARS} years: move the start date later."
            )
            return None
        # Shown filled in, so the person sees the period the figures are for.
        self.starts_on.data, self.ends_on.data = starts_on, ends_on
        return Period(starts_on, ends_on, timezone)
