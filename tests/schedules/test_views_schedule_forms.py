"""Staff add and change a group's schedule: a preview of the dates before saving, a warning when
the clocks change, a "what will change" step before an edit, and nothing saved from bad input."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from groups.audit.models import AuditEvent
from groups.extensions import db
from groups.rsvps.models import RSVP, RSVPStatus
from groups.schedules.models import Meeting, MeetingChange, MeetingStatus, Schedule
from tests.support import login_as

LONDON = ZoneInfo("Europe/London")


def good_schedule(world, **change) -> dict:
    data = {
        "pattern": "weekly", "interval": "1", "weekdays": ["0"], "week_of_month": "1",
        "month_weekday": "0", "day_of_month": "1", "start_time": "10:00",
        "duration_minutes": "90", "venue_id": str(world["venue"].id),
        "first_date": (date.today() + timedelta(days=1)).isoformat(), "end": "never",
        "last_date": "", "occurrence_count": "", "action": "save",
    }  # fmt: skip
    data.update(change)
    return data


def new_url(world) -> str:
    return f"/manage/groups/{world['group'].id}/schedules/new"


def edit_url(world) -> str:
    return f"/manage/schedules/{world['schedule'].id}/edit"


def counts() -> tuple[int, int]:
    return (
        db.session.scalar(sa.select(sa.func.count()).select_from(Schedule)),
        db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)),
    )


def error_for(html: str, field_id: str) -> str:
    found = re.search(rf'<p class="error" id="{field_id}-error">(.*?)</p>', html, re.S)
    return found.group(1) if found else ""


def preview_starts(html: str) -> list[datetime]:
    section = html[html.index('class="preview-dates"') :]
    section = section[: section.index("</ol>")]
    return [datetime.fromisoformat(value) for value in re.findall(r'datetime="([^"]+)"', section)]


def meetings_of(schedule_id: int) -> list[Meeting]:
    return db.session.scalars(
        sa.select(Meeting).where(Meeting.schedule_id == schedule_id).order_by(Meeting.starts_at)
    ).all()


def newest_schedule(world) -> Schedule:
    return db.session.scalar(
        sa.select(Schedule)
        .where(Schedule.group_id == world["group"].id)
        .order_by(Schedule.id.desc())
        .limit(1)
    )


# --- Adding a schedule -----------------------------------------------------------------------


def test_the_new_schedule_form_is_plain_and_complete_without_javascript(client, world):
    login_as(client, world["staff"])
    html = client.get(new_url(world)).get_data(as_text=True)
    for words in [
        "How often does the group meet?", "Every week, or every few weeks", "Once a month",
        "On these days", "Which one in the month", "Day of the month", "Start time",
        "How long it lasts", "1 hour 30 minutes", "Venue", "Date of the first meeting",
        "When does it end?", "Last meeting date", "Number of meetings", "Preview the dates",
        "Save the schedule", "Room 1, Sheffield",
    ]:  # fmt: skip
        assert words in html, words
    assert "<script" not in html and "style=" not in html


def test_preview_shows_the_next_eight_dates_and_saves_nothing(client, world):
    login_as(client, world["staff"])
    before = counts()
    response = client.post(new_url(world), data=good_schedule(world, action="preview"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The next 8 meetings" in html
    assert len(preview_starts(html)) == 8
    assert all(start.hour == 10 and start.weekday() == 0 for start in preview_starts(html))
    assert "Circles doesn&#39;t know them" in html
    assert 'value="10:00"' in html  # the form keeps what was typed
    assert counts() == before


def test_the_previewed_dates_are_the_meetings_saving_creates(client, world):
    login_as(client, world["staff"])
    data = good_schedule(world, weekdays=["0", "3"], interval="2", start_time="18:15")
    previewed = preview_starts(
        client.post(new_url(world), data={**data, "action": "preview"}).get_data(as_text=True)
    )
    response = client.post(new_url(world), data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/manage/groups/{world['group'].id}/meetings")
    created = meetings_of(newest_schedule(world).id)
    assert [meeting.starts_at for meeting in created[:8]] == previewed
    assert len(previewed) == 8


def test_saving_materialises_the_schedule_up_to_the_horizon(client, world, now):
    login_as(client, world["staff"])
    client.post(new_url(world), data=good_schedule(world))
    schedule = newest_schedule(world)
    assert schedule.rule.weekdays == (0,) and schedule.timezone == "Europe/London"
    meetings = meetings_of(schedule.id)
    assert 24 <= len(meetings) <= 27
    assert meetings[-1].starts_at < now + timedelta(weeks=26, hours=1)
    assert all(m.starts_at.astimezone(LONDON).strftime("%a %H:%M") == "Mon 10:00" for m in meetings)
    assert (
        db.session.scalar(
            sa.select(AuditEvent.action).where(
                AuditEvent.object_type == "schedule", AuditEvent.object_id == schedule.id
            )
        )
        == "schedule.created"
    )


def test_a_monthly_schedule_on_the_last_friday(client, world):
    login_as(client, world["admin"])
    data = good_schedule(world, pattern="monthly_weekday", week_of_month="-1", month_weekday="4")
    client.post(new_url(world), data=data)
    schedule = newest_schedule(world)
    assert (schedule.frequency, schedule.weekdays, schedule.week_of_month) == (
        "monthly_weekday", "4", -1,
    )  # fmt: skip
    for meeting in meetings_of(schedule.id):
        assert meeting.local_date.weekday() == 4
        assert (meeting.local_date + timedelta(days=7)).month != meeting.local_date.month


def test_a_course_of_three_meetings(client, world):
    login_as(client, world["staff"])
    client.post(new_url(world), data=good_schedule(world, end="count", occurrence_count="3"))
    assert len(meetings_of(newest_schedule(world).id)) == 3


def test_details_under_another_choice_are_ignored(client, world):
    login_as(client, world["staff"])
    response = client.post(new_url(world), data=good_schedule(world, day_of_month="31"))
    assert response.status_code == 302
    assert newest_schedule(world).day_of_month is None


def test_a_facilitator_adds_a_schedule_when_the_organisation_allows(client, world):
    world["organisation"].facilitators_manage_schedules = True
    db.session.commit()
    login_as(client, world["facilitator"])
    assert client.post(new_url(world), data=good_schedule(world)).status_code == 302


def _last_sunday_of_march(year: int) -> date:
    day = date(year, 3, 31)
    while day.weekday() != 6:
        day -= timedelta(days=1)
    return day


def test_preview_warns_when_the_clocks_go_forward_on_a_meeting_night(client, world):
    today = date.today()
    change_day = _last_sunday_of_march(today.year)
    if change_day - timedelta(days=14) <= today:
        change_day = _last_sunday_of_march(today.year + 1)
    login_as(client, world["staff"])
    data = good_schedule(
        world, weekdays=["6"], start_time="01:30",
        first_date=(change_day - timedelta(days=14)).isoformat(), action="preview",
    )  # fmt: skip
    html = client.post(new_url(world), data=data).get_data(as_text=True)
    assert "clocks go forward that night: the meeting starts at 02:30 instead of 01:30" in html
    assert f"Sunday {change_day.day} March {change_day.year}" in html
    starts = preview_starts(html)
    assert [start.strftime("%H:%M") for start in starts[:4]] == ["01:30", "01:30", "02:30", "01:30"]


BAD_SCHEDULES = [
    ({"weekdays": []}, "weekdays", "Choose at least one day of the week."),
    (
        {"pattern": "monthly_weekday", "week_of_month": "5", "month_weekday": "1"},
        "week_of_month", "Not every month has a 5th Tuesday. Choose the last Tuesday instead.",
    ),
    ({"pattern": "monthly_day", "day_of_month": "31"}, "day_of_month", "Not every month has a day 31"),
    (
        {"end": "last_date", "last_date": date.today().isoformat(),
         "first_date": (date.today() + timedelta(days=5)).isoformat()},
        "last_date", "The last meeting date must be on or after the first meeting date.",
    ),
    ({"end": "last_date", "last_date": ""}, "last_date", "Enter the last meeting date"),
    ({"end": "count", "occurrence_count": ""}, "occurrence_count", "Enter how many meetings"),
    ({"end": "count", "occurrence_count": "0"}, "occurrence_count", "Choose from 1 to 500"),
    ({"duration_minutes": "0"}, "duration_minutes", "Choose a meeting length from 1 minute to 12 hours."),
    ({"interval": "9"}, "interval", "Choose a week interval of 1 to 4."),
    ({"start_time": ""}, "start_time", "Enter the start time, like 18:30."),
    ({"start_time": "25:99"}, "start_time", "Enter a time on the 24-hour clock, like 18:30."),
    ({"first_date": ""}, "first_date", "Enter the date of the first meeting."),
    ({"first_date": "next tuesday"}, "first_date", "Enter a date like 24/03/2026."),
    ({"pattern": ""}, "pattern", "Choose how often the group meets."),
]  # fmt: skip


@pytest.mark.parametrize(("change", "field_id", "message"), BAD_SCHEDULES)
@pytest.mark.parametrize("action", ["save", "preview"])
def test_bad_schedule_input_is_explained_next_to_its_field(client, world, change, field_id, message, action):  # fmt: skip
    login_as(client, world["staff"])
    before = counts()
    data = good_schedule(world, start_time="19:45", action=action)
    data.update(change)
    response = client.post(new_url(world), data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in error_for(html, field_id)
    assert "Please check the form" in html
    assert 'class="preview-dates"' not in html
    if "start_time" not in change:
        assert 'value="19:45"' in html
    assert counts() == before


def test_a_venue_of_another_organisation_is_refused(client, world):
    login_as(client, world["staff"])
    before = counts()
    data = good_schedule(world, venue_id=str(world["elsewhere_venue"].id))
    html = client.post(new_url(world), data=data).get_data(as_text=True)
    assert "Choose one of your organisation&#39;s venues." in error_for(html, "venue_id")
    assert counts() == before


def test_an_archived_venue_is_not_offered(client, world, now):
    world["venue"].archived_at = now
    db.session.commit()
    login_as(client, world["staff"])
    html = client.get(new_url(world)).get_data(as_text=True)
    assert "Room 1, Sheffield" not in html
    assert "no venues yet" in html
    html = client.post(new_url(world), data=good_schedule(world)).get_data(as_text=True)
    assert "Choose one of your organisation" in error_for(html, "venue_id")


# --- Changing a schedule ---------------------------------------------------------------------


def thursdays(world, **change) -> dict:
    first = world["schedule"].first_date.isoformat()
    return good_schedule(world, weekdays=["3"], start_time="18:30", first_date=first, **change)


def test_the_edit_form_starts_with_the_schedule_as_it_is(client, world):
    login_as(client, world["staff"])
    html = client.get(edit_url(world)).get_data(as_text=True)
    assert '<input checked id="weekdays-1"' in html
    assert 'value="18:30"' in html
    assert '<option selected value="90">' in html
    assert f'value="{world["schedule"].first_date.isoformat()}"' in html


def test_saving_an_edit_first_shows_what_will_change_and_changes_nothing(client, world):
    meetings = meetings_of(world["schedule"].id)
    db.session.add(RSVP(meeting=meetings[0], user=world["member"], status=RSVPStatus.GOING))
    db.session.commit()
    login_as(client, world["staff"])
    response = client.post(edit_url(world), data=thursdays(world))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Check what will change" in html
    assert "Every week on Thursday at 18:30" in html
    assert "1 meeting will be cancelled" in html and "1 person going or waiting" in html
    assert f"{len(meetings) - 1} meetings nobody had answered will be removed" in html
    assert "new meetings will be added" in html
    assert "Yes, change the schedule" in html
    assert '<input type="hidden" name="confirm" value="yes">' in html
    assert '<input type="hidden" name="weekdays" value="3">' in html
    assert world["schedule"].weekdays == "1"
    assert len(meetings_of(world["schedule"].id)) == len(meetings)


def test_a_confirmed_edit_cancels_answered_meetings_and_keeps_their_rsvps(client, world):
    meetings = meetings_of(world["schedule"].id)
    db.session.add_all([
        RSVP(meeting=meetings[0], user=world["member"], status=RSVPStatus.GOING, companions=1),
        RSVP(meeting=meetings[1], user=world["admin"], status=RSVPStatus.CANCELLED),
        RSVP(meeting=meetings[2], user=world["member"], status=RSVPStatus.WAITLISTED),
    ])  # fmt: skip
    db.session.commit()
    rsvps_before = db.session.execute(
        sa.select(RSVP.id, RSVP.meeting_id, RSVP.status).order_by(RSVP.id)
    ).all()
    answered = [meetings[0].id, meetings[1].id, meetings[2].id]

    login_as(client, world["staff"])
    response = client.post(edit_url(world), data=thursdays(world, confirm="yes"))
    assert response.status_code == 302

    db.session.expire_all()
    for meeting_id in answered:
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting is not None and meeting.status is MeetingStatus.CANCELLED
        assert meeting.cancelled_by_schedule_edit
    # Unanswered Tuesdays are gone (SQLite may give their ids to the new Thursdays).
    tuesdays = [m.id for m in meetings_of(world["schedule"].id) if m.local_date.weekday() == 1]
    assert sorted(tuesdays) == sorted(answered)
    assert (
        db.session.execute(sa.select(RSVP.id, RSVP.meeting_id, RSVP.status).order_by(RSVP.id)).all()
        == rsvps_before
    )
    told = db.session.scalars(sa.select(MeetingChange.meeting_id)).all()
    assert sorted(told) == sorted([meetings[0].id, meetings[2].id])  # people still going/waiting
    new = [m for m in meetings_of(world["schedule"].id) if m.status is MeetingStatus.SCHEDULED]
    assert new and all(m.local_date.weekday() == 3 for m in new)
    assert world["schedule"].weekdays == "3" and world["schedule"].sequence == 1


def test_no_go_back_returns_to_the_form_with_the_new_values(client, world):
    login_as(client, world["staff"])
    before = counts()
    html = client.post(
        edit_url(world), data=thursdays(world, confirm="yes", action="back")
    ).get_data(as_text=True)
    assert '<input checked id="weekdays-3"' in html
    assert "The next 8 meetings" in html
    assert counts() == before and world["schedule"].weekdays == "1"


@pytest.mark.parametrize(("change", "field_id", "message"), BAD_SCHEDULES[:5])
def test_a_bad_edit_changes_nothing_even_when_confirmed(client, world, change, field_id, message):
    login_as(client, world["staff"])
    before = counts()
    data = thursdays(world, confirm="yes")
    data.update(change)
    html = client.post(edit_url(world), data=data).get_data(as_text=True)
    assert message in error_for(html, field_id)
    db.session.expire_all()
    assert counts() == before
    assert world["schedule"].weekdays == "1" and world["schedule"].sequence == 0


# --- Ending a schedule -----------------------------------------------------------------------


def test_ending_a_schedule_asks_first_then_keeps_answered_meetings_as_cancelled(client, world):
    meetings = meetings_of(world["schedule"].id)
    db.session.add(RSVP(meeting=meetings[1], user=world["member"], status=RSVPStatus.GOING))
    db.session.commit()
    url = f"/manage/schedules/{world['schedule'].id}/end"
    login_as(client, world["staff"])
    html = client.get(url).get_data(as_text=True)
    assert "End this schedule?" in html and "Yes, end the schedule" in html
    assert "1 meeting will be cancelled" in html
    assert len(meetings_of(world["schedule"].id)) == len(meetings)

    assert client.post(url).status_code == 302
    db.session.expire_all()
    schedule = world["schedule"]
    assert schedule.last_date == datetime.now(LONDON).date()
    left = meetings_of(schedule.id)
    assert [m.id for m in left if m.starts_at > datetime.now(LONDON)] == [meetings[1].id]
    assert left[-1].status is MeetingStatus.CANCELLED
    html = client.get(f"/manage/groups/{world['group'].id}/meetings").get_data(as_text=True)
    assert "Ended" in html
    assert client.get(url).status_code == 302  # nothing left to end
