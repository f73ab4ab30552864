"""Choosing a report's period: the last three months unless asked, and a clear 400 for a period
that can't be right."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta
from werkzeug.datastructures import MultiDict

from groups.attendance.reports_period import Period, ReportPeriodForm
from tests.support import login_as


def _period(app, **args):
    with app.test_request_context():
        form = ReportPeriodForm(MultiDict(args))
        return form.period(date(2026, 11, 29), "Europe/London"), form.errors


def test_the_default_is_the_last_three_months_to_today(app):
    period, errors = _period(app)
    assert period == Period(date(2026, 8, 29), date(2026, 11, 29), "Europe/London")
    assert errors == {}


def test_one_date_alone_is_completed(app):
    assert _period(app, **{"from": "2026-10-01"})[0].ends_on == date(2026, 11, 29)
    assert _period(app, to="2026-05-31")[0].starts_on == date(2026, 2, 28)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"from": "2026-11-02", "to": "2026-11-01"}, "must be on or before the end date"),
        ({"from": "2023-11-28", "to": "2026-11-29"}, "at most 3 years"),
        ({"from": "yesterday"}, "Enter a date like 2026-08-31."),
        ({"to": "2026-02-30"}, "Enter a date like 2026-08-31."),
    ],
)
def test_a_wrong_period_is_refused_with_the_reason(app, args, message):
    period, errors = _period(app, **args)
    assert period is None
    assert message in " ".join(error for field in errors.values() for error in field)


def test_exactly_three_years_is_allowed(app):
    assert _period(app, **{"from": "2023-11-29", "to": "2026-11-29"})[0] is not None


def test_the_period_runs_whole_local_days_and_stops_now():
    period = Period(date(2026, 7, 1), date(2026, 7, 31), "Europe/London")
    london = ZoneInfo("Europe/London")
    long_after = datetime(2027, 1, 1, tzinfo=ZoneInfo("UTC"))
    assert period.bounds(long_after) == (
        datetime(2026, 7, 1, tzinfo=london), datetime(2026, 8, 1, tzinfo=london)
    )  # fmt: skip
    in_the_middle = datetime(2026, 7, 10, 12, tzinfo=ZoneInfo("UTC"))
    assert period.bounds(in_the_middle)[1] == in_the_middle


def test_the_page_answers_400_with_the_reason_and_keeps_the_form(world, client):
    login_as(client, world["facilitator"])
    url = f"/manage/groups/{world['group'].id}/report"
    response = client.get(url, query_string={"from": "2026-11-02", "to": "2026-11-01"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The start date must be on or before the end date." in page
    assert 'value="2026-11-02"' in page and "Summary" not in page
    csv_response = client.get(f"{url}.csv", query_string={"from": "nonsense"})
    assert csv_response.status_code == 400
    assert "Enter a date like 2026-08-31." in csv_response.get_data(as_text=True)


def test_the_page_shows_the_period_it_used(world, client, now):
    login_as(client, world["staff"])
    page = client.get(f"/manage/groups/{world['group'].id}/report").get_data(as_text=True)
    today = now.astimezone(ZoneInfo("Europe/London")).date()
    assert f'value="{today.isoformat()}"' in page
    assert f'value="{(today - relativedelta(months=3)).isoformat()}"' in page
    assert "Europe/London time" in page
