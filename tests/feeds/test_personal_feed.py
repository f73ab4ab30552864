"""A member's personal feed: secret address, regenerate and revoke, discreet mode, no cookie,
private caching, and the token kept out of the logs."""

import logging
import re
import threading
import urllib.request

import pytest
from werkzeug.serving import make_server

from groups.extensions import db
from groups.feeds.models import FeedToken
from groups.feeds.tokens import hash_token, issue_feed_token
from groups.rsvps.logic import make_rsvp
from groups.schedules.logic import cancel_meeting
from groups.schedules.models import Meeting
from tests.feeds.helpers import assert_well_formed
from tests.support import login_as


def _meetings(world, count=3) -> list[Meeting]:
    return list(
        db.session.scalars(
            db.select(Meeting)
            .where(Meeting.group_id == world["group"].id)
            .order_by(Meeting.starts_at)
            .limit(count)
        )
    )


def _address(response) -> str:
    return re.search(r'value="(http://localhost/feeds/personal/[^"]+)"', response.text).group(1)


@pytest.fixture
def member_answers(world, now):
    """The member is going to the first meeting and waiting for a place at the second."""
    first, second, third = _meetings(world)
    second.capacity = 1
    make_rsvp(first.id, world["member"], companions=0, now=now)
    make_rsvp(second.id, world["staff"], companions=0, now=now)
    make_rsvp(second.id, world["member"], companions=0, now=now)
    make_rsvp(third.id, world["staff"], companions=0, now=now)  # someone else's
    db.session.commit()
    return first, second, third


def test_member_makes_an_address_and_sees_going_and_waiting(client, world, member_answers):
    login_as(client, world["member"])
    page = client.post("/settings/calendar/new")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "private, no-store"
    assert page.headers["Referrer-Policy"] == "same-origin"
    address = _address(page)
    token = address.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 43
    stored = db.session.scalars(db.select(FeedToken.token_hash)).all()
    assert stored == [hash_token(token)]  # only the hash is kept

    client.delete_cookie("session")
    response = client.get(address)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Robots-Tag"] == "noindex"
    calendar = assert_well_formed(response.data)
    first, second, _third = member_answers
    statuses = {str(e["UID"]): str(e["STATUS"]) for e in calendar.walk("VEVENT")}
    assert statuses == {
        f"meeting-{first.id}@127.0.0.1": "CONFIRMED",
        f"meeting-{second.id}@127.0.0.1": "TENTATIVE",
    }
    assert b"Member" not in response.data and b"example.org" not in response.data


def test_a_cancelled_meeting_shows_as_cancelled(client, world, member_answers, now):
    cancel_meeting(member_answers[0], "Snow", now=now)
    token = issue_feed_token(world["member"], now=now)
    db.session.commit()
    data = client.get(f"/feeds/personal/{token}.ics").data
    event = [e for e in assert_well_formed(data).walk("VEVENT") if e["STATUS"] == "CANCELLED"]
    assert len(event) == 1 and "Snow" in event[0]["DESCRIPTION"]


def test_discreet_mode_hides_the_group(client, world, member_answers, now):
    world["member"].discreet_calendar = True
    token = issue_feed_token(world["member"], now=now)
    db.session.commit()
    data = client.get(f"/feeds/personal/{token}.ics").data
    calendar = assert_well_formed(data)
    assert {str(e["SUMMARY"]) for e in calendar.walk("VEVENT")} == {"Tuesday meeting"}
    assert b"Tuesday Circle" not in data and b"Room 1" not in data and b"Pain" not in data


def test_the_feed_sets_no_cookie_even_for_a_signed_in_browser(client, world, member_answers, now):
    token = issue_feed_token(world["member"], now=now)
    db.session.commit()
    login_as(client, world["member"])
    with client.session_transaction() as session:
        session.permanent = True  # Flask would refresh such a cookie on every request

    response = client.get(f"/feeds/personal/{token}.ics")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    missing = client.get("/feeds/personal/not-a-token.ics")
    assert missing.status_code == 404 and "Set-Cookie" not in missing.headers


def test_a_new_address_stops_the_old_one_at_once(client, world, member_answers):
    login_as(client, world["member"])
    old = _address(client.post("/settings/calendar/new"))
    new = _address(client.post("/settings/calendar/new"))

    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_revoking_stops_the_address(client, world, member_answers):
    login_as(client, world["member"])
    address = _address(client.post("/settings/calendar/new"))
    page = client.get("/settings/calendar").text
    assert "You have a calendar address" in page and address not in page  # never shown again

    response = client.post("/settings/calendar/revoke")

    assert response.status_code == 302
    assert client.get(address).status_code == 404
    assert "no calendar address" in client.get("/settings/calendar").text


def test_personal_feed_answers_304(client, world, member_answers, now):
    token = issue_feed_token(world["member"], now=now)
    db.session.commit()
    first = client.get(f"/feeds/personal/{token}.ics")
    again = client.get(
        f"/feeds/personal/{token}.ics", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    make_rsvp(_meetings(world, 4)[3].id, world["member"], companions=0, now=now)
    db.session.commit()
    changed = client.get(
        f"/feeds/personal/{token}.ics", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert changed.status_code == 200


def test_anonymous_people_are_sent_to_sign_in(client, world):
    for method, path in [
        ("GET", "/settings/calendar"),
        ("POST", "/settings/calendar/new"),
        ("POST", "/settings/calendar/revoke"),
    ]:
        response = client.open(path, method=method)
        assert response.status_code == 302
        assert "/sign-in" in response.headers["Location"]


def test_another_member_cannot_revoke_someone_elses_address(client, world, now):
    token = issue_feed_token(world["member"], now=now)
    db.session.commit()
    login_as(client, world["staff"])

    client.post("/settings/calendar/revoke")

    assert client.get(f"/feeds/personal/{token}.ics").status_code == 200


def test_forms_need_a_csrf_token(app, client, world):
    login_as(client, world["member"])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post("/settings/calendar/new").status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_the_token_never_reaches_the_request_log(app, world, member_answers, now, caplog):
    token = issue_feed_token(world["member"], now=now)
    db.session.commit()
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            url = f"http://127.0.0.1:{server.server_port}/feeds/personal/{token}.ics"
            with urllib.request.urlopen(url) as response:
                assert response.status == 200
    finally:
        server.shutdown()
        thread.join()

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "/feeds/personal/[hidden]" in logged
    assert token not in logged
