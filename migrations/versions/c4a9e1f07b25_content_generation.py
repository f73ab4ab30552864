"""The content generation: one row that every change to what pages and feeds show replaces

Found by the benchmark (`make bench`): a feed answered with 304 spent its time working out the
feed's version, and pages spent theirs building the same HTML again. Each process now keeps
pages and feeds, and this row tells it when a kept copy is stale (groups/content_cache/logic.py).

Revision ID: c4a9e1f07b25
Revises: b7e2c4d91a3f
Create Date: 2026-11-29 11:30:00.000000

"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "c4a9e1f07b25"
down_revision = "b7e2c4d91a3f"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "content_generation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_generation")),
    )
    op.bulk_insert(table, [{"id": 1, "value": secrets.token_hex(16)}])


def downgrade():
    op.drop_table("content_generation")
