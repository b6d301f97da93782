"""Numbers handed out one by one and never twice: a clinic's MRNs, the claims' control numbers.

Each series is a row of ``counters`` holding its last number. The next one is taken in one atomic
statement, an upsert that adds one and returns the sum (``INSERT ... ON CONFLICT DO UPDATE ...
RETURNING``, PostgreSQL and SQLite 3.35 or later), so two transactions cannot both read the same last
number: the second waits for the row until the first ends. A series starts at 1 the first time it is
used; a number taken in a transaction that is rolled back is given back with it.
"""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from reeducate.clinic.models import Counter

CLAIM_CONTROL_NUMBERS = "claim control numbers"
"""One series for every clinic's claims: a claim's control number is unique in the database."""


def mrn_series(clinic_id: int) -> str:
    """The series of a clinic's medical record numbers (each clinic counts its own)."""
    return f"mrns of clinic {clinic_id}"


def next_number(session: Session, series: str) -> int:
    """The series' next number, taken for this transaction."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(Counter).values(series=series, last_value=1)
    upsert = statement.on_conflict_do_update(
        index_elements=[Counter.series], set_={"last_value": Counter.last_value + 1}
    ).returning(Counter.last_value)
    return session.execute(upsert).scalar_one()
