"""The home page lists the groups anyone may see, with their next meeting."""

from datetime import timedelta

import sqlalchemy as sa

from groups.demo import load_demo
from groups.extensions import db
from groups.organisations.models import Group
from groups.schedules.logic import cancel_meeting
from groups.schedules.models import Meeting


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
