"""Account sessions and preferences: a session version that ends every session when bumped,
reminder emails on/off, and discreet calendar mode.

Revision ID: c3d4e5f6a7b8
Revises: b1c2d3e4f5a6
Create Date: 2026-11-29 02:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "c3d4e5f6a7b8"
down_revision = "b1c2d3e4f5a6"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("email_reminders", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column("discreet_calendar", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("discreet_calendar")
        batch_op.drop_column("email_reminders")
        batch_op.drop_column("session_version")
