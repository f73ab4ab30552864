"""Circles: local, in-person support groups. ``create_app()`` builds the Flask application."""

import sqlite3
import time
from pathlib import Path

from flask import Flask, render_template
from sqlalchemy import event
from sqlalchemy.engine import Engine

from groups.config import load_config
from groups.content_cache.logic import init_content_cache
from groups.extensions import csrf, db, limiter, login_manager, migrate
from groups.schedules.display import init_display
from groups.security import init_security

ERROR_PAGES = {
    400: ("The request could not be understood", "Something in the request was not right. "
          "Go back, check what you entered and try again."),
    403: ("You can't do that here", "Your account does not have permission for this page. "
          "If you think it should, ask your organisation's admin."),
    404: ("Page not found", "We could not find that page. It may have moved, or the link may "
          "be mistyped."),
    405: ("That action isn't available", "This page can't be used that way. Go back and use "
          "the buttons on the page."),
    413: ("That was too large", "What you sent is larger than we accept. Try a shorter text "
          "or a smaller file."),
    429: ("Too many tries", "This protects your account from people guessing passwords. "
          "If you have forgotten your password, you can reset it once the wait is over."),
    500: ("Something went wrong on our side", "It's not your fault. Please try again in a few "
          "minutes; if it keeps happening, tell your group's organiser."),
}  # fmt: skip


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record) -> None:
    # SQLite enforces foreign keys only when asked, on each connection; WAL and a busy timeout
    # let readers and one writer work side by side.
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_relative_config=True,
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(load_config(app.instance_path))
    if overrides:
        app.config.update(overrides)

    app.jinja_env.add_extension("jinja2.ext.do")
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent.parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    init_security(app)
    init_display(app)
    init_content_cache(app)
    _register_models()
    _register_blueprints(app)
    _register_error_pages(app)
    _register_commands(app)
    return app


def _register_models() -> None:
    # Every feature's tables must be known to the metadata for Alembic and relationships.
    from groups.accounts import models as _accounts  # noqa: F401
    from groups.attendance import models as _attendance  # noqa: F401
    from groups.audit import models as _audit  # noqa: F401
    from groups.content_cache import models as _content_cache  # noqa: F401
    from groups.feeds import models as _feeds  # noqa: F401
    from groups.mail import models as _mail  # noqa: F401
    from groups.organisations import models as _organisations  # noqa: F401
    from groups.rsvps import models as _rsvps  # noqa: F401
    from groups.schedules import models as _schedules  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from groups.accounts.views import blueprint as accounts
    from groups.attendance.report_views import blueprint as attendance_reports
    from groups.attendance.views import blueprint as attendance
    from groups.feeds.views import blueprint as feeds
    from groups.finder.views import blueprint as finder
    from groups.mail.views import blueprint as mail
    from groups.organisations.views import blueprint as organisations
    from groups.rsvps.views import blueprint as rsvps
    from groups.schedules.views import blueprint as schedules
    from groups.support_groups.views import blueprint as support_groups
    from groups.venues.views import blueprint as venues

    app.register_blueprint(finder)
    app.register_blueprint(accounts)
    app.register_blueprint(mail)
    app.register_blueprint(organisations)
    app.register_blueprint(venues)
    app.register_blueprint(support_groups)
    app.register_blueprint(schedules)
    app.register_blueprint(rsvps)
    app.register_blueprint(feeds)
    app.register_blueprint(attendance)
    app.register_blueprint(attendance_reports)


def _register_commands(app: Flask) -> None:
    from groups.attendance.cli import attendance_cli
    from groups.demo import seed_demo_command
    from groups.mail.cli import mail_cli
    from groups.schedules.cli import meetings_cli

    app.cli.add_command(meetings_cli)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(mail_cli)
    app.cli.add_command(attendance_cli)


def _minutes_until_retry() -> int:
    current = limiter.current_limit
    seconds = current.reset_at - time.time() if current else 60
    return max(1, round(seconds / 60))


def _register_error_pages(app: Flask) -> None:
    def render_error(error):
        code = getattr(error, "code", 500) or 500
        title, advice = ERROR_PAGES.get(code, ERROR_PAGES[500])
        # Show the specific reason when a view gave one (abort(400, "Companions must be 0-2")).
        description = getattr(error, "description", None)
        detail = description if isinstance(description, str) and code < 500 else None
        if detail and detail.startswith(("The browser (or proxy)", "The requested URL")):
            detail = None  # Werkzeug's generic wording: the advice says it better
        if code == 429:
            detail = f"Please try again in {_minutes_until_retry()} minute(s)."
        return render_template(
            "errors/error.html", code=code, title=title, advice=advice, detail=detail
        ), code

    for code in ERROR_PAGES:
        app.register_error_handler(code, render_error)
