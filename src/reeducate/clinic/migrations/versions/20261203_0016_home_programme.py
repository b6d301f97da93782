"""the home programme: versions and items, home sessions, reminders, RTM set-up and time

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('home_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('at_local', sa.String(length=5), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('name_exercises', sa.Boolean(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('last_sent_on', sa.Date(), nullable=True),
    sa.Column('unsubscribed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_home_reminders_patient_id_patients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_home_reminders')),
    sa.UniqueConstraint('patient_id', name=op.f('uq_home_reminders_patient_id')),
    sa.UniqueConstraint('token', name=op.f('uq_home_reminders_token'))
    )
    op.create_table('home_programmes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('episode_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_home_programmes_created_by_id_users')),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes.id'], name=op.f('fk_home_programmes_episode_id_episodes')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_home_programmes_patient_id_patients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_home_programmes')),
    sa.UniqueConstraint('episode_id', name=op.f('uq_home_programmes_episode_id'))
    )
    with op.batch_alter_table('home_programmes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_home_programmes_patient_id'), ['patient_id'], unique=False)

    op.create_table('rtm_setups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('episode_id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('performed_on', sa.Date(), nullable=False),
    sa.Column('performed_by_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes.id'], name=op.f('fk_rtm_setups_episode_id_episodes')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_rtm_setups_patient_id_patients')),
    sa.ForeignKeyConstraint(['performed_by_id'], ['users.id'], name=op.f('fk_rtm_setups_performed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rtm_setups')),
    sa.UniqueConstraint('episode_id', name=op.f('uq_rtm_setups_episode_id'))
    )
    with op.batch_alter_table('rtm_setups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rtm_setups_patient_id'), ['patient_id'], unique=False)

    op.create_table('rtm_time_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('episode_id', sa.Integer(), nullable=False),
    sa.Column('clinician_id', sa.Integer(), nullable=False),
    sa.Column('performed_on', sa.Date(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('activity', sa.Enum('data_review', 'programme_change', 'interactive', 'setup_education', name='rtmactivity', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('interactive', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('minutes >= 1 AND minutes <= 600', name=op.f('ck_rtm_time_entries_minutes_in_range')),
    sa.ForeignKeyConstraint(['clinician_id'], ['users.id'], name=op.f('fk_rtm_time_entries_clinician_id_users')),
    sa.ForeignKeyConstraint(['episode_id'], ['episodes.id'], name=op.f('fk_rtm_time_entries_episode_id_episodes')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_rtm_time_entries_patient_id_patients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rtm_time_entries'))
    )
    with op.batch_alter_table('rtm_time_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rtm_time_entries_episode_id'), ['episode_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rtm_time_entries_patient_id'), ['patient_id'], unique=False)

    op.create_table('home_programme_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('notes_for_patient', sa.Text(), nullable=False),
    sa.Column('change_reason', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_on IS NULL OR ends_on >= starts_on', name=op.f('ck_home_programme_versions_ends_after_start')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_home_programme_versions_created_by_id_users')),
    sa.ForeignKeyConstraint(['programme_id'], ['home_programmes.id'], name=op.f('fk_home_programme_versions_programme_id_home_programmes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_home_programme_versions')),
    sa.UniqueConstraint('programme_id', 'number', name=op.f('uq_home_programme_versions_programme_id_number'))
    )
    with op.batch_alter_table('home_programme_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_home_programme_versions_programme_id'), ['programme_id'], unique=False)

    op.create_table('home_programme_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('exercise_id', sa.String(length=40), nullable=False),
    sa.Column('monitor', sa.String(length=30), nullable=True),
    sa.Column('side', sa.String(length=5), nullable=True),
    sa.Column('sets', sa.Integer(), nullable=False),
    sa.Column('reps', sa.Integer(), nullable=True),
    sa.Column('hold_s', sa.Double(), nullable=True),
    sa.Column('weekdays', sa.JSON(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.CheckConstraint('reps IS NOT NULL OR hold_s IS NOT NULL', name=op.f('ck_home_programme_items_reps_or_hold')),
    sa.CheckConstraint('sets >= 1', name=op.f('ck_home_programme_items_at_least_one_set')),
    sa.ForeignKeyConstraint(['version_id'], ['home_programme_versions.id'], name=op.f('fk_home_programme_items_version_id_home_programme_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_home_programme_items'))
    )
    with op.batch_alter_table('home_programme_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_home_programme_items_version_id'), ['version_id'], unique=False)

    op.create_table('home_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('performed_on', sa.Date(), nullable=False),
    sa.Column('kind', sa.Enum('guided', 'ticked', name='homesessionkind', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('status', sa.Enum('in_progress', 'completed', 'ended_early', 'stopped_for_pain', 'interrupted', name='exercisestatus', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('prescribed', sa.JSON(), nullable=False),
    sa.Column('sets_done', sa.Integer(), nullable=True),
    sa.Column('repetitions', sa.Integer(), nullable=False),
    sa.Column('holds_completed', sa.Integer(), nullable=True),
    sa.Column('mean_score', sa.Double(), nullable=True),
    sa.Column('active_s', sa.Double(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('pain_score', sa.Integer(), nullable=True),
    sa.Column('pain_at_s', sa.Double(), nullable=True),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.Column('flag_reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('flag_reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('clip_sha256', sa.String(length=64), nullable=True),
    sa.Column('clip_filename', sa.String(length=255), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('pain_score IS NULL OR (pain_score >= 0 AND pain_score <= 10)', name=op.f('ck_home_sessions_pain_0_to_10')),
    sa.ForeignKeyConstraint(['flag_reviewed_by_id'], ['users.id'], name=op.f('fk_home_sessions_flag_reviewed_by_id_users')),
    sa.ForeignKeyConstraint(['item_id'], ['home_programme_items.id'], name=op.f('fk_home_sessions_item_id_home_programme_items')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_home_sessions_patient_id_patients')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_home_sessions_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_home_sessions'))
    )
    with op.batch_alter_table('home_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_home_sessions_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_home_sessions_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_home_sessions_performed_on'), ['performed_on'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('home_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_home_sessions_performed_on'))
        batch_op.drop_index(batch_op.f('ix_home_sessions_patient_id'))
        batch_op.drop_index(batch_op.f('ix_home_sessions_item_id'))

    op.drop_table('home_sessions')
    with op.batch_alter_table('home_programme_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_home_programme_items_version_id'))

    op.drop_table('home_programme_items')
    with op.batch_alter_table('home_programme_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_home_programme_versions_programme_id'))

    op.drop_table('home_programme_versions')
    with op.batch_alter_table('rtm_time_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rtm_time_entries_patient_id'))
        batch_op.drop_index(batch_op.f('ix_rtm_time_entries_episode_id'))

    op.drop_table('rtm_time_entries')
    with op.batch_alter_table('rtm_setups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rtm_setups_patient_id'))

    op.drop_table('rtm_setups')
    with op.batch_alter_table('home_programmes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_home_programmes_patient_id'))

    op.drop_table('home_programmes')
    op.drop_table('home_reminders')
