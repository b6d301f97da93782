"""One transaction at a time for a check that decides a write: a clinician's free slot, an account's
failed log-ins, an appointment not yet checked in. Without it two transactions both check, both find
room, and both write.

PostgreSQL (READ COMMITTED, its default) takes a transaction-scoped advisory lock on a key made from
the scope and the thing's id: a second transaction waits there until the first commits or rolls back,
and its next statement then sees what the first wrote. SQLite needs nothing: every transaction there
begins with ``BEGIN IMMEDIATE`` (``clinic/db.py``), which takes the database's one write lock before
the first read, so transactions that may write already run one after the other.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session


class LockScope(StrEnum):
    """What a lock is about, in the order a transaction takes them (so two never wait on each other)."""

    APPOINTMENT = "appointment"
    CLINICIAN = "clinician"
    ROOM = "room"
    PATIENT = "patient"
    EPISODE = "episode"
    VISIT = "visit"
    LOGIN_ACCOUNT = "login account"
    LOGIN_ADDRESS = "login address"
    CLINIC_ACCOUNTS = "clinic accounts"
    JOB = "job"


def lock_key(scope: LockScope, key: int | str) -> int:
    """The advisory lock's signed 64-bit key: the same in every process (``hash()`` is salted per
    process). Two things sharing a key would only wait for each other, never decide wrongly."""
    digest = hashlib.blake2b(f"{scope.value}:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def serialise(session: Session, scope: LockScope, key: int | str) -> None:
    """Hold, until the transaction ends, the lock of ``key`` in ``scope``: transactions that take it
    run from here one after the other. Take it before the check it protects; taking it again in the
    same transaction costs nothing."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(lock_key(scope, key))))
