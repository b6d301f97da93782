"""The episode's problem list: findings of a visit proposed as problems, then accepted (with the statement
edited and the interventions kept) or rejected by the therapist; a problem added in the therapist's words.

Proposing reads the visit's outcome measures, gait recordings and live exercises and hands them, as plain
data, to :func:`reeducate.planning.findings.findings`; each finding not already on the list becomes a
PROPOSED row. Nothing enters the plan unasked: only an accepted problem is on the problem list others read
(the evaluation note, goals, the plan of care). Force-plate trials propose nothing: no sourced cut-off for
their sway measures exists in the posturography engine.

Only an evaluating clinician (``permissions.PLAN``) writes; the clinic's clinicians read. Every read and
write is audited, an accepted problem's edits with their before and after; a discharged episode is
read-only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from reeducate.clinic import permissions
from reeducate.clinic.access import Actor, fetch_for_patient, require_role
from reeducate.clinic.audit_log import changes_between, record
from reeducate.clinic.db import utcnow
from reeducate.clinic.errors import Conflict, InvalidInput
from reeducate.clinic.models import (
    Episode,
    ExerciseRecord,
    MeasureAdministration,
    MovementRecording,
    Problem,
    Visit,
)
from reeducate.clinic.schemas import plain_text
from reeducate.clinic.services import episodes, movement, training, visits
from reeducate.clinic.vocabulary import (
    AdministrationSource,
    AuditAction,
    ExerciseSource,
    ExerciseStatus,
    MovementKind,
    ProblemStatus,
)
from reeducate.measures.results import Patient
from reeducate.planning.findings import (
    ExerciseRun,
    Finding,
    GaitRecord,
    MeasureRecord,
    Obtained,
    VisitRecords,
    findings,
)
from reeducate.training.catalogue import library

MAX_STATEMENT_CHARS = 1000


@dataclass(frozen=True)
class ProblemList:
    """The episode's problems by status, each oldest first: only ``accepted`` is the problem list;
    ``visits`` are the episode's visits (newest first) whose findings may be proposed."""

    episode: Episode
    proposed: list[Problem]
    accepted: list[Problem]
    rejected: list[Problem]
    visits: list[Visit]


def _rows(session: Session, episode_id: int) -> list[Problem]:
    return list(session.scalars(select(Problem).where(Problem.episode_id == episode_id)
                                .order_by(Problem.created_at, Problem.id)))


def accepted(session: Session, episode_id: int) -> list[Problem]:
    """The episode's problem list: the problems the therapist accepted, oldest first (not audited: the
    caller has read the episode for its actor)."""
    return list(session.scalars(select(Problem).where(Problem.episode_id == episode_id,
                                                      Problem.status == ProblemStatus.ACCEPTED).order_by(Problem.id)))


def list_for_episode(session: Session, actor: Actor, episode_id: int) -> ProblemList:
    """The episode's problems, for a clinician who may see it; audited."""
    require_role(actor, permissions.SEE_CLINICAL, "see an episode's problem list")
    episode = episodes.clinical_episode(session, actor, episode_id)
    rows = _rows(session, episode.id)
    record(session, actor, AuditAction.READ, "problems", episode.id, patient_id=episode.patient_id,
           detail=f"episode {episode.id}: {len(rows)} problems")
    by = {status: [p for p in rows if p.status is status] for status in ProblemStatus}
    visits_of = list(session.scalars(select(Visit).where(Visit.episode_id == episode.id)
                                     .order_by(Visit.checked_in_at.desc(), Visit.id.desc())))
    return ProblemList(episode, by[ProblemStatus.PROPOSED], by[ProblemStatus.ACCEPTED], by[ProblemStatus.REJECTED],
                       visits_of)


def _plannable(session: Session, actor: Actor, episode_id: int, doing: str) -> Episode:
    """The episode for a change of its problem list: the role, the episode's lock, still active."""
    return episodes._editable(session, actor, episode_id, permissions.PLAN, doing)


def _patient(facts: dict[str, Any]) -> Patient:
    """The patient facts stored with an administration (an unreadable set is no facts: no band that needs
    them applies)."""
    try:
        return Patient.model_validate(facts or {})
    except ValidationError:
        return Patient()


def _measure(row: MeasureAdministration) -> MeasureRecord:
    result = row.result or {}
    return MeasureRecord(
        measure_id=row.measure_id, score=row.score,
        obtained=Obtained.SCORED if row.source is AdministrationSource.CLINICIAN else Obtained.PATIENT_REPORTED,
        subscores=result.get("subscores") or {}, condition=(result.get("details") or {}).get("condition"),
        patient=_patient(row.patient_facts))


def _gait(row: MovementRecording) -> GaitRecord:
    return GaitRecord(row.gait_speed_m_s,
                      Obtained.MEASURED_IMU if row.kind is MovementKind.IMU_GAIT else Obtained.MEASURED_VIDEO)


def _runs(rows: Sequence[ExerciseRecord]) -> list[ExerciseRun]:
    """The patient's own finished runs (a simulated patient's, and one still running, are not evidence)."""
    return [ExerciseRun(r.exercise_id, r.side, {k: int(v) for k, v in (r.summary.get("faults") or {}).items()},
                        Obtained.REPLAYED if ExerciseSource(r.source) is ExerciseSource.RECORDING
                        else Obtained.MEASURED_LIVE)
            for r in rows if ExerciseSource(r.source).is_the_patients and r.status is not ExerciseStatus.IN_PROGRESS]


def _records(session: Session, actor: Actor, visit: Visit) -> VisitRecords:
    """The visit's records as the findings engine reads them; each kind's read audited."""
    administrations = list(session.scalars(select(MeasureAdministration).where(
        MeasureAdministration.visit_id == visit.id).order_by(MeasureAdministration.administered_at,
                                                             MeasureAdministration.id)))
    record(session, actor, AuditAction.READ, "measure_administrations", visit.id, patient_id=visit.patient_id,
           detail=f"visit {visit.id}: {len(administrations)} administrations, for findings")
    return VisitRecords(measures=[_measure(a) for a in administrations],
                        gaits=[_gait(r) for r in movement.for_visit(session, actor, visit.id)],
                        exercises=_runs(training.of_visit(session, actor, visit.id)))


def _already(existing: Sequence[Problem], finding: Finding, visit: Visit) -> bool:
    """On the list already (proposed or accepted, from any visit), or rejected from this visit."""
    return any(p.finding == finding.rule and (p.status is not ProblemStatus.REJECTED or p.visit_id == visit.id)
               for p in existing)


def propose(session: Session, actor: Actor, visit_id: int, *, episode_id: int | None = None) -> list[Problem]:
    """Propose the visit's findings as problems of its episode (which must be ``episode_id`` when given);
    the new rows (none when every finding is already there, or was rejected from this visit): running it
    twice adds nothing."""
    doing = "propose problems from a visit's findings (a PT or chiropractor decides the problem list)"
    require_role(actor, permissions.PLAN, doing)
    visit = visits.clinical_visit(session, actor, visit_id)
    if visit.episode_id is None:
        raise Conflict("This visit belongs to no episode of care; open the patient's episode first, then propose "
                       "its problems.")
    if episode_id is not None and visit.episode_id != episode_id:
        raise InvalidInput("That visit belongs to another episode; choose one of this episode's visits.",
                           field="visit_id")
    episode = _plannable(session, actor, visit.episode_id, doing)
    existing = _rows(session, episode.id)
    created = []
    for finding in findings(_records(session, actor, visit)):
        if _already(existing, finding, visit):
            continue
        problem = Problem(
            episode_id=episode.id, visit_id=visit.id, finding=finding.rule, statement=finding.statement,
            evidence={"items": [e.as_dict() for e in finding.evidence],
                      "impairments": [{"id": str(i), "label": i.label} for i in finding.impairments]},
            suggestions=[s.as_dict() for s in finding.suggestions], interventions=[],
            status=ProblemStatus.PROPOSED)
        session.add(problem)
        session.flush()
        record(session, actor, AuditAction.CREATE, "problem", problem.id, patient_id=episode.patient_id,
               detail=f"proposed from visit {visit.id}: {finding.rule}")
        created.append(problem)
    return created


def _statement(text: str) -> str:
    statement = plain_text(text.strip(), "The problem's statement")
    if not statement:
        raise InvalidInput("Write the problem in a sentence (what is impaired, and how it shows).", field="statement")
    if len(statement) > MAX_STATEMENT_CHARS:
        raise InvalidInput(f"Keep the problem's statement under {MAX_STATEMENT_CHARS} characters.", field="statement")
    return statement


def _key(item: dict[str, Any]) -> str:
    """How a form names a suggestion or library item: ``technique:pnf``, ``exercise:mini-squat``."""
    return f"{item['kind']}:{item['id']}"


def library_choices() -> list[dict[str, str]]:
    """Every technique and exercise of the library, as a problem's intervention (kind, id, name)."""
    lib = library()
    return ([{"kind": "technique", "id": t.id, "name": t.name} for t in lib.techniques.values()]
            + [{"kind": "exercise", "id": e.id, "name": e.name} for e in lib.exercises.values()])


def _chosen(keys: Sequence[str], offered: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """The offered items the therapist kept, in the offered order; an unknown key is an error naming it."""
    by_key = {_key(item): item for item in offered}
    unknown = [k for k in keys if k not in by_key]
    if unknown:
        raise InvalidInput(f"{', '.join(unknown)} is not one of the techniques and exercises offered; choose from "
                           "the list.", field="interventions")
    wanted = set(keys)
    return [{"kind": item["kind"], "id": item["id"], "name": item["name"]}
            for key, item in by_key.items() if key in wanted]


def add(session: Session, actor: Actor, episode_id: int, statement: str,
        interventions: Sequence[str] = ()) -> Problem:
    """A problem in the therapist's own words, on the list at once (it is their decision), with the
    library's techniques and exercises they chose (``kind:id`` keys)."""
    doing = "add a problem to the problem list (a PT or chiropractor decides the problem list)"
    require_role(actor, permissions.PLAN, doing)
    text, kept = _statement(statement), _chosen(interventions, library_choices())
    episode = _plannable(session, actor, episode_id, doing)
    now = utcnow()
    problem = Problem(episode_id=episode.id, finding="", statement=text, evidence={}, suggestions=[],
                      interventions=kept, status=ProblemStatus.ACCEPTED, created_at=now,
                      decided_by_id=actor.user_id, decided_at=now)
    session.add(problem)
    session.flush()
    record(session, actor, AuditAction.CREATE, "problem", problem.id, patient_id=episode.patient_id,
           detail="added in the therapist's words")
    return problem


def _proposed(session: Session, actor: Actor, problem_id: int, doing: str) -> tuple[Problem, Episode]:
    """A proposed problem about to be decided: the role first, then the row, then the episode's lock (the
    row read again under it, so two decisions cannot both pass)."""
    require_role(actor, permissions.PLAN, doing)
    problem = fetch_for_patient(session, actor, Problem, problem_id, "problem",
                                patient_of=lambda p: p.episode.patient, clinical=True)
    episode = _plannable(session, actor, problem.episode_id, doing)
    session.refresh(problem)
    if problem.status is not ProblemStatus.PROPOSED:
        raise Conflict(f"This problem was already {problem.status.value} "
                       f"by {problem.decided_by.full_name if problem.decided_by else 'someone'}.")
    return problem, episode


def _state(problem: Problem) -> dict[str, object]:
    """What a decision changes, as the audit log compares it (interventions by name)."""
    return {"status": problem.status, "statement": problem.statement,
            "interventions": "; ".join(i["name"] for i in problem.interventions),
            "decided_by_id": problem.decided_by_id}


def _decide(session: Session, actor: Actor, problem: Problem, episode: Episode, status: ProblemStatus,
            change: dict[str, Any]) -> Problem:
    before = _state(problem)
    for name, value in change.items():
        setattr(problem, name, value)
    problem.status, problem.decided_by_id, problem.decided_at = status, actor.user_id, utcnow()
    session.flush()
    after = _state(problem)
    record(session, actor, AuditAction.UPDATE, "problem", problem.id, patient_id=episode.patient_id,
           detail=f"{status.value}: {problem.finding or 'own words'}", changes=changes_between(before, after))
    return problem


def accept(session: Session, actor: Actor, problem_id: int, statement: str, interventions: Sequence[str]) -> Problem:
    """Accept a proposed problem onto the list, in the therapist's statement (edited or as proposed), with
    the suggested techniques and exercises they kept (``kind:id`` keys)."""
    problem, episode = _proposed(session, actor, problem_id, "accept a problem (a PT or chiropractor decides)")
    change = {"statement": _statement(statement), "interventions": _chosen(interventions, problem.suggestions)}
    return _decide(session, actor, problem, episode, ProblemStatus.ACCEPTED, change)


def reject(session: Session, actor: Actor, problem_id: int) -> Problem:
    """Reject a proposed problem: it stays, marked, and is not proposed again from the same visit."""
    problem, episode = _proposed(session, actor, problem_id, "reject a problem (a PT or chiropractor decides)")
    return _decide(session, actor, problem, episode, ProblemStatus.REJECTED, {})
