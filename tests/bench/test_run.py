"""The benchmark's runner: the bench-only additions to the app, reading wrk's summary, and the
table's ratios and verdicts. Fast: no gunicorn and no wrk here (`make bench` runs those)."""

from bench import report
from bench.browser import Answer, Browser
from bench.instrument import QUERY_HEADER, add_bench_routes
from bench.run import engine_url, manifest_matches
from groups.extensions import db
from tests.support import QueryCounter, make_app

WRK_OUTPUT = """Running 10m test @ http://127.0.0.1:40000/
  1 threads and 4 connections
BENCH-THREAD-DONE
  2000 requests in 1.00s, 1.21MB read
BENCH-JSON {"requests": 2000, "duration_us": 1000000, "p50_us": 1500, "p95_us": 4200, \
"p99_us": 6000, "mean_us": 1800.5, "max_us": 9000, "status_errors": 0, "unexpected": 0, \
"last_unexpected_status": 0, "connect_errors": 0, "read_errors": 0, "write_errors": 0, \
"timeouts": 0}
"""


def bench_app(app):
    """A second app on the test database with the benchmark's additions: the shared `app`
    fixture has served requests already, so Flask would refuse new routes on it."""
    return add_bench_routes(make_app(app.config["SQLALCHEMY_DATABASE_URI"]))


def result(per_second: float, **fields) -> report.WrkResult:
    return report.WrkResult(
        requests=int(per_second), duration_us=1_000_000, p50_us=1000, p95_us=2000, **fields
    )


def test_bare_route_answers_a_short_string_and_runs_no_sql(app):
    response = bench_app(app).test_client().get("/bench/bare")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "bare\n"
    assert response.headers[QUERY_HEADER] == "0"


def test_query_header_counts_every_statement_a_page_runs(app, world):
    application = bench_app(app)
    with application.app_context(), QueryCounter(db.engine) as counter:
        response = application.test_client().get("/groups/tuesday-circle")
    assert response.status_code == 200
    assert int(response.headers[QUERY_HEADER]) == counter.count > 0


def test_wrk_summary_line_is_read_into_rates_and_latencies():
    parsed = report.parse_wrk_output(WRK_OUTPUT)
    assert parsed.requests == 2000
    assert parsed.per_second == 2000
    row = report.make_row("bare", parsed, sql_queries=0)
    assert (row.p50_ms, row.p95_ms, row.errors) == (1.5, 4.2, 0)


def test_the_faster_bare_run_is_the_floor():
    first, last = result(900), result(1000)
    assert report.bare_floor(first, last) is last
    assert report.bare_floor(last, first) is last


def test_ratios_are_judged_against_the_targets_and_the_query_limit():
    rows = report.judge([
        report.make_row("bare", result(1000), 0),
        report.make_row("search", result(350), 5),  # 0.35 >= 0.3
        report.make_row("group feed", result(400), 3),  # 0.40 < 0.5
        report.make_row("group page", result(900), 12),  # fast, but too many queries
        report.make_row("roster", result(100), 4),  # no ratio target
    ])  # fmt: skip
    verdicts = {row.target: row.verdict for row in rows}
    assert verdicts == {
        "bare": "floor", "search": "pass", "group feed": "miss", "group page": "miss",
        "roster": "pass",
    }  # fmt: skip
    assert rows[1].ratio == 0.35
    assert rows[3].missed == ["12 SQL queries > 8"]


def test_wrong_statuses_fail_the_row_however_fast_it_was():
    bad = result(5000, status_errors=40, unexpected=40, last_unexpected_status=400)
    rows = report.judge(
        [report.make_row("bare", result(1000), 0), report.make_row("search", bad, 3)]
    )
    assert rows[1].verdict == "FAIL"
    assert rows[1].errors == 40
    assert "last status 400" in rows[1].error_detail


def test_postgresql_ratio_more_than_a_fifth_below_sqlite_is_a_miss():
    rows = report.judge(
        [report.make_row("bare", result(1000), 0), report.make_row("search", result(310), 4)],
        sqlite_ratios={"search": 0.5},
    )
    assert rows[1].verdict == "miss"
    assert "20% below SQLite" in rows[1].missed[0]


def test_table_has_every_column_and_a_line_per_target():
    rows = report.judge([report.make_row("bare", result(1000), 0)])
    lines = report.format_table(rows).splitlines()
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header == report.COLUMNS
    assert len(lines) == 3 and "floor" in lines[2]


def test_csrf_token_and_cookies_are_read_as_a_browser_would():
    page = Answer(
        200,
        {},
        b'<form><input id="csrf_token" name="csrf_token" type="hidden" value="abc.def"></form>',
    )
    assert page.csrf_token() == "abc.def"
    browser = Browser(port=1)
    browser._keep_cookies(["session=xyz; HttpOnly; Path=/; Secure", "remember_token=; Max-Age=0"])
    assert browser.cookie_header() == "session=xyz"


def test_a_manifest_for_another_database_does_not_match(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    assert not manifest_matches({"database_url": url, "group_slug": "any"}, url)  # no tables
    assert not manifest_matches({"database_url": "sqlite:///elsewhere", "group_slug": "x"}, url)
    assert engine_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
