"""The geometry of the attendance chart: one stacked bar per held meeting (members present,
their companions, anonymous walk-ins). The template draws it as inline SVG; colours come from
classes in static/css/reports.css (the CSP allows no style attributes). The table under the
chart has the same figures for screen readers and for reading exact numbers."""

import math
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from groups.attendance.reports import MeetingFigures

WIDTH, HEIGHT = 720, 320
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 16, 44
MOST_DATE_LABELS = 8
MOST_TICKS = 5
PARTS = (  # (figure, class, words)
    ("members_present", "chart-members", "members present"),
    ("companions", "chart-companions", "companions"),
    ("walk_ins", "chart-walk-ins", "anonymous walk-ins"),
)


@dataclass
class Segment:
    y: float
    height: float
    css_class: str


@dataclass
class Bar:
    x: float
    width: float
    segments: list[Segment]
    description: str  # a tooltip (<title>)


@dataclass
class Tick:
    y: float
    value: int


@dataclass
class DateLabel:
    x: float
    text: str


@dataclass
class Chart:
    bars: list[Bar]
    ticks: list[Tick]
    labels: list[DateLabel]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    baseline: int = HEIGHT - BOTTOM
    legend: tuple = tuple((css_class, words) for _name, css_class, words in PARTS)


def _tick_step(largest: int) -> int:
    """1, 2, 5, 10, 20, 50 ...: the smallest that needs at most MOST_TICKS steps."""
    for power in range(0, 7):
        for base in (1, 2, 5):
            step = base * 10**power
            if math.ceil(largest / step) <= MOST_TICKS:
                return step
    return 10**7


def _short_date(instant: datetime, timezone: str) -> str:
    local = instant.astimezone(ZoneInfo(timezone))
    return f"{local.day} {local:%b %Y}" if local.month == 1 else f"{local.day} {local:%b}"


def attendance_chart(meetings: list[MeetingFigures], timezone: str) -> Chart | None:
    """The chart for the held meetings, oldest first; None when there is nothing to draw."""
    held = [meeting for meeting in meetings if not meeting.cancelled]
    if not held:
        return None
    step = _tick_step(max(max(meeting.total for meeting in held), 1))
    top_value = step * math.ceil(max(max(m.total for m in held), 1) / step)
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / len(held)
    bar_width = max(slot * 0.7, 1.0)

    def height_of(value: int) -> float:
        return round(value / top_value * plot_height, 2)

    bars = []
    for index, meeting in enumerate(held):
        x = round(LEFT + index * slot + (slot - bar_width) / 2, 2)
        y = float(HEIGHT - BOTTOM)
        segments = []
        for name, css_class, _words in PARTS:
            value = getattr(meeting, name)
            if value:
                height = height_of(value)
                y = round(y - height, 2)
                segments.append(Segment(y, height, css_class))
        words = ", ".join(f"{getattr(meeting, name)} {label}" for name, _c, label in PARTS)
        when = _short_date(meeting.starts_at, timezone)
        bars.append(Bar(x, round(bar_width, 2), segments, f"{when}: {meeting.total} ({words})"))
    ticks = [
        Tick(round(HEIGHT - BOTTOM - height_of(value), 2), value)
        for value in range(0, top_value + 1, step)
    ]
    every = math.ceil(len(held) / MOST_DATE_LABELS)
    labels = [
        DateLabel(round(LEFT + index * slot + slot / 2, 2), _short_date(m.starts_at, timezone))
        for index, m in enumerate(held)
        if index % every == 0
    ]
    return Chart(bars, ticks, labels)
