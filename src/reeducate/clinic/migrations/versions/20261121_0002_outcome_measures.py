"""outcome measures: administrations, goals, questionnaire requests

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('measure_goals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('episode_id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.String(length=40), nullable=False),
    sa.Column('target', sa.Double(), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=False),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes.id'], name=op.f('fk_measure_goals_episode_id_episodes')),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_measure_goals_set_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measure_goals')),
    sa.UniqueConstraint('episode_id', 'measure_id', name=op.f('uq_measure_goals_episode_id_measure_id'))
    )
    with op.batch_alter_table('measure_goals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measure_goals_episode_id'), ['episode_id'], unique=False)

    op.create_table('questionnaire_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('episode_id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.String(length=40), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes.id'], name=op.f('fk_questionnaire_requests_episode_id_episodes')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_questionnaire_requests_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire_requests')),
    sa.UniqueConstraint('episode_id', 'measure_id', name=op.f('uq_questionnaire_requests_episode_id_measure_id'))
    )
    with op.batch_alter_table('questionnaire_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questionnaire_requests_episode_id'), ['episode_id'], unique=False)

    op.create_table('measure_administrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('episode_id', sa.Integer(), nullable=True),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('measure_id', sa.String(length=40), nullable=False),
    sa.Column('source', sa.Enum('clinician', 'patient_portal', name='administrationsource', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('responses', sa.JSON(), nullable=False),
    sa.Column('patient_facts', sa.JSON(), nullable=False),
    sa.Column('score', sa.Double(), nullable=True),
    sa.Column('computable', sa.Boolean(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('administered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes.id'], name=op.f('fk_measure_administrations_episode_id_episodes')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_measure_administrations_patient_id_patients')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_measure_administrations_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_measure_administrations_visit_id_visits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measure_administrations'))
    )
    with op.batch_alter_table('measure_administrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measure_administrations_episode_id'), ['episode_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_measure_administrations_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_measure_administrations_visit_id'), ['visit_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('measure_administrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measure_administrations_visit_id'))
        batch_op.drop_index(batch_op.f('ix_measure_administrations_patient_id'))
        batch_op.drop_index(batch_op.f('ix_measure_administrations_episode_id'))

    op.drop_table('measure_administrations')
    with op.batch_alter_table('questionnaire_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questionnaire_requests_episode_id'))

    op.drop_table('questionnaire_requests')
    with op.batch_alter_table('measure_goals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measure_goals_episode_id'))

    op.drop_table('measure_goals')
