"""The retention purge removes who made old RSVPs

RSVPs to meetings past the organisation's retention period lose their member (user_id NULL), as
attendance does, so names can't be pieced back together; the rows still count in the reports.

Revision ID: d76ad9c217b3
Revises: 8d4534675fba
Create Date: 2026-11-29 05:59:37.398763

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd76ad9c217b3'
down_revision = '8d4534675fba'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rsvp', schema=None) as batch_op:
        batch_op.alter_column('user_id',
               existing_type=sa.INTEGER(),
               nullable=True)



def downgrade():
    # RSVPs whose member was purged can't be given one back: they go.
    op.execute(sa.text("DELETE FROM rsvp WHERE user_id IS NULL"))
    with op.batch_alter_table('rsvp', schema=None) as batch_op:
        batch_op.alter_column('user_id',
               existing_type=sa.INTEGER(),
               nullable=False)

