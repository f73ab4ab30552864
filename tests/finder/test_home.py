"""The home page asks where you are (the search: tests/finder/test_search*.py) and, until you
say, lists the groups anyone may see, with their next meeting."""

from datetime import time, timedelta

import sqlalchemy as sa

from groups.demo import load_demo
from groups.extensions import db
from groups.organisations.models import Group
from groups.schedules.logic import add_one_off_meeting, cancel_meeting
from groups.schedules.models import Meeting
from tests.support import QueryCounter


def test_home_page_lists_the_demo_groups(app_context, client):
    load_demo()
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    for name in db.session.scalars(sa.select(Group.name)):
        assert name.replace("&", "&amp;") in page
    assert "Next meeting:" in page
    assert "Step-free entrance" in page


def test_home_page_shows_no_member_names(app_context, client):
    users = load_demo()
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    for key in ("maria", "dev", "kim", "morgan", "rowan"):
        assert users[key].display_name not in page
        assert users[key].email not in page


def test_unapproved_organisations_and_unlisted_groups_are_not_shown(world, client):
    world["organisation"].approved_at = None
    db.session.commit()
    assert "Tuesday Circle" not in client.get("/").get_data(as_text=True)
    world["organisation"].approved_at = world["group"].created_at
    world["group"].is_listed = False
    db.session.commit()
    assert "Tuesday Circle" not in client.get("/").get_data(as_text=True)


def test_next_meeting_skips_a_cancelled_one(world, client, now):
    first = db.session.scalars(
        sa.select(Meeting).where(Meeting.group_id == world["group"].id).order_by(Meeting.starts_at)
    ).first()
    cancel_meeting(first, "Room closed", now=now)
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    second_day = first.starts_at + timedelta(days=7)
    assert f"{second_day.day} {second_day:%B}" in page


def test_seed_demo_command_loads_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0 and "circles-demo-2026" in first.output
    second = runner.invoke(args=["seed-demo"])
    assert "already has data" in second.output


def test_group_page_shows_the_group_and_marks_cancelled_meetings(world, client, now):
    first = db.session.scalars(
        sa.select(Meeting).where(Meeting.group_id == world["group"].id).order_by(Meeting.starts_at)
    ).first()
    cancel_meeting(first, "Room closed for repairs", now=now)
    db.session.commit()
    page = client.get("/groups/tuesday-circle").get_data(as_text=True)
    assert "<h1>Tuesday Circle</h1>" in page
    assert "Cancelled:" in page and "Room closed for repairs" in page
    assert "Step-free entrance" in page


def test_script_in_a_group_description_is_not_executed_on_its_page(world, client):
    world["group"].description = "Hi <script>alert(1)</script><img src=x onerror=alert(2)> **all**"
    db.session.commit()
    page = client.get("/groups/tuesday-circle").get_data(as_text=True)
    assert "<script>alert" not in page and "onerror" not in page
    assert "<strong>all</strong>" in page


def test_group_page_of_an_unapproved_organisation_is_not_found(world, client):
    world["organisation"].approved_at = None
    db.session.commit()
    assert client.get("/groups/tuesday-circle").status_code == 404
    assert client.get("/groups/no-such-group").status_code == 404


def test_home_page_query_count_does_not_grow_with_the_number_of_groups(world, client, now):
    def queries_for_home() -> int:
        db.session.expire_all()
        with QueryCounter(db.engine) as counter:
            assert client.get("/").status_code == 200
        return counter.count

    def add_groups(how_many: int, start: int) -> None:
        for number in range(start, start + how_many):
            copy = Group(
                organisation=world["organisation"], name=f"Extra {number}", slug=f"extra-{number}",
                kind=world["group"].kind, default_venue=world["venue"],
            )  # fmt: skip
            db.session.add(copy)
            add_one_off_meeting(
                copy, local_date=(now + timedelta(days=3)).date(), start_time=time(10, 0),
                duration_minutes=60, venue=world["venue"], now=now,
            )  # fmt: skip
        db.session.commit()

    add_groups(1, start=0)
    few = queries_for_home()
    add_groups(10, start=1)
    assert queries_for_home() == few <= 8


def test_home_page_asks_where_you_are_above_all_the_groups(world, client):
    page = client.get("/").get_data(as_text=True)
    assert "Where are you?" in page and 'name="place"' in page
    assert '<form method="get" action="/"' in page
    assert "All groups" in page and "Tuesday Circle" in page
