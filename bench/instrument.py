"""What the benchmark adds to the app it serves (bench/wsgi.py), and nothing else does.

Two additions that exist only in the benchmark, never in the app itself:
- `/bench/bare`, a route that returns a short string: the floor every ratio is measured against,
  served by the same process, middleware and security headers as the real pages;
- an `X-SQL-Queries` response header counting the SQL statements the request ran, so the
  runner can check that pages use a fixed few queries whatever the size of the data.
"""

from flask import Flask, g, has_app_context
from sqlalchemy import event
from sqlalchemy.engine import Engine

QUERY_HEADER = "X-SQL-Queries"


def _count_statement(*_args, **_kwargs) -> None:
    # Statements run outside a request (mail sent after the response closes) are not counted.
    if has_app_context() and "sql_queries" in g:
        g.sql_queries += 1


def add_bench_routes(application: Flask) -> Flask:
    """Add the bare route and the per-request SQL statement counter to ``application``."""

    @application.get("/bench/bare")
    def bare():
        return "bare\n", 200, {"Content-Type": "text/plain; charset=utf-8"}

    @application.before_request
    def start_counting() -> None:
        g.sql_queries = 0

    @application.after_request
    def report_count(response):
        response.headers[QUERY_HEADER] = str(g.get("sql_queries", 0))
        return response

    if not event.contains(Engine, "before_cursor_execute", _count_statement):
        event.listen(Engine, "before_cursor_execute", _count_statement)
    return application
