"""updated_at on groups, venues and organisations

Calendar feeds send Last-Modified: a group renamed or a venue's address changed must count as a
change, not only meetings and schedules. Existing rows start from their created_at.

Revision ID: a9d8c7b6e5f4
Revises: 31587fba25f6
Create Date: 2026-11-29 05:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = "a9d8c7b6e5f4"
down_revision = "31587fba25f6"
branch_labels = None
depends_on = None

TABLES = ("organisation", "venue", "group")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        op.execute(sa.text(f'UPDATE "{table}" SET updated_at = created_at'))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                "updated_at", existing_type=sa.DateTime(timezone=True), nullable=False
            )


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("updated_at")
