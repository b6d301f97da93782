"""patient contact and subscriber: a patient's emergency contact, a coverage's subscriber when not the patient

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

Every coverage already kept is the patient's own plan (subscriber_relationship 'self'), which is what
the 837P has said of it so far. The columns keep their server defaults (an added NOT NULL column
needs one) and are added and dropped in place: rebuilding a table on SQLite would drop it while
other rows refer to it, which its foreign keys refuse.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PATIENT_COLUMNS = (('emergency_contact_name', 200), ('emergency_contact_relationship', 60),
                   ('emergency_contact_phone', 40))
SUBSCRIBER_NAMES = (('subscriber_first_name', 100), ('subscriber_last_name', 100))


def _checked(name: str, constraint: str, values: tuple[str, ...], *, nullable: bool,
             server_default: str | None = None) -> sa.Column[str]:
    """A portable enum column (as db.enum_type) whose CHECK belongs to the column, so that SQLite adds
    and drops it with ALTER TABLE instead of rebuilding a table other rows refer to."""
    allowed = ", ".join(f"'{value}'" for value in values)
    return sa.Column(name, sa.String(length=40), sa.CheckConstraint(f"{name} IN ({allowed})",
                                                                  name=op.f(f'ck_coverages_{constraint}')),
                     nullable=nullable, server_default=server_default)


def upgrade() -> None:
    with op.batch_alter_table('patients', recreate='never') as batch:
        for name, length in PATIENT_COLUMNS:
            batch.add_column(sa.Column(name, sa.String(length=length), nullable=False, server_default=''))
    with op.batch_alter_table('coverages', recreate='never') as batch:
        batch.add_column(_checked('subscriber_relationship', 'subscriberrelationship',
                                  ('self', 'spouse', 'child', 'other'), nullable=False, server_default='self'))
        for name, length in SUBSCRIBER_NAMES:
            batch.add_column(sa.Column(name, sa.String(length=length), nullable=False, server_default=''))
        batch.add_column(sa.Column('subscriber_date_of_birth', sa.Date(), nullable=True))
        batch.add_column(_checked('subscriber_sex', 'sex', ('female', 'male', 'other', 'unknown'), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('coverages', recreate='never') as batch:
        for name in ('subscriber_sex', 'subscriber_date_of_birth', *(n for n, _ in SUBSCRIBER_NAMES),
                     'subscriber_relationship'):
            batch.drop_column(name)
    with op.batch_alter_table('patients', recreate='never') as batch:
        for name, _ in PATIENT_COLUMNS:
            batch.drop_column(name)
