"""Indexes for search at scale: a group's meetings by time, and meetings held at their own venue

Found by the benchmark (`make bench`, 235,000 meetings): search near a place read every upcoming
meeting, because a plain index on meeting.venue_id (NULL on almost every row) looks useless to the
planner. A partial index holds only the meetings with a venue of their own.

Revision ID: b7e2c4d91a3f
Revises: d76ad9c217b3
Create Date: 2026-11-29 09:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "b7e2c4d91a3f"
down_revision = "d76ad9c217b3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.create_index("ix_meeting_group_id_starts_at", ["group_id", "starts_at"], unique=False)
        batch_op.create_index(
            "ix_meeting_own_venue_id",
            ["venue_id"],
            unique=False,
            sqlite_where=sa.text("venue_id IS NOT NULL"),
            postgresql_where=sa.text("venue_id IS NOT NULL"),
        )


def downgrade():
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_index("ix_meeting_own_venue_id")
        batch_op.drop_index("ix_meeting_group_id_starts_at")
