"""the plan: problems, goals (measure-linked or functional, short or long term; the measure goals moved
in), plans of care with their certification, progress reports and discharge summaries with addenda

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('plans_of_care',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('episode_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('recertifies_id', sa.Integer(), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('visits_per_week', sa.Integer(), nullable=False),
    sa.Column('weeks', sa.Integer(), nullable=False),
    sa.Column('interventions', sa.JSON(), nullable=False),
    sa.Column('home_programme', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'signed', name='notestatus', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('signed_by_id', sa.Integer(), nullable=True),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('content_sha256', sa.String(length=64), nullable=True),
    sa.Column('physician_name', sa.String(length=200), nullable=False),
    sa.Column('physician_npi', sa.String(length=10), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=True),
    sa.Column('verbal_order_on', sa.Date(), nullable=True),
    sa.Column('received_on', sa.Date(), nullable=True),
    sa.Column('certified_on', sa.Date(), nullable=True),
    sa.Column('signature_sha256', sa.String(length=64), nullable=True),
    sa.Column('signature_filename', sa.String(length=255), nullable=False),
    sa.Column('certification_note', sa.Text(), nullable=False),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_plans_of_care_dates_in_order')),
    sa.CheckConstraint('visits_per_week >= 1 AND visits_per_week <= 7', name=op.f('ck_plans_of_care_visits_per_week_range')),
    sa.CheckConstraint('weeks >= 1 AND weeks <= 52', name=op.f('ck_plans_of_care_weeks_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_plans_of_care_created_by_id_users')),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes.id'], name=op.f('fk_plans_of_care_episode_id_episodes')),
    sa.ForeignKeyConstraint(['recertifies_id'], ['plans_of_care.id'], name=op.f('fk_plans_of_care_recertifies_id_plans_of_care')),
    sa.ForeignKeyConstraint(['signed_by_id'], ['users.id'], name=op.f('fk_plans_of_care_signed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plans_of_care')),
    sa.UniqueConstraint('episode_id', 'number', name=op.f('uq_plans_of_care_episode_id_number'))
    )
    with op.batch_alter_table('plans_of_care', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plans_of_care_episode_id'), ['episode_id'], unique=False)

    op.create_table('episode_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('episode_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('progress_report', 'discharge_summary', name='reportkind', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'signed', name='notestatus', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('signed_by_id', sa.Integer(), nullable=True),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('content_sha256', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_episode_reports_created_by_id_users')),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes.id'], name=op.f('fk_episode_reports_episode_id_episodes')),
    sa.ForeignKeyConstraint(['signed_by_id'], ['users.id'], name=op.f('fk_episode_reports_signed_by_id_users')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_episode_reports_visit_id_visits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_episode_reports'))
    )
    with op.batch_alter_table('episode_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_episode_reports_episode_id'), ['episode_id'], unique=False)

    op.create_table('problems',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('episode_id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('finding', sa.String(length=60), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('suggestions', sa.JSON(), nullable=False),
    sa.Column('interventions', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('proposed', 'accepted', 'rejected', name='problemstatus', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_problems_decided_by_id_users')),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes.id'], name=op.f('fk_problems_episode_id_episodes')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_problems_visit_id_visits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problems'))
    )
    with op.batch_alter_table('problems', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_problems_episode_id'), ['episode_id'], unique=False)

    op.create_table('goals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('episode_id', sa.Integer(), nullable=False),
    sa.Column('problem_id', sa.Integer(), nullable=True),
    sa.Column('term', sa.Enum('short', 'long', name='goalterm', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('measure_id', sa.String(length=40), nullable=True),
    sa.Column('target', sa.Double(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('active', 'met', 'not_met', 'discontinued', name='goalstatus', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=False),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('met_on', sa.Date(), nullable=True),
    sa.Column('status_by_id', sa.Integer(), nullable=True),
    sa.Column('status_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("measure_id IS NOT NULL OR description <> ''", name=op.f('ck_goals_functional_has_words')),
    sa.CheckConstraint('(measure_id IS NULL) = (target IS NULL)', name=op.f('ck_goals_measure_has_target')),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes.id'], name=op.f('fk_goals_episode_id_episodes')),
    sa.ForeignKeyConstraint(['problem_id'], ['problems.id'], name=op.f('fk_goals_problem_id_problems')),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_goals_set_by_id_users')),
    sa.ForeignKeyConstraint(['status_by_id'], ['users.id'], name=op.f('fk_goals_status_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goals'))
    )
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goals_episode_id'), ['episode_id'], unique=False)

    op.create_table('report_addenda',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_report_addenda_author_id_users')),
    sa.ForeignKeyConstraint(['report_id'], ['episode_reports.id'], name=op.f('fk_report_addenda_report_id_episode_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_addenda'))
    )
    with op.batch_alter_table('report_addenda', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_addenda_report_id'), ['report_id'], unique=False)

    # Each measure goal becomes an active long-term goal on the same measure, with who set it and when.
    op.execute("INSERT INTO goals (episode_id, term, measure_id, target, description, status, set_by_id, set_at) "
               "SELECT episode_id, 'long', measure_id, target, '', 'active', set_by_id, set_at FROM measure_goals")
    with op.batch_alter_table('measure_goals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measure_goals_episode_id'))

    op.drop_table('measure_goals')


def downgrade() -> None:
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
    # Back to one goal per measure: the latest measure-linked goal of each episode and measure; functional
    # goals, problems, plans and reports have no place in the older schema and are lost.
    op.execute("INSERT INTO measure_goals (episode_id, measure_id, target, set_by_id, set_at) "
               "SELECT g.episode_id, g.measure_id, g.target, g.set_by_id, g.set_at FROM goals g "
               "WHERE g.measure_id IS NOT NULL AND g.id = (SELECT max(h.id) FROM goals h "
               "WHERE h.episode_id = g.episode_id AND h.measure_id = g.measure_id)")

    with op.batch_alter_table('report_addenda', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_addenda_report_id'))

    op.drop_table('report_addenda')
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goals_episode_id'))

    op.drop_table('goals')
    with op.batch_alter_table('problems', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_problems_episode_id'))

    op.drop_table('problems')
    with op.batch_alter_table('episode_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_episode_reports_episode_id'))

    op.drop_table('episode_reports')
    with op.batch_alter_table('plans_of_care', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plans_of_care_episode_id'))

    op.drop_table('plans_of_care')
