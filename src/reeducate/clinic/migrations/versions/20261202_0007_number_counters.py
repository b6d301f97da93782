"""number counters: a clinic's MRNs and the claims' control numbers, taken atomically

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

Each counter starts where the numbers already given end: a clinic's MRN series at the larger of its
number of patients (what the next MRN was made from) and the highest MRN shaped MRN<digits>; the
claims' series at the highest control number.
"""

import re
from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MRN = re.compile(r"MRN(\d+)")


def upgrade() -> None:
    counters = op.create_table('counters',
    sa.Column('series', sa.String(length=60), nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('series', name=op.f('pk_counters'))
    )
    connection = op.get_bind()
    patients: dict[int, int] = defaultdict(int)
    highest: dict[int, int] = defaultdict(int)
    for clinic_id, mrn in connection.execute(sa.text("SELECT clinic_id, mrn FROM patients")):
        patients[clinic_id] += 1
        if matched := MRN.fullmatch(mrn):
            highest[clinic_id] = max(highest[clinic_id], int(matched.group(1)))
    # the series' names as numbering.py spells them (a migration does not import the code it outlives)
    last = {f"mrns of clinic {clinic}": max(count, highest[clinic]) for clinic, count in patients.items()}
    claims = connection.execute(sa.text("SELECT max(control_number) FROM claims")).scalar()
    if claims is not None:
        last["claim control numbers"] = claims
    if last:
        op.bulk_insert(counters, [{"series": s, "last_value": n} for s, n in last.items()])


def downgrade() -> None:
    op.drop_table('counters')
