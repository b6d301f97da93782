"""appointment series and late cancellation: appointments booked together share a series; an
appointment cancelled within the clinic's notice is a late cancellation

Series membership is a table of its own and the status CHECK is widened in place, so that the
``appointments`` table is not rebuilt: on SQLite a rebuild drops the table that visits refer to,
which foreign keys (on for every connection, and unchangeable inside the migration's transaction)
refuse once visits exist.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ('requested', 'booked', 'checked_in', 'completed', 'cancelled', 'no_show')
"""The appointment statuses before this revision; it adds 'late_cancelled'."""
CHECK = 'ck_appointments_appointmentstatus'


def _status_check(statuses: Sequence[str]) -> str:
    return "status IN (" + ", ".join(f"'{s}'" for s in statuses) + ")"


def _replace_status_check(old: Sequence[str], new: Sequence[str]) -> None:
    """Swap the CHECK on appointments.status; every stored row satisfies both.

    PostgreSQL drops and adds the constraint. SQLite cannot alter a CHECK; its documented procedure
    for a constraint change that leaves the stored rows valid (https://www.sqlite.org/lang_altertable.html,
    "Making Other Kinds Of Table Schema Changes") edits the table's schema text and bumps schema_version.
    """
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f(CHECK), 'appointments', type_='check')
        op.create_check_constraint(op.f(CHECK), 'appointments', _status_check(new))
        return
    sql = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'appointments'").scalar()
    before, after = f"CONSTRAINT {CHECK} CHECK ({_status_check(old)})", f"CONSTRAINT {CHECK} CHECK ({_status_check(new)})"
    if sql is None or before not in sql:
        raise RuntimeError(f"appointments has no constraint {before!r} to replace; its schema is {sql!r}")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar() or 0
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'appointments'",
                         (sql.replace(before, after),))
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade() -> None:
    op.create_table('appointment_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('pattern', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinics.id'], name=op.f('fk_appointment_series_clinic_id_clinics')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                            name=op.f('fk_appointment_series_created_by_id_users')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'],
                            name=op.f('fk_appointment_series_patient_id_patients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointment_series'))
    )
    with op.batch_alter_table('appointment_series', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointment_series_clinic_id'), ['clinic_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointment_series_patient_id'), ['patient_id'], unique=False)
    op.create_table('appointment_series_members',
    sa.Column('appointment_id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointments.id'],
                            name=op.f('fk_appointment_series_members_appointment_id_appointments')),
    sa.ForeignKeyConstraint(['series_id'], ['appointment_series.id'],
                            name=op.f('fk_appointment_series_members_series_id_appointment_series')),
    sa.PrimaryKeyConstraint('appointment_id', name=op.f('pk_appointment_series_members'))
    )
    with op.batch_alter_table('appointment_series_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointment_series_members_series_id'), ['series_id'], unique=False)
    _replace_status_check(STATUSES, (*STATUSES, 'late_cancelled'))


def downgrade() -> None:
    op.execute("UPDATE appointments SET status = 'cancelled' WHERE status = 'late_cancelled'")
    _replace_status_check((*STATUSES, 'late_cancelled'), STATUSES)
    with op.batch_alter_table('appointment_series_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appointment_series_members_series_id'))
    op.drop_table('appointment_series_members')
    with op.batch_alter_table('appointment_series', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appointment_series_patient_id'))
        batch_op.drop_index(batch_op.f('ix_appointment_series_clinic_id'))
    op.drop_table('appointment_series')
