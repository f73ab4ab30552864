"""The schema comes from migrations: they build an empty database up to head, match the models
exactly (`flask db check`), and take it back down again, on SQLite and PostgreSQL."""

import flask_migrate
import pytest
import sqlalchemy as sa

from groups.extensions import db
from tests.support import make_app


def upgrade_check_downgrade(database_url: str) -> None:
    app = make_app(database_url)
    with app.app_context():
        flask_migrate.upgrade()
        tables = set(sa.inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        flask_migrate.check()  # raises if the models and the migrations disagree
        flask_migrate.downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        flask_migrate.upgrade()  # and back up again: downgrade left nothing behind
        db.engine.dispose()


def test_migrations_upgrade_and_downgrade_on_sqlite(tmp_path):
    upgrade_check_downgrade(f"sqlite:///{tmp_path / 'migrations.sqlite3'}")


@pytest.mark.postgres
def test_migrations_upgrade_and_downgrade_on_postgresql(postgres_url):
    upgrade_check_downgrade(postgres_url)
