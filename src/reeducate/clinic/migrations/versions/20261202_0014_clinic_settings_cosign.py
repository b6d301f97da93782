"""clinic settings and co-signature: a PT assistant's note waits for a supervising PT when the clinic asks

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _is_postgresql() -> bool:
    return op.get_bind().dialect.name == 'postgresql'


def upgrade() -> None:
    # Added in place (SQLite's ALTER TABLE ... ADD COLUMN, a constant default, the foreign key inline):
    # rebuilding clinics or visit_notes would drop a table other rows refer to.
    with op.batch_alter_table('clinics') as batch:
        batch.add_column(sa.Column('pta_notes_need_cosignature', sa.Boolean(), nullable=False,
                                   server_default=sa.false() if _is_postgresql() else '0'))
    with op.batch_alter_table('visit_notes') as batch:
        batch.add_column(sa.Column('cosignature_required', sa.Boolean(), nullable=False,
                                   server_default=sa.false() if _is_postgresql() else '0'))
        batch.add_column(sa.Column('cosigned_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('cosigned_by_id', sa.Integer(), sa.ForeignKey(
            'users.id', name=op.f('fk_visit_notes_cosigned_by_id_users')), nullable=True))
        batch.add_column(sa.Column('cosign_sha256', sa.String(length=64), nullable=True))


def downgrade() -> None:
    # clinics loses its column in place (other tables refer to it); on SQLite visit_notes is rebuilt, which
    # needs no note addendum to refer to it (SQLite cannot drop a column of a foreign key in place).
    with op.batch_alter_table('visit_notes') as batch:
        batch.drop_column('cosign_sha256')
        batch.drop_column('cosigned_by_id')
        batch.drop_column('cosigned_at')
        batch.drop_column('cosignature_required')
    op.drop_column('clinics', 'pta_notes_need_cosignature')
