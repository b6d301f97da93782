"""billing: charges, notes, addenda, claims, billing identity, eligibility

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('coverage_id', sa.Integer(), nullable=False),
    sa.Column('control_number', sa.Integer(), nullable=False),
    sa.Column('total_charge', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('x12', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['coverage_id'], ['coverages.id'], name=op.f('fk_claims_coverage_id_coverages')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_claims_created_by_id_users')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_claims_visit_id_visits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claims')),
    sa.UniqueConstraint('control_number', name=op.f('uq_claims_control_number'))
    )
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claims_visit_id'), ['visit_id'], unique=False)

    op.create_table('visit_charges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=5), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('assistant_minutes', sa.Integer(), nullable=False),
    sa.Column('region', sa.String(length=120), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('assistant_minutes >= 0 AND assistant_minutes <= minutes', name=op.f('ck_visit_charges_assistant_share')),
    sa.CheckConstraint('minutes >= 0 AND minutes <= 480', name=op.f('ck_visit_charges_minutes_range')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_visit_charges_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_visit_charges_visit_id_visits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_charges'))
    )
    with op.batch_alter_table('visit_charges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_charges_visit_id'), ['visit_id'], unique=False)

    op.create_table('visit_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'signed', name='notestatus', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('billing', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('signed_by_id', sa.Integer(), nullable=True),
    sa.Column('content_sha256', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['signed_by_id'], ['users.id'], name=op.f('fk_visit_notes_signed_by_id_users')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_visit_notes_updated_by_id_users')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_visit_notes_visit_id_visits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_notes')),
    sa.UniqueConstraint('visit_id', name=op.f('uq_visit_notes_visit_id'))
    )
    op.create_table('note_addenda',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('note_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_note_addenda_author_id_users')),
    sa.ForeignKeyConstraint(['note_id'], ['visit_notes.id'], name=op.f('fk_note_addenda_note_id_visit_notes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_note_addenda'))
    )
    with op.batch_alter_table('note_addenda', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_note_addenda_note_id'), ['note_id'], unique=False)

    with op.batch_alter_table('clinics', schema=None) as batch_op:
        batch_op.add_column(sa.Column('npi', sa.String(length=10), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('tax_id', sa.String(length=10), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('billing_address', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('billing_city', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('billing_state', sa.String(length=2), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('billing_postal_code', sa.String(length=10), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('billing_phone', sa.String(length=40), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('fee_schedule', sa.JSON(), nullable=False, server_default='{}'))

    with op.batch_alter_table('coverages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payer_id', sa.String(length=80), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('unit_rule', sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column('eligibility_checked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('eligibility_status', sa.String(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('eligibility', sa.JSON(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('coverages', schema=None) as batch_op:
        batch_op.drop_column('eligibility')
        batch_op.drop_column('eligibility_status')
        batch_op.drop_column('eligibility_checked_at')
        batch_op.drop_column('unit_rule')
        batch_op.drop_column('payer_id')

    with op.batch_alter_table('clinics', schema=None) as batch_op:
        batch_op.drop_column('fee_schedule')
        batch_op.drop_column('billing_phone')
        batch_op.drop_column('billing_postal_code')
        batch_op.drop_column('billing_state')
        batch_op.drop_column('billing_city')
        batch_op.drop_column('billing_address')
        batch_op.drop_column('tax_id')
        batch_op.drop_column('npi')

    with op.batch_alter_table('note_addenda', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_note_addenda_note_id'))

    op.drop_table('note_addenda')
    op.drop_table('visit_notes')
    with op.batch_alter_table('visit_charges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_charges_visit_id'))

    op.drop_table('visit_charges')
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claims_visit_id'))

    op.drop_table('claims')
