"""RSVP reminders sent and standing RSVPs to every meeting of a schedule

The day-before reminder is sent once per RSVP (reminder_sent_at); a member going to every
meeting of a schedule has a standing RSVP, copied onto each meeting as it is planned. A group
says whether newcomers may join at any meeting (the finder's "suitable for first-timers").

Revision ID: 31587fba25f6
Revises: fe876d7954ff
Create Date: 2026-11-29 04:39:29.581316

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '31587fba25f6'
down_revision = 'fe876d7954ff'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('standing_rsvp',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('schedule_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('companions', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('companions BETWEEN 0 AND 2', name=op.f('ck_standing_rsvp_companions_range')),
    sa.ForeignKeyConstraint(['schedule_id'], ['schedule.id'], name=op.f('fk_standing_rsvp_schedule_id_schedule'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_standing_rsvp_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_standing_rsvp')),
    sa.UniqueConstraint('schedule_id', 'user_id', name=op.f('uq_standing_rsvp_schedule_id_user_id'))
    )
    with op.batch_alter_table('standing_rsvp', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_standing_rsvp_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('rsvp', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_sent_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('group', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('open_to_newcomers', sa.Boolean(), server_default=sa.true(), nullable=False)
        )



def downgrade():
    with op.batch_alter_table('group', schema=None) as batch_op:
        batch_op.drop_column('open_to_newcomers')

    with op.batch_alter_table('rsvp', schema=None) as batch_op:
        batch_op.drop_column('reminder_sent_at')

    with op.batch_alter_table('standing_rsvp', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_standing_rsvp_user_id'))

    op.drop_table('standing_rsvp')
