"""Seed a large, realistic Circles database for the benchmark, fast: `python -m bench.seed`.

The schema comes from the migrations (as in production); rows are generated in Python with a fixed
random seed and bulk-inserted with SQLAlchemy Core (executemany of plain dicts, one transaction per
table), never through the ORM one object at a time. Ids are assigned here (1..N) so foreign keys
need no lookups. Meetings are made by the app's own recurrence code (``occurrences``), the way
``flask meetings extend`` makes them, so running it afterwards creates nothing new.

Every account shares ONE password hash ("bench-password-2026"): hashing 100,000 passwords with
scrypt would take hours. The manifest (bench-results/seed-manifest.json) tells the load runner
which pages, accounts and tokens to use.
"""

import argparse
import enum
import json
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import flask_migrate
import sqlalchemy as sa

from bench.world import SEARCH_RADIUS_KM, World
from groups import create_app
from groups.accounts.models import User
from groups.extensions import db
from groups.finder.places import find_place
from groups.organisations.models import (
    Venue,
)
from groups.schedules.models import Meeting, MeetingStatus
from groups.venues.timezones import distance_km

RESULTS = Path("bench-results")
DEFAULT_DATABASE_URL = f"sqlite:///{RESULTS / 'bench.sqlite3'}"
MANIFEST = RESULTS / "seed-manifest.json"
PASSWORD = "bench-password-2026"
BATCH = 10_000  # rows per executemany


def fresh_database(url: str) -> None:
    """SQLite: delete the file. PostgreSQL: drop and recreate the public schema of the database."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def insert_all(world: World, report) -> dict[str, float]:
    """Each table in one transaction, in batches of BATCH rows; parents before children."""
    timings = {}
    for table in db.metadata.sorted_tables:
        rows = world.tables.get(table)
        if not rows:
            continue
        started = time.perf_counter()
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                copy_rows(connection, table, rows)
            else:
                for start in range(0, len(rows), BATCH):
                    connection.execute(table.insert(), rows[start : start + BATCH])
        timings[table.name] = time.perf_counter() - started
        report(f"  {table.name:<22} {len(rows):>9,} rows  {timings[table.name]:6.1f} s")
    return timings


def copy_rows(connection, table: sa.Table, rows: list[dict]) -> None:
    """PostgreSQL's COPY through psycopg 3: several times faster than executemany. Values go as
    the database stores them (an enum as its value; datetimes are aware UTC already)."""
    columns = list(rows[0])
    quote = connection.dialect.identifier_preparer
    names = ", ".join(quote.quote(name) for name in columns)
    statement = f"COPY {quote.format_table(table)} ({names}) FROM STDIN"
    with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([_plain(row[name]) for name in columns])


def _plain(value):
    return value.value if isinstance(value, enum.Enum) else value


def finish_database(world: World) -> None:
    """PostgreSQL: move each id sequence past the ids given here, so the app can insert. Both:
    ANALYZE, so the planner knows the tables' sizes from the first request."""
    with db.engine.begin() as connection:
        if db.engine.dialect.name == "postgresql":
            for table in world.tables:
                if "id" in table.c and table.c.id.autoincrement is not False:
                    connection.execute(
                        sa.text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :n)"),
                        {
                            "t": f'"{table.name}"',
                            "n": max(row["id"] for row in world.tables[table]),
                        },
                    )
        connection.execute(sa.text("ANALYZE"))


# --- What the load runner needs ---------------------------------------------------------------


def search_place(world: World) -> str:
    """A real town, as people type it, with the most venues within the search radius."""
    venues = world.tables[Venue.__table__]
    candidates = Counter(
        (town["name"], town["countrycode"]) for town in world.home_towns
    ).most_common(20)
    best, best_count = None, -1
    for (name, country), _ in candidates:
        match = find_place(name)
        place = match.place
        if place is None or place.country != country:
            continue
        count = sum(
            1
            for venue in venues
            if abs(venue["latitude"] - place.latitude) < 0.2
            and distance_km(place.latitude, place.longitude, venue["latitude"], venue["longitude"])
            <= SEARCH_RADIUS_KM
        )
        if count > best_count:
            best, best_count = name, count
    return best or world.home_towns[0]["name"]


def manifest(world: World, url: str, counts: dict) -> dict:
    groups = world.group_info
    meetings = world.tables[Meeting.__table__]
    now = world.now
    upcoming = [
        m for m in meetings if m["starts_at"] > now and m["status"] is MeetingStatus.SCHEDULED
    ]
    listed = {g for g, info in groups.items() if info["listed"]}
    busiest = max(
        (m for m in upcoming if m["group_id"] in listed),
        key=lambda m: (world.going_seats.get(m["id"], 0), -m["id"]),
    )
    feed_group = max(
        (g for g in listed if groups[g].get("weekly")),
        key=lambda g: (groups[g]["popularity"], -g),
        default=busiest["group_id"],
    )
    # An RSVP that works every time: a meeting a few weeks ahead with room (or no limit), of a
    # group that takes RSVPs and newcomers, and a member of its pool who has not answered it.
    soon = now + timedelta(days=14)
    open_meeting = next(
        m
        for m in sorted(upcoming, key=lambda m: (m["starts_at"] < soon, m["id"]))
        if m["group_id"] in listed
        and groups[m["group_id"]]["rsvp_open"]
        and groups[m["group_id"]]["newcomers"]
        and (groups[m["group_id"]]["capacity"] or 99) - world.going_seats.get(m["id"], 0) >= 5
        and any(u not in world.rsvp_users.get(m["id"], ()) for u in groups[m["group_id"]]["pool"])
    )
    rsvp_member = next(
        u
        for u in groups[open_meeting["group_id"]]["pool"]
        if u not in world.rsvp_users.get(open_meeting["id"], ())
    )
    place = search_place(world)
    query = urlencode(
        {"place": place, "radius": SEARCH_RADIUS_KM, "unit": "km", "access": "step_free_entrance"}
    )
    return {
        "database_url": url,
        "seeded_at": now.isoformat(),
        "scale": world.scale,
        "counts": counts,
        "seconds": None,  # the whole seed, filled in at the end
        "search": {"place": place, "query": query},
        "group_slug": groups[busiest["group_id"]]["slug"],
        "feed_group_slug": groups[feed_group]["slug"],
        "personal_feed_token": world.feed_token,
        "facilitator": {
            "email": f"facilitator{world.roster['facilitator'] - world.facilitator_base}"
            "@bench.example",
            "password": PASSWORD,
        },
        "roster_meeting_id": world.roster["meeting_id"],
        "rsvp_member": {"email": f"member{rsvp_member}@bench.example", "password": PASSWORD},
        "rsvp_meeting_id": open_meeting["id"],
    }


def seed(url: str, scale: float = 1.0, manifest_path: Path = MANIFEST, report=print) -> dict:
    """Build a fresh database at ``url`` with the migrations and fill it; returns the manifest."""
    started = time.perf_counter()
    fresh_database(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        flask_migrate.upgrade()
        report(f"migrations              {time.perf_counter() - started:6.1f} s")
        user = User(email="x@bench.example", display_name="x")
        user.set_password(PASSWORD)  # once: every account shares this hash
        mark = time.perf_counter()
        world = World(scale, datetime.now(UTC), user.password_hash).build()
        report(f"generating rows         {time.perf_counter() - mark:6.1f} s")
        insert_all(world, report)
        mark = time.perf_counter()
        finish_database(world)
        report(f"sequences + ANALYZE     {time.perf_counter() - mark:6.1f} s")
        counts = {table.name: len(rows) for table, rows in world.tables.items()}
        result = manifest(world, url, counts)
        db.engine.dispose()
    seconds = time.perf_counter() - started
    result["seconds"] = round(seconds, 1)
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    manifest_path.write_text(json.dumps(result, indent=2) + "\n")
    report(f"total                   {seconds:6.1f} s   manifest: {manifest_path}")
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: 100,000 members ...")
    parser.add_argument("--manifest", type=Path, default=MANIFEST)
    args = parser.parse_args(argv)
    seed(database_url(args.database_url), args.scale, args.manifest)


def database_url(url: str) -> str:
    """psycopg 3 for PostgreSQL (as groups/config.py does), and an absolute SQLite path:
    Flask-SQLAlchemy would read a relative one from the instance folder."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return parsed.set(database=str(Path(parsed.database).resolve())).render_as_string(
            hide_password=False
        )
    return url


if __name__ == "__main__":
    main()
