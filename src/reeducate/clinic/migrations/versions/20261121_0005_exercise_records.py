"""exercise records

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('exercise_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('exercise_id', sa.String(length=40), nullable=False),
    sa.Column('monitor', sa.String(length=30), nullable=False),
    sa.Column('side', sa.String(length=5), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('status', sa.Enum('in_progress', 'completed', 'stopped_for_pain', 'interrupted', name='exercisestatus', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('repetitions', sa.Integer(), nullable=False),
    sa.Column('holds_completed', sa.Integer(), nullable=True),
    sa.Column('mean_score', sa.Double(), nullable=True),
    sa.Column('active_s', sa.Double(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('pain_score', sa.Integer(), nullable=True),
    sa.Column('pain_at_s', sa.Double(), nullable=True),
    sa.Column('pain_reported_by', sa.String(length=20), nullable=True),
    sa.Column('regress', sa.Boolean(), nullable=False),
    sa.Column('resumed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resumed_by_id', sa.Integer(), nullable=True),
    sa.Column('started_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_exercise_records_patient_id_patients')),
    sa.ForeignKeyConstraint(['resumed_by_id'], ['users.id'], name=op.f('fk_exercise_records_resumed_by_id_users')),
    sa.ForeignKeyConstraint(['started_by_id'], ['users.id'], name=op.f('fk_exercise_records_started_by_id_users')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_exercise_records_visit_id_visits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exercise_records'))
    )
    with op.batch_alter_table('exercise_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exercise_records_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exercise_records_visit_id'), ['visit_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('exercise_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exercise_records_visit_id'))
        batch_op.drop_index(batch_op.f('ix_exercise_records_patient_id'))

    op.drop_table('exercise_records')
