"""Shared fixtures: the app on a database built by migrations, users of every role, and a world
of one organisation with a venue, a group and a weekly schedule.

The suite runs on SQLite by default; with TEST_DATABASE_URL set (as .ci/run does) it runs on that
database instead. Under CI=true any skipped test fails the run.
"""

import os
import uuid
from datetime import time, timedelta

import flask_migrate
import pytest
import sqlalchemy as sa

from groups.extensions import db, limiter
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
from groups.schedules.logic import extend_meetings, horizon_end
from groups.schedules.models import Schedule
from groups.schedules.recurrence import WEEKLY, Rule
from tests.smtp_server import smtp_server  # noqa: F401  (a fixture for every test folder)
from tests.support import IN_CI, make_app, make_user

POSTGRES_ADMIN_URL = os.environ.get(
    "POSTGRES_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        # In CI nothing may quietly not run: a skip is a failure.
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, which counts as a failure: {report.longrepr}"


def create_postgres_database() -> str:
    """A fresh, empty database on the PostgreSQL server; skips (fails in CI) without a server."""
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"circles_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        message = f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {error.orig}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    finally:
        admin.dispose()
    return admin.url.set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = sa.engine.make_url(url).database
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def postgres_url():
    url = create_postgres_database()
    yield url
    drop_postgres_database(url)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    database_url = os.environ.get("TEST_DATABASE_URL")
    if database_url:
        if database_url.startswith("postgresql://"):
            database_url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    else:
        database_url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'circles.sqlite3'}"
    application = make_app(database_url)
    with application.app_context():
        flask_migrate.upgrade()  # the schema comes from migrations, never create_all()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_database(request):
    """Each test starts from empty tables."""
    yield
    if "app" not in request.fixturenames:
        return
    application = request.getfixturevalue("app")
    with application.app_context():
        limiter.reset()
        # The emptied tables bypass the session, so nothing tells the kept pages they are stale.
        application.extensions["content_cache"].clear()
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())


@pytest.fixture
def app_context(app):
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def now():
    return utcnow()


@pytest.fixture
def world(app_context, now):
    """An approved clinic with a venue, a weekly Tuesday 18:30 group, its meetings for 26 weeks,
    and a user of every role."""
    organisation = Organisation(
        name="Test Pain Clinic", slug="test-pain-clinic", kind=OrganisationKind.CLINIC,
        approved_at=now,
    )  # fmt: skip
    venue = Venue(
        organisation=organisation, name="Room 1", address_line1="1 High Street", town="Sheffield",
        country="GB", latitude=53.38, longitude=-1.47, timezone="Europe/London",
        step_free_entrance=True,
    )  # fmt: skip
    group = Group(
        organisation=organisation, name="Tuesday Circle", slug="tuesday-circle",
        kind=GroupKind.PEER_SUPPORT, default_venue=venue, default_capacity=10,
    )  # fmt: skip
    group.conditions = [Condition.CHRONIC_PAIN]
    users = {
        "admin": make_user("Admin"),
        "staff": make_user("Staff"),
        "facilitator": make_user("Facilitator"),
        "member": make_user("Member"),
        "site_admin": make_user("SiteAdmin", is_site_admin=True),
    }
    db.session.add_all([
        OrganisationMember(organisation=organisation, user=users["admin"], role=MemberRole.ADMIN),
        OrganisationMember(organisation=organisation, user=users["staff"], role=MemberRole.STAFF),
    ])  # fmt: skip
    group.facilitators = [users["facilitator"]]
    schedule = Schedule(
        group=group,
        venue=venue,
        rule=Rule(
            frequency=WEEKLY, weekdays=(1,), start_time=time(18, 30), duration_minutes=90,
            timezone="Europe/London", first_date=(now - timedelta(days=30)).date(),
        ),
    )  # fmt: skip
    db.session.add_all([organisation, venue, group, schedule])

    # Another organisation, so every test can check that its people are kept out.
    elsewhere = Organisation(
        name="Elsewhere Centre", slug="elsewhere-centre", kind=OrganisationKind.COMMUNITY_CENTRE,
        approved_at=now,
    )  # fmt: skip
    elsewhere_venue = Venue(
        organisation=elsewhere, name="Hall", address_line1="2 Low Road", town="Leeds",
        country="GB", latitude=53.8, longitude=-1.55, timezone="Europe/London",
    )  # fmt: skip
    elsewhere_group = Group(
        organisation=elsewhere, name="Elsewhere Circle", slug="elsewhere-circle",
        kind=GroupKind.WORKSHOP, default_venue=elsewhere_venue,
    )  # fmt: skip
    users["other_staff"] = make_user("OtherStaff")
    users["other_facilitator"] = make_user("OtherFacilitator")
    db.session.add(
        OrganisationMember(organisation=elsewhere, user=users["other_staff"], role=MemberRole.ADMIN)
    )
    elsewhere_group.facilitators = [users["other_facilitator"]]
    db.session.add_all([elsewhere, elsewhere_venue, elsewhere_group])
    db.session.flush()
    extend_meetings(schedule, now=now, until=horizon_end(now))
    db.session.commit()
    return {
        "organisation": organisation, "venue": venue, "group": group, "schedule": schedule,
        "elsewhere": elsewhere, "elsewhere_venue": elsewhere_venue,
        "elsewhere_group": elsewhere_group,
        **users,
    }  # fmt: skip
