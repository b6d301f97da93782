"""claim corrections: a claim's frequency code, the claim it replaces or voids, and why

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('claims') as batch:
        batch.add_column(sa.Column('frequency_code', sa.Enum('1', '7', '8', name='claimfrequency',
                                                             native_enum=False, create_constraint=True, length=40),
                                   nullable=False, server_default='1'))
        batch.add_column(sa.Column('replaces_claim_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('reason', sa.String(length=500), nullable=False, server_default=''))
        batch.create_foreign_key(op.f('fk_claims_replaces_claim_id_claims'), 'claims', ['replaces_claim_id'], ['id'])
        batch.create_unique_constraint(op.f('uq_claims_replaces_claim_id'), ['replaces_claim_id'])


def downgrade() -> None:
    with op.batch_alter_table('claims') as batch:
        batch.drop_constraint(op.f('uq_claims_replaces_claim_id'), type_='unique')
        batch.drop_constraint(op.f('fk_claims_replaces_claim_id_claims'), type_='foreignkey')
        batch.drop_constraint(op.f('ck_claims_claimfrequency'), type_='check')
        batch.drop_column('reason')
        batch.drop_column('replaces_claim_id')
        batch.drop_column('frequency_code')
