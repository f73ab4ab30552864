"""`flask seed-demo`: realistic, plainly fictional data for trying Circles out.

Every name, email and organisation here is made up; the towns and coordinates are real places.
"""

from datetime import time, timedelta

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from groups.accounts.models import User
from groups.attendance.models import Attendance, AttendanceStatus, MeetingHeadcount
from groups.extensions import db
from groups.models import utcnow
from groups.organisations.models import (
    Condition,
    Group,
    GroupKind,
    MemberRole,
    Organisation,
    OrganisationKind,
    OrganisationMember,
    Venue,
)
from groups.rsvps.models import RSVP, RSVPStatus
from groups.schedules.logic import add_one_off_meeting, extend_meetings, horizon_end
from groups.schedules.models import Meeting, Schedule
from groups.schedules.recurrence import MONTHLY_WEEKDAY, WEEKLY, Rule

DEMO_PASSWORD = "circles-demo-2026"

PEOPLE = [
    # (email, display name, what they can do)
    ("admin@circles.example", "Site admin", "site admin: approves organisations"),
    ("priya@riverside-hospital.example", "Priya (clinic admin)", "admin of Riverside Hospital Pain Clinic"),
    ("tom@riverside-hospital.example", "Tom (clinic staff)", "staff at Riverside Hospital Pain Clinic"),
    ("grace@millbrook-centre.example", "Grace (centre admin)", "admin of Millbrook Community Centre"),
    ("sam@paintogether.example", "Sam (charity admin)", "admin of Pain Together Leeds"),
    ("ali@circles.example", "Ali (facilitator)", "facilitates two Sheffield groups"),
    ("jo@circles.example", "Jo (facilitator)", "facilitates the Leeds group"),
    ("maria@circles.example", "Maria", "member"),
    ("dev@circles.example", "Dev", "member who brings a carer"),
    ("kim@circles.example", "Kim", "member"),
    ("morgan@circles.example", "Morgan", "member"),
    ("rowan@circles.example", "Rowan", "member"),
]  # fmt: skip


def _venue(organisation, **fields) -> Venue:
    venue = Venue(organisation=organisation, country="GB", timezone="Europe/London", **fields)
    db.session.add(venue)
    return venue


def load_demo() -> dict[str, User]:
    """Create the demo world; the caller commits."""
    now = utcnow()
    users = {}
    for email, name, _role in PEOPLE:
        user = User(email=email, display_name=name, email_verified_at=now)
        user.set_password(DEMO_PASSWORD)
        users[email.split("@")[0]] = user
        db.session.add(user)
    users["admin"].is_site_admin = True

    hospital = Organisation(
        name="Riverside Hospital Pain Clinic",
        slug="riverside-hospital-pain-clinic",
        kind=OrganisationKind.HOSPITAL,
        contact_email="painclinic@riverside-hospital.example",
        contact_phone="0114 496 0000",
        website="https://riverside-hospital.example/pain",
        approved_at=now,
    )
    centre = Organisation(
        name="Millbrook Community Centre",
        slug="millbrook-community-centre",
        kind=OrganisationKind.COMMUNITY_CENTRE,
        contact_email="hello@millbrook-centre.example",
        contact_phone="0114 496 0123",
        approved_at=now,
    )
    charity = Organisation(
        name="Pain Together Leeds",
        slug="pain-together-leeds",
        kind=OrganisationKind.CHARITY,
        contact_email="groups@paintogether.example",
        website="https://paintogether.example",
        approved_at=now,
    )
    db.session.add_all([hospital, centre, charity])
    for organisation, user, role in [
        (hospital, users["priya"], MemberRole.ADMIN),
        (hospital, users["tom"], MemberRole.STAFF),
        (centre, users["grace"], MemberRole.ADMIN),
        (charity, users["sam"], MemberRole.ADMIN),
    ]:
        db.session.add(OrganisationMember(organisation=organisation, user=user, role=role))

    clinic_room = _venue(
        hospital,
        name="Outpatients Building, Room 2",
        address_line1="12 Riverside Road",
        town="Sheffield",
        postcode="S10 2XX",
        latitude=53.3776,
        longitude=-1.4930,
        step_free_entrance=True,
        lift=True,
        accessible_toilet=True,
        seating_with_back_support=True,
        space_to_stand_and_move=True,
        hearing_loop=True,
        parking_distance_m=50,
        public_transport_notes="Bus 52 and 120 stop outside the main entrance.",
        accessibility_notes="Follow the green signs from the main entrance; Room 2 is on the ground floor.",
    )
    hall = _venue(
        centre,
        name="Millbrook Community Centre, Garden Room",
        address_line1="3 Millbrook Lane",
        town="Sheffield",
        postcode="S6 1XX",
        latitude=53.4035,
        longitude=-1.5030,
        step_free_entrance=True,
        accessible_toilet=True,
        seating_with_back_support=True,
        quiet_room=True,
        parking_distance_m=200,
        public_transport_notes="Tram stop Millbrook Park is a 5-minute level walk.",
    )
    leeds = _venue(
        charity,
        name="Pain Together Hub",
        address_line1="40 Kirkgate Walk",
        town="Leeds",
        postcode="LS2 7XX",
        latitude=53.7960,
        longitude=-1.5400,
        step_free_entrance=False,
        lift=False,
        seating_with_back_support=True,
        space_to_stand_and_move=True,
        accessibility_notes="Two steps at the door with a handrail; staff can bring a portable ramp.",
        public_transport_notes="5 minutes from Leeds station.",
    )

    def group(organisation, venue, **fields) -> Group:
        conditions = fields.pop("conditions")
        created = Group(organisation=organisation, default_venue=venue, **fields)
        created.conditions = conditions
        db.session.add(created)
        return created

    tuesday = group(
        hospital,
        clinic_room,
        name="Living Well with Pain: Tuesday evenings",
        slug="living-well-with-pain-tuesday",
        kind=GroupKind.PEER_SUPPORT,
        default_capacity=12,
        conditions=[Condition.CHRONIC_PAIN, Condition.BACK_PAIN],
        description="A relaxed peer group for anyone living with **long-term pain**.\n\n"
        "- share what helps\n- tea and biscuits\n- stand, stretch or lie down whenever you need",
        who_it_is_for="Adults living with any long-term pain, and the people who support them.",
        first_time_expectations="Come as you are. You don't have to talk: many people just listen "
        "the first time. Ali will meet you at the door.",
    )
    programme = group(
        hospital,
        clinic_room,
        name="Pain Management Programme",
        slug="pain-management-programme",
        kind=GroupKind.THERAPY,
        default_capacity=8,
        conditions=[Condition.CHRONIC_PAIN],
        description="A fortnightly group led by a clinical psychologist and a physiotherapist, "
        "using approaches from CBT and ACT.",
        who_it_is_for="Patients of the clinic, referred by their pain consultant or GP.",
        first_time_expectations="Sessions last 90 minutes with a break; chairs and mats are provided.",
    )
    fibro = group(
        centre,
        hall,
        name="Fibromyalgia Friends",
        slug="fibromyalgia-friends",
        kind=GroupKind.PEER_SUPPORT,
        default_capacity=None,
        conditions=[Condition.FIBROMYALGIA, Condition.CHRONIC_PAIN],
        description="We meet on the 2nd Tuesday of each month for an afternoon chat.",
        who_it_is_for="Anyone with fibromyalgia, diagnosed or waiting for a diagnosis.",
        first_time_expectations="A warm welcome, a quiet room if you need a break.",
    )
    workshop = group(
        centre,
        hall,
        name="Pacing and Sleep Workshop",
        slug="pacing-and-sleep-workshop",
        kind=GroupKind.WORKSHOP,
        default_capacity=15,
        conditions=[Condition.CHRONIC_PAIN, Condition.ARTHRITIS],
        description="Practical workshops on pacing activity and sleeping better with pain.",
        who_it_is_for="Adults with long-term pain.",
        first_time_expectations="Bring a notebook if you like; handouts are in large print.",
    )
    migraine = group(
        charity,
        leeds,
        name="Migraine & Headache Circle",
        slug="migraine-headache-circle",
        kind=GroupKind.PEER_SUPPORT,
        default_capacity=10,
        conditions=[Condition.MIGRAINE],
        description="Saturday morning support for people living with migraine. Lights are kept low.",
        who_it_is_for="Adults with migraine or cluster headache.",
        first_time_expectations="The room is dimly lit and quiet; sunglasses are welcome.",
    )
    tuesday.facilitators = [users["ali"]]
    fibro.facilitators = [users["ali"]]
    migraine.facilitators = [users["jo"]]
    programme.facilitators = [users["tom"]]

    today = now.date()
    start = today - timedelta(weeks=8)
    schedules = [
        Schedule(group=tuesday, venue=clinic_room, rule=Rule(
            frequency=WEEKLY, weekdays=(1,), start_time=time(18, 30), duration_minutes=90,
            timezone="Europe/London", first_date=start)),
        Schedule(group=programme, venue=clinic_room, rule=Rule(
            frequency=WEEKLY, interval=2, weekdays=(3,), start_time=time(10, 0),
            duration_minutes=90, timezone="Europe/London", first_date=start)),
        Schedule(group=fibro, venue=hall, rule=Rule(
            frequency=MONTHLY_WEEKDAY, weekdays=(1,), week_of_month=2, start_time=time(14, 0),
            duration_minutes=120, timezone="Europe/London", first_date=start)),
        Schedule(group=workshop, venue=hall, rule=Rule(
            frequency=MONTHLY_WEEKDAY, weekdays=(5,), week_of_month=-1, start_time=time(11, 0),
            duration_minutes=120, timezone="Europe/London", first_date=start)),
        Schedule(group=migraine, venue=leeds, rule=Rule(
            frequency=WEEKLY, weekdays=(5,), start_time=time(10, 30), duration_minutes=90,
            timezone="Europe/London", first_date=start)),
    ]  # fmt: skip
    db.session.add_all(schedules)
    db.session.flush()
    past_start = now - timedelta(weeks=8)
    for schedule in schedules:
        extend_meetings(schedule, now=past_start, until=horizon_end(now))
    add_one_off_meeting(
        workshop,
        local_date=today + timedelta(days=17),
        start_time=time(14, 0),
        duration_minutes=90,
        venue=hall,
        now=now,
        topic="Extra session: sleep and pain",
    )
    db.session.flush()
    _answer_meetings(users, [tuesday, fibro, migraine], now)
    return users


def _answer_meetings(users, groups, now) -> None:
    """Some RSVPs for coming meetings and attendance at past ones."""
    members = [users[name] for name in ("maria", "dev", "kim", "morgan", "rowan")]
    for index, group in enumerate(groups):
        meetings = db.session.scalars(
            sa.select(Meeting).where(Meeting.group_id == group.id).order_by(Meeting.starts_at)
        ).all()
        past = [meeting for meeting in meetings if meeting.ends_at < now]
        coming = [meeting for meeting in meetings if meeting.starts_at > now][:3]
        facilitator = group.facilitators[0]
        for number, meeting in enumerate(past):
            for position, member in enumerate(members):
                if (number + position + index) % 3 == 0:
                    continue
                present = (number + position) % 4 != 0
                db.session.add(Attendance(
                    meeting=meeting, user=member, recorded_by=facilitator,
                    status=AttendanceStatus.PRESENT if present else AttendanceStatus.ABSENT,
                    companions=1 if member is users["dev"] else 0,
                ))  # fmt: skip
            db.session.add(
                MeetingHeadcount(
                    meeting=meeting, walk_ins=number % 3, recorded_by_id=facilitator.id
                )
            )
        for meeting in coming:
            for member in members[: 3 + index]:
                db.session.add(RSVP(
                    meeting=meeting, user=member, status=RSVPStatus.GOING,
                    companions=1 if member is users["dev"] else 0,
                ))  # fmt: skip


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load demo organisations, groups, meetings and users, if the database is empty."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(User)):
        click.echo("The database already has data; demo data not loaded.")
        return
    load_demo()
    db.session.commit()
    click.echo("Demo data loaded. Sign in at http://127.0.0.1:5000/sign-in with:")
    for email, name, role in PEOPLE:
        click.echo(f"  {email:36} password {DEMO_PASSWORD}   {name}: {role}")
