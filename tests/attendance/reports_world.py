"""A small history of attendance to check reports against numbers worked out by hand.

Tuesday Circle (the world's group), in a period well before the world's own schedule starts:

  M1, 70 days ago: Alice present (first time, 1 companion), Bob present (first time), Carol present
      (first time, counted anonymously), Dan marked absent; 2 anonymous walk-ins.
      RSVPs going: Alice, Bob, Carol, Dan; waiting: Erin.
      -> members 3, companions 1, walk-ins 2, total 6, first-timers 3; RSVPs 3 of 4 came.
  M2, 63 days ago: Alice present, Bob present (2 companions), Dan present (first time, came
      without an RSVP), a deleted member's row (first time, no longer linked to anyone).
      RSVPs going: Alice, Bob, Erin (did not come); waiting: Gina, Hal.
      -> members 4, companions 2, walk-ins 0, total 6, first-timers 2; RSVPs 2 of 3 came.
  M3, 56 days ago: cancelled (Alice going, Erin waiting: neither counts).
  M4, 49 days ago: held, attendance never recorded (Bob going: not in the show-up rate).
  M5, 42 days ago: Carol present (anonymously, 1 companion), Alice marked absent; 3 walk-ins.
      RSVPs going: Carol, Alice.
      -> members 1, companions 1, walk-ins 3, total 5, first-timers 0; RSVPs 1 of 2 came.

Thursday Circle (same organisation):
  T1, 60 days ago: Alice present (her first time at this group); 1 walk-in. -> total 2.

Elsewhere Circle (another organisation): E1, 60 days ago: Zed present. Never in these reports.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from groups.attendance.models import Attendance, AttendanceStatus, MeetingHeadcount
from groups.extensions import db
from groups.organisations.models import Group, GroupKind
from groups.rsvps.models import RSVP, RSVPStatus
from groups.schedules.models import Meeting, MeetingStatus
from tests.support import make_user

PRESENT, ABSENT = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT
GOING, WAITING = RSVPStatus.GOING, RSVPStatus.WAITLISTED


def past_meeting(group: Group, now: datetime, days_ago: int, **fields) -> Meeting:
    """A one-off meeting of ``group`` at 17:30 UTC ``days_ago`` days before ``now``."""
    day = (now - timedelta(days=days_ago)).date()
    starts_at = datetime.combine(day, time(17, 30), now.tzinfo)
    meeting = Meeting(
        group=group, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=90),
        local_date=day, **fields,
    )  # fmt: skip
    db.session.add(meeting)
    db.session.flush()
    return meeting


def mark(meeting, user, status=PRESENT, *, companions=0, first_time=False, anonymous=False,
         recorded_by=None) -> Attendance:  # fmt: skip
    row = Attendance(
        meeting=meeting, user=user, status=status, companions=companions, first_time=first_time,
        anonymous=anonymous, recorded_by=recorded_by,
    )  # fmt: skip
    db.session.add(row)
    return row


def rsvp(meeting, user, status=GOING) -> None:
    db.session.add(RSVP(meeting=meeting, user=user, status=status))


def walk_ins(meeting, count: int) -> None:
    db.session.add(MeetingHeadcount(meeting=meeting, walk_ins=count))


@dataclass
class ReportWorld:
    period: dict  # ?from=&to= covering M1..M5 and T1, nothing of the world's own schedule
    meetings: dict[str, Meeting]
    people: dict
    thursday: Group


def build_report_world(world, now: datetime) -> ReportWorld:
    group, facilitator = world["group"], world["facilitator"]
    people = {name: make_user(name) for name in ("Alice", "Bob", "Carol", "Dan", "Erin", "Gina")}
    people["Hal"] = make_user("Hal")
    alice, bob, carol, dan, erin, gina, hal = people.values()
    thursday = Group(
        organisation=world["organisation"], name="Thursday Circle", slug="thursday-circle",
        kind=GroupKind.PEER_SUPPORT, default_venue=world["venue"],
    )  # fmt: skip
    db.session.add(thursday)

    m1 = past_meeting(group, now, 70)
    for person in (alice, bob, carol, dan):
        rsvp(m1, person)
    rsvp(m1, erin, WAITING)
    mark(m1, alice, companions=1, first_time=True, recorded_by=facilitator)
    mark(m1, bob, first_time=True, recorded_by=facilitator)
    mark(m1, carol, first_time=True, anonymous=True, recorded_by=facilitator)
    mark(m1, dan, ABSENT, recorded_by=facilitator)
    walk_ins(m1, 2)

    m2 = past_meeting(group, now, 63)
    for person in (alice, bob, erin):
        rsvp(m2, person)
    rsvp(m2, gina, WAITING)
    rsvp(m2, hal, WAITING)
    mark(m2, alice, recorded_by=facilitator)
    mark(m2, bob, companions=2, recorded_by=facilitator)
    mark(m2, dan, first_time=True, recorded_by=facilitator)
    mark(m2, None, first_time=True)  # a member who has since deleted their account

    m3 = past_meeting(group, now, 56, status=MeetingStatus.CANCELLED, cancel_reason="Venue closed")
    rsvp(m3, alice)
    rsvp(m3, erin, WAITING)

    m4 = past_meeting(group, now, 49)
    rsvp(m4, bob)

    m5 = past_meeting(group, now, 42)
    rsvp(m5, carol)
    rsvp(m5, alice)
    mark(m5, carol, companions=1, anonymous=True, recorded_by=facilitator)
    mark(m5, alice, ABSENT, recorded_by=facilitator)
    walk_ins(m5, 3)

    t1 = past_meeting(thursday, now, 60)
    mark(t1, alice, first_time=True, recorded_by=world["staff"])
    walk_ins(t1, 1)

    e1 = past_meeting(world["elsewhere_group"], now, 60)
    mark(e1, make_user("Zed"), first_time=True)
    walk_ins(e1, 7)
    db.session.commit()

    period = {
        "from": (now - timedelta(days=90)).date().isoformat(),
        "to": (now - timedelta(days=35)).date().isoformat(),
    }
    meetings = {"M1": m1, "M2": m2, "M3": m3, "M4": m4, "M5": m5, "T1": t1, "E1": e1}
    return ReportWorld(period, meetings, people, thursday)
