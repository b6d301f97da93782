"""movement recordings: camera clips and gait IMU files recorded in visits

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('movement_recordings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('episode_id', sa.Integer(), nullable=True),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('video', 'imu_gait', name='movementkind', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('cadence_steps_per_min', sa.Double(), nullable=True),
    sa.Column('gait_speed_m_s', sa.Double(), nullable=True),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes.id'], name=op.f('fk_movement_recordings_episode_id_episodes')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_movement_recordings_patient_id_patients')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_movement_recordings_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_movement_recordings_visit_id_visits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_movement_recordings'))
    )
    with op.batch_alter_table('movement_recordings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_movement_recordings_episode_id'), ['episode_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_movement_recordings_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_movement_recordings_visit_id'), ['visit_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('movement_recordings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_movement_recordings_visit_id'))
        batch_op.drop_index(batch_op.f('ix_movement_recordings_patient_id'))
        batch_op.drop_index(batch_op.f('ix_movement_recordings_episode_id'))

    op.drop_table('movement_recordings')
