"""Attendance: first-timers, anonymous counting, correction window and retention

Whether a person came for the first time is stored when attendance is recorded, so reports stay
right after names are purged. Members may ask to be counted anonymously at a group. Organisations
set how long attendance can be corrected (14 days) and how long names are kept (24 months).

Revision ID: 5e9d2a9f6e86
Revises: a9d8c7b6e5f4
Create Date: 2026-11-29 05:25:45.296317

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e9d2a9f6e86'
down_revision = 'a9d8c7b6e5f4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('anonymous_counting',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['group.id'], name=op.f('fk_anonymous_counting_group_id_group'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_anonymous_counting_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'user_id', name=op.f('pk_anonymous_counting'))
    )
    with op.batch_alter_table('anonymous_counting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_anonymous_counting_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_time', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('anonymous', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attendance_correction_days', sa.Integer(), server_default='14', nullable=False))
        batch_op.add_column(sa.Column('attendance_retention_months', sa.Integer(), server_default='24', nullable=False))
        batch_op.create_check_constraint(
            op.f('ck_organisation_attendance_correction_days_range'),
            'attendance_correction_days BETWEEN 1 AND 90',
        )
        batch_op.create_check_constraint(
            op.f('ck_organisation_attendance_retention_range'),
            'attendance_retention_months BETWEEN 1 AND 120',
        )



def downgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_organisation_attendance_retention_range'), type_='check')
        batch_op.drop_constraint(
            op.f('ck_organisation_attendance_correction_days_range'), type_='check'
        )
        batch_op.drop_column('attendance_retention_months')
        batch_op.drop_column('attendance_correction_days')

    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_column('anonymous')
        batch_op.drop_column('first_time')

    with op.batch_alter_table('anonymous_counting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_anonymous_counting_user_id'))

    op.drop_table('anonymous_counting')
