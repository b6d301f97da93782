"""Writing the audit log. Every read and write of patient data passes through :func:`record`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.access import Actor
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.errors import ClinicError, Forbidden, NotFound
from reeducate.clinic.models import AuditEvent
from reeducate.clinic.vocabulary import AuditAction


def record(
    session: Session,
    actor: Actor,
    action: AuditAction,
    resource_type: str,
    resource_id: object = "",
    *,
    patient_id: int | None = None,
    detail: str = "",
    changes: dict[str, list[Any]] | None = None,
) -> None:
    """Add one audit row to the caller's transaction (stored if and only if the work is); an update
    passes ``changes`` (:func:`changes_between`) so the log shows what each field was and became."""
    session.add(
        AuditEvent(
            clinic_id=actor.clinic_id,
            user_id=actor.user_id,
            actor=actor.email,
            patient_id=patient_id,
            action=action,
            resource_type=resource_type,
            resource_id=str(resource_id),
            detail=detail[:500],
            ip_address=actor.ip_address,
            user_agent=actor.user_agent,
            changes=changes or None,
        )
    )


def _shown(value: object) -> object:
    """A field's value as the log keeps it: JSON's own types as they are, anything else (dates,
    enums, decimals) as its text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(getattr(value, "value", value)) if not isinstance(value, date) else value.isoformat()


def changes_between(before: Mapping[str, object], after: Mapping[str, object]) -> dict[str, list[Any]]:
    """The fields whose value differs, ``{field: [before, after]}`` (a field absent before is None)."""
    return {
        name: [_shown(before.get(name)), _shown(value)]
        for name, value in after.items()
        if _shown(before.get(name)) != _shown(value)
    }


def snapshot(row: object, names: Iterable[str]) -> dict[str, object]:
    """The current values of ``names`` on ``row``, to compare with after an update."""
    return {name: getattr(row, name) for name in names}


def record_reads(
    session: Session, actor: Actor, resource_type: str, patient_ids: Iterable[int], detail: str
) -> None:
    """One read row per patient whose data a list or schedule showed."""
    for patient_id in sorted(set(patient_ids)):
        record(
            session, actor, AuditAction.READ, resource_type, patient_id=patient_id, detail=detail
        )


def record_refusal(sessions: sessionmaker[Session], actor: Actor | None, error: ClinicError, where: str) -> None:
    """Keep a row for a known caller refused access to records (Forbidden or NotFound), in a
    transaction of its own: the refused request's transaction is undone. ``where`` names the request."""
    if actor is None or not isinstance(error, Forbidden | NotFound):
        return
    with unit_of_work(sessions) as session:
        record(session, actor, AuditAction.DENIED, "request", detail=f"{where}: {error.message}")
