"""episode details: referral date, precautions and red flags, payer authorisation, discharge reason

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DISCHARGE_REASONS = ('goals_met', 'plateaued', 'patient_request', 'non_attendance', 'referred_on', 'other')
COLUMNS = ('referral_date', 'precautions', 'red_flags', 'authorisation_number', 'authorised_visits',
           'authorised_from', 'authorised_until', 'discharge_reason', 'discharge_note')


def upgrade() -> None:
    op.add_column('episodes', sa.Column('referral_date', sa.Date(), nullable=True))
    op.add_column('episodes', sa.Column('precautions', sa.Text(), nullable=False, server_default=''))
    op.add_column('episodes', sa.Column('red_flags', sa.Text(), nullable=False, server_default=''))
    op.add_column('episodes', sa.Column('authorisation_number', sa.String(length=60), nullable=False,
                                        server_default=''))
    op.add_column('episodes', sa.Column('authorised_visits', sa.Integer(), nullable=True))
    op.add_column('episodes', sa.Column('authorised_from', sa.Date(), nullable=True))
    op.add_column('episodes', sa.Column('authorised_until', sa.Date(), nullable=True))
    if op.get_bind().dialect.name == 'sqlite':
        # The check on the column itself, not on the table: SQLite can then drop the column in place again
        # (a batch copy of the table, which a table check would need, breaks the visits' foreign keys to it).
        op.execute("ALTER TABLE episodes ADD COLUMN discharge_reason VARCHAR(40) CONSTRAINT "
                   "ck_episodes_dischargereason CHECK (discharge_reason IN ("
                   + ", ".join(f"'{reason}'" for reason in DISCHARGE_REASONS) + "))")
    else:
        op.add_column('episodes', sa.Column('discharge_reason', sa.Enum(
            *DISCHARGE_REASONS, name='dischargereason', native_enum=False, create_constraint=True, length=40),
            nullable=True))
    op.add_column('episodes', sa.Column('discharge_note', sa.Text(), nullable=False, server_default=''))


def downgrade() -> None:
    for column in reversed(COLUMNS):  # in place (SQLite 3.35+ too); PostgreSQL drops the check with its column
        op.drop_column('episodes', column)
