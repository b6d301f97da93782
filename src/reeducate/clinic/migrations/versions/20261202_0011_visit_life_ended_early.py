"""visit life: an exercise ended with no repetition or hold is stored as ended early

The exercise status is a portable enum, kept by a CHECK constraint listing its values; the constraint is
dropped and created again with ``ended_early`` (SQLite rebuilds the table in batch mode).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONSTRAINT = 'ck_exercise_records_exercisestatus'
BEFORE = ('in_progress', 'completed', 'stopped_for_pain', 'interrupted')
AFTER = ('in_progress', 'completed', 'ended_early', 'stopped_for_pain', 'interrupted')


def _allow(values: Sequence[str]) -> None:
    listed = ', '.join(f"'{value}'" for value in values)
    with op.batch_alter_table('exercise_records') as batch:
        batch.drop_constraint(op.f(CONSTRAINT), type_='check')
        batch.create_check_constraint(op.f(CONSTRAINT), f'status IN ({listed})')


def upgrade() -> None:
    _allow(AFTER)


def downgrade() -> None:
    op.execute("UPDATE exercise_records SET status = 'completed' WHERE status = 'ended_early'")
    _allow(BEFORE)
