"""balance trials: force-plate trials recorded in visits

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('balance_trials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('episode_id', sa.Integer(), nullable=True),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('vision', sa.Enum('open', 'closed', name='vision', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('surface', sa.Enum('firm', 'foam', name='surface', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('stance', sa.Enum('bipedal', 'feet-together', 'semi-tandem', 'tandem', 'single-leg-left', 'single-leg-right', name='stance', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('preset', sa.String(length=20), nullable=False),
    sa.Column('height_cm', sa.Double(), nullable=True),
    sa.Column('mean_velocity_cm_s', sa.Double(), nullable=False),
    sa.Column('ellipse_area_cm2', sa.Double(), nullable=False),
    sa.Column('equilibrium_score', sa.Double(), nullable=True),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes.id'], name=op.f('fk_balance_trials_episode_id_episodes')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_balance_trials_patient_id_patients')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_balance_trials_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_balance_trials_visit_id_visits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_balance_trials'))
    )
    with op.batch_alter_table('balance_trials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_balance_trials_episode_id'), ['episode_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_balance_trials_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_balance_trials_visit_id'), ['visit_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('balance_trials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_balance_trials_visit_id'))
        batch_op.drop_index(batch_op.f('ix_balance_trials_patient_id'))
        batch_op.drop_index(batch_op.f('ix_balance_trials_episode_id'))

    op.drop_table('balance_trials')
