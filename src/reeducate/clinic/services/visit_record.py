"""Everything recorded in one visit, gathered for the visit's page: outcome measures, force-plate trials,
movement recordings, surface EMG, live exercises, minutes per activity, the note and the billing, with what the
clinician may still do (record, complete) decided here rather than in the page.

Each part is read through its own service, so each read is checked and audited as on its own page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from reeducate.clinic import permissions
from reeducate.clinic.access import Actor, require_role
from reeducate.clinic.audit_log import record
from reeducate.clinic.models import (
    BalanceTrial,
    Claim,
    EmgRecording,
    ExerciseRecord,
    MeasureAdministration,
    MovementRecording,
    Visit,
    VisitNote,
)
from reeducate.clinic.note_draft import exercise_name
from reeducate.clinic.services import balance, billing, emg, movement, notes, training, visits
from reeducate.clinic.services.billing import VisitBilling
from reeducate.clinic.vocabulary import AuditAction, ExerciseSource, VisitStatus
from reeducate.measures.catalogue import instruments


@dataclass(frozen=True)
class MeasureLine:
    """One outcome measure given in the visit, its score at the instrument's own precision."""

    measure_id: str
    name: str
    score: str  # "9.1 s", or why there is none
    interpretations: list[str]
    administered_at: datetime


@dataclass(frozen=True)
class ExerciseLine:
    """One live exercise of the visit as a page shows it: its name, where its samples came from, and
    whether it is the patient's performance at all (a simulated patient's run is not)."""

    record: ExerciseRecord
    name: str
    source: ExerciseSource

    @property
    def is_the_patients(self) -> bool:
        return self.source.is_the_patients


@dataclass(frozen=True)
class VisitRecord:
    """A visit and all it holds; ``open`` says whether anything may still be recorded in it."""

    visit: Visit
    measures: list[MeasureLine]
    trials: list[BalanceTrial]
    recordings: list[MovementRecording]
    exercises: list[ExerciseLine]
    note: VisitNote | None
    billing: VisitBilling
    claims: list[Claim]
    completion_refusal: str | None  # why "Complete visit" would be refused now, None when it would not
    emg: list[EmgRecording]

    @property
    def open(self) -> bool:
        return self.visit.status is not VisitStatus.COMPLETED


def _score(administration: MeasureAdministration) -> tuple[str, str]:
    """The instrument's name and the score as a clinician reads it (its own number of decimals)."""
    measure = instruments().get(administration.measure_id)
    if measure is None:  # no longer shipped: the stored score as it is
        return administration.measure_id, "" if administration.score is None else f"{administration.score:g}"
    if administration.score is None:
        return measure.name, f"not scored ({administration.result.get('reason') or 'incomplete'})"
    return measure.name, f"{administration.score:.{measure.decimals}f} {measure.unit_label}"


def measures_of(session: Session, actor: Actor, visit: Visit) -> list[MeasureLine]:
    """The outcome measures given in ``visit`` (which the caller may see), oldest first; audited."""
    rows = list(session.scalars(select(MeasureAdministration).where(MeasureAdministration.visit_id == visit.id)
                                .order_by(MeasureAdministration.administered_at, MeasureAdministration.id)))
    record(session, actor, AuditAction.READ, "measure_administrations", visit.id, patient_id=visit.patient_id,
           detail=f"visit {visit.id}: {len(rows)} administrations")
    lines = []
    for row in rows:
        name, score = _score(row)
        applied = [i["label"] for i in row.result.get("interpretations", []) if i.get("applies")]
        lines.append(MeasureLine(row.measure_id, name, score, applied, row.administered_at))
    return lines


def exercise_lines(records: list[ExerciseRecord]) -> list[ExerciseLine]:
    """Exercise records as pages show them (names and sources for people, not ids)."""
    return [ExerciseLine(r, exercise_name(r), ExerciseSource(r.source)) for r in records]


def gather(session: Session, actor: Actor, visit_id: int) -> VisitRecord:
    """The visit and everything recorded in it, for a clinician who may see it (audited part by part)."""
    require_role(actor, permissions.SEE_CLINICAL, "see a visit's clinical record")
    visit = visits.get(session, actor, visit_id)
    exercises = exercise_lines(training.of_visit(session, actor, visit.id))
    return VisitRecord(
        visit=visit, measures=measures_of(session, actor, visit), trials=balance.for_visit(session, actor, visit.id),
        recordings=movement.for_visit(session, actor, visit.id), exercises=exercises,
        note=notes.of_visit(session, actor, visit.id), billing=billing.summary(session, actor, visit.id),
        claims=billing.claims_of(session, actor, visit.id), completion_refusal=visits.completion_refusal(session, visit),
        emg=emg.for_visit(session, actor, visit.id),
    )
