"""The benchmark's seed: a tiny scale of the same world, whose pages answer and whose meetings
are the ones the app itself would have made."""

import json
from datetime import datetime

import pytest
import sqlalchemy as sa

from bench.seed import PASSWORD, seed
from bench.world import FULL_SCALE
from groups.accounts.models import User
from groups.extensions import db
from groups.rsvps.models import RSVP
from groups.schedules.logic import extend_all_meetings
from tests.support import login_as, make_app

SCALE = 0.002


def seeded(url: str, tmp_path) -> tuple[dict, object]:
    manifest_path = tmp_path / "seed-manifest.json"
    manifest = seed(url, SCALE, manifest_path, report=lambda _line: None)
    assert json.loads(manifest_path.read_text()) == manifest
    return manifest, make_app(url)


def check_seeded_world(manifest: dict, app) -> None:
    counts = manifest["counts"]
    expected = {name: round(count * SCALE) for name, count in FULL_SCALE.items()}
    assert counts["organisation"] == expected["organisations"]
    assert counts["venue"] == expected["venues"]
    assert counts["group"] == counts["schedule"] == expected["groups"]
    # Members, an admin and a staff member per organisation, a facilitator per group.
    assert (
        counts["user"] == expected["members"] + 2 * expected["organisations"] + expected["groups"]
    )
    assert expected["rsvps"] * 0.75 <= counts["rsvp"] <= expected["rsvps"] * 1.1
    assert expected["attendance"] * 0.75 <= counts["attendance"] <= expected["attendance"] * 1.1
    assert counts["meeting"] > expected["groups"] * 6  # 8 weeks back and 26 ahead

    with app.app_context():
        for table, count in counts.items():
            assert (
                db.session.scalar(sa.select(sa.func.count()).select_from(sa.table(table))) == count
            )
        if db.engine.dialect.name == "sqlite":
            assert db.session.execute(sa.text("PRAGMA foreign_key_check")).all() == []
        # The seeded meetings are exactly the app's: extending again creates none.
        seeded_at = datetime.fromisoformat(manifest["seeded_at"])
        assert extend_all_meetings(now=seeded_at) == 0
        db.session.rollback()
        facilitator, member = (
            db.session.scalar(sa.select(User).where(User.email == manifest[role]["email"]))
            for role in ("facilitator", "rsvp_member")
        )
        assert facilitator.check_password(PASSWORD)
        answered = sa.select(RSVP).where(
            RSVP.user_id == member.id, RSVP.meeting_id == manifest["rsvp_meeting_id"]
        )
        assert db.session.scalar(answered) is None
        db.session.remove()

    client = app.test_client()
    pages = [
        f"/groups/{manifest['group_slug']}",
        f"/?{manifest['search']['query']}",
        f"/feeds/groups/{manifest['feed_group_slug']}.ics",
        f"/feeds/personal/{manifest['personal_feed_token']}.ics",
    ]
    for page in pages:
        assert client.get(page).status_code == 200, page
    with app.app_context():
        login_as(client, member)
    assert client.get(f"/meetings/{manifest['rsvp_meeting_id']}/rsvp").status_code == 200
    with app.app_context():
        login_as(client, facilitator)
    roster = client.get(f"/manage/meetings/{manifest['roster_meeting_id']}/attendance")
    assert roster.status_code == 200
    assert b"hasn&#39;t started yet" not in roster.data


def test_seed_fills_sqlite_with_a_world_whose_pages_answer(tmp_path):
    url = f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    manifest, app = seeded(url, tmp_path)
    check_seeded_world(manifest, app)


@pytest.mark.postgres
def test_seed_fills_postgresql_and_leaves_its_sequences_ready(postgres_url, tmp_path):
    manifest, app = seeded(postgres_url, tmp_path)
    check_seeded_world(manifest, app)
    with app.app_context():
        # The app can insert after the seed: the id sequences start past the seeded ids.
        next_id = db.session.scalar(
            sa.text("SELECT nextval(pg_get_serial_sequence('\"user\"', 'id'))")
        )
        assert next_id == manifest["counts"]["user"] + 1
        db.session.remove()
        db.engine.dispose()
