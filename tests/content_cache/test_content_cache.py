"""Kept pages and feeds: what changes the content generation, who gets a kept copy, and that
nobody ever sees a stale one for longer than the rule allows."""

import sqlalchemy as sa

from groups.audit.logic import record_event
from groups.content_cache.logic import ContentCache
from groups.content_cache.models import ContentGeneration
from groups.extensions import db
from groups.feeds import views as feed_views
from groups.feeds.tokens import issue_feed_token
from groups.finder import views as finder_views
from groups.organisations.models import Group
from groups.rsvps.logic import make_rsvp
from groups.schedules.models import Meeting
from tests.support import login_as

GROUP_PAGE = "/groups/tuesday-circle"
GROUP_FEED = "/feeds/groups/tuesday-circle.ics"
SEARCH = "/?place=Sheffield&radius=10&unit=km"


def _generation() -> str | None:
    with db.engine.connect() as connection:  # what is committed, not this session's view
        return connection.scalar(sa.select(ContentGeneration.value))


def _next_meeting(world, now) -> Meeting:
    return db.session.scalar(
        sa.select(Meeting)
        .where(Meeting.group_id == world["group"].id, Meeting.starts_at > now)
        .order_by(Meeting.starts_at)
    )


def test_a_change_to_what_pages_show_gives_a_new_generation(world):
    before = _generation()
    db.session.get(Group, world["group"].id).name = "Tuesday Circle (new)"
    db.session.commit()
    assert _generation() != before


def test_a_change_made_by_a_statement_counts_too(world):
    before = _generation()
    db.session.execute(
        sa.update(Group).where(Group.slug == "tuesday-circle").values(name="Renamed")
    )
    db.session.commit()
    assert _generation() != before


def test_audit_rows_and_reading_pages_leave_the_generation(client, world):
    before = _generation()
    record_event(world["admin"], "test.viewed", world["group"])
    db.session.commit()
    for path in (GROUP_PAGE, GROUP_FEED, SEARCH, "/", "/sign-in", "/privacy"):
        assert client.get(path).status_code == 200, path
    assert _generation() == before


def test_a_visitor_sees_a_new_answer_at_once(client, world, now):
    assert "0 people are going" in client.get(GROUP_PAGE).text
    make_rsvp(_next_meeting(world, now).id, world["member"], companions=0, now=now)
    db.session.commit()
    assert "1 person is going" in client.get(GROUP_PAGE).text


def test_another_process_change_shows_within_the_recheck_interval(app, client, world, monkeypatch):
    assert "Tuesday Circle" in client.get(GROUP_PAGE).text
    # Another process renames the group: its commit also gives a new generation.
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with engine.begin() as connection:
        connection.execute(
            sa.text('UPDATE "group" SET name = :name WHERE slug = :slug'),
            {"name": "Thursday Circle", "slug": "tuesday-circle"},
        )
        connection.execute(sa.text("UPDATE content_generation SET value = 'elsewhere'"))
    engine.dispose()
    db.session.commit()  # the test's own session (the requests share it) sees the change too

    monkeypatch.setitem(app.config, "CONTENT_CACHE_RECHECK_SECONDS", 3600)
    assert "Thursday Circle" not in client.get(GROUP_PAGE).text  # not yet looked again
    monkeypatch.setitem(app.config, "CONTENT_CACHE_RECHECK_SECONDS", 0)
    assert "Thursday Circle" in client.get(GROUP_PAGE).text


def test_a_signed_in_member_never_gets_the_visitors_copy(app, client, world, now):
    visitor = client.get(GROUP_PAGE)
    assert "Set-Cookie" not in visitor.headers  # a shared page carries no one's session
    assert "Cancel my place" not in visitor.text
    make_rsvp(_next_meeting(world, now).id, world["member"], companions=0, now=now)
    db.session.commit()

    member = app.test_client()
    login_as(member, world["member"])
    page = member.get(GROUP_PAGE).text
    assert "You're going" in page and "Cancel my place" in page


def test_a_visitor_with_a_message_waiting_gets_their_own_page(app, client, world):
    client.get(GROUP_PAGE)
    with client.session_transaction() as session:
        session["_flashes"] = [("message", "You have been signed out.")]
    assert "You have been signed out." in client.get(GROUP_PAGE).text
    assert "You have been signed out." not in app.test_client().get(GROUP_PAGE).text


def test_a_search_page_is_kept_only_when_it_found_its_place(client, world, monkeypatch):
    assert "Tuesday Circle" in client.get(SEARCH).text
    assert client.get("/?place=Nowhereville&radius=10&unit=km").status_code == 400

    def must_not_search(*_args, **_kwargs):
        raise AssertionError("the kept page was searched again")

    monkeypatch.setattr(finder_views, "search_groups", must_not_search)
    assert "Tuesday Circle" in client.get(SEARCH).text
    assert client.get("/?place=Nowhereville&radius=10&unit=km").status_code == 400


def test_a_feed_whose_own_version_holds_is_not_built_again(client, world, monkeypatch):
    first = client.get(GROUP_FEED)
    world["elsewhere_group"].name = "Elsewhere Circle (new)"  # a new generation, not this feed
    db.session.commit()

    def must_not_build(*_args, **_kwargs):
        raise AssertionError("the calendar was built again for the same version")

    monkeypatch.setattr(feed_views, "group_calendar", must_not_build)
    again = client.get(GROUP_FEED)
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]


def test_a_revoked_calendar_address_stops_at_once(client, world, now):
    token = issue_feed_token(world["member"], now=now)
    db.session.commit()
    address = f"/feeds/personal/{token}.ics"
    assert client.get(address).status_code == 200

    issue_feed_token(world["member"], now=now)  # a new address revokes the old one
    db.session.commit()
    assert client.get(address).status_code == 404


def test_copies_older_than_the_maximum_age_are_built_again(app, client, world, monkeypatch):
    client.get(SEARCH)
    calls = []
    search = finder_views.search_groups
    monkeypatch.setattr(
        finder_views, "search_groups", lambda *args: calls.append(1) or search(*args)
    )
    monkeypatch.setitem(app.config, "CONTENT_CACHE_MAX_AGE_SECONDS", 0)
    client.get(SEARCH)
    assert calls


def test_kept_copies_stay_within_the_memory_bound(app, app_context, monkeypatch):
    monkeypatch.setitem(app.config, "CONTENT_CACHE_MAX_BYTES", 1000)
    cache = ContentCache(app)
    for number in range(10):
        cache.get_or_build(number, lambda _stale, number=number: str(number) * 300)
    assert cache.kept_bytes <= 1000
    built = []
    cache.get_or_build(9, lambda _stale: built.append(9) or "9" * 300)  # the newest is kept
    cache.get_or_build(0, lambda _stale: built.append(0) or "0" * 300)  # the oldest went first
    assert built == [0]
