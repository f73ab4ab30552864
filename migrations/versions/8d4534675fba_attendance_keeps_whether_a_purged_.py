"""Attendance keeps whether a purged person had said they were going

The retention purge removes names; the RSVP show-up rate must stay the same, so the row keeps
whether its person had an RSVP going to that meeting.

Revision ID: 8d4534675fba
Revises: 5e9d2a9f6e86
Create Date: 2026-11-29 05:50:31.294709

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8d4534675fba'
down_revision = '5e9d2a9f6e86'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('had_rsvp', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_column('had_rsvp')

