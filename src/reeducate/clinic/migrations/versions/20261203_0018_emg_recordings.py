"""EMG recordings, joint position sense tests and EMG jobs

A table for a visit's surface-EMG recordings; ``joint_position_sense`` joins the movement recordings' kinds
and ``emg_recording`` the jobs' kinds. Both kinds are portable enums kept by a CHECK constraint listing their
values, dropped and created again (SQLite rebuilds the table in batch mode).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (table, constraint, column, values before, values after)
ENUMS = (
    ('movement_recordings', 'ck_movement_recordings_movementkind', 'kind',
     ('video', 'imu_gait'), ('video', 'imu_gait', 'joint_position_sense')),
    ('jobs', 'ck_jobs_jobkind', 'kind',
     ('movement_recording', 'balance_trials'), ('movement_recording', 'balance_trials', 'emg_recording')),
)


def _allow(table: str, constraint: str, column: str, values: Sequence[str]) -> None:
    listed = ', '.join(f"'{value}'" for value in values)
    with op.batch_alter_table(table) as batch:
        batch.drop_constraint(op.f(constraint), type_='check')
        batch.create_check_constraint(op.f(constraint), f'{column} IN ({listed})')


def upgrade() -> None:
    op.create_table('emg_recordings',
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('duration_s', sa.Double(), nullable=False),
    sa.Column('channel_count', sa.Integer(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('episode_id', sa.Integer(), nullable=True),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes.id'], name=op.f('fk_emg_recordings_episode_id_episodes')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_emg_recordings_patient_id_patients')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_emg_recordings_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_emg_recordings_visit_id_visits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emg_recordings'))
    )
    with op.batch_alter_table('emg_recordings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emg_recordings_episode_id'), ['episode_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_emg_recordings_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_emg_recordings_visit_id'), ['visit_id'], unique=False)
    for table, constraint, column, _, after in ENUMS:
        _allow(table, constraint, column, after)


def downgrade() -> None:
    op.execute("DELETE FROM job_files WHERE job_id IN (SELECT id FROM jobs WHERE kind = 'emg_recording')")
    op.execute("DELETE FROM jobs WHERE kind = 'emg_recording'")
    op.execute("DELETE FROM movement_recordings WHERE kind = 'joint_position_sense'")
    for table, constraint, column, before, _ in ENUMS:
        _allow(table, constraint, column, before)
    with op.batch_alter_table('emg_recordings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_emg_recordings_visit_id'))
        batch_op.drop_index(batch_op.f('ix_emg_recordings_patient_id'))
        batch_op.drop_index(batch_op.f('ix_emg_recordings_episode_id'))

    op.drop_table('emg_recordings')
