"""Live training: the exercise library, a visit's exercise records, and resuming after severe pain.

The live session itself is a WebSocket (``/visits/{visit_id}/training/live``, see ``web/live.py``)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from reeducate.clinic.errors import NotFound
from reeducate.clinic.schemas import ExerciseRecordOut, TrainingResumed
from reeducate.clinic.services import training
from reeducate.training.catalogue import UnknownExercise, exercise, library
from reeducate.training.models import Exercise
from reeducate.web.deps import ActorDep, SessionDep, StaffDep

router = APIRouter(tags=["training"])


class ExerciseListed(BaseModel):
    id: str
    name: str
    technique: str
    monitors: list[str]
    sided: bool


@router.get("/exercises", response_model=list[ExerciseListed])
def list_exercises(_actor: ActorDep) -> list[ExerciseListed]:
    """Every exercise of the library (no patient data; any logged-in user)."""
    return [ExerciseListed(id=e.id, name=e.name, technique=e.technique, monitors=[m.key for m in e.monitors],
                           sided=e.sided) for e in library().exercises.values()]


@router.get("/exercises/{exercise_id}", response_model=Exercise)
def get_exercise(exercise_id: str, _actor: ActorDep) -> Exercise:
    try:
        return exercise(exercise_id)
    except UnknownExercise as exc:
        raise NotFound(str(exc)) from None


@router.get("/visits/{visit_id}/exercise-records", response_model=list[ExerciseRecordOut])
def visit_records(visit_id: int, actor: ActorDep, session: SessionDep) -> list[ExerciseRecordOut]:
    return [ExerciseRecordOut.model_validate(r) for r in training.of_visit(session, actor, visit_id)]


@router.post("/visits/{visit_id}/training/resume", response_model=TrainingResumed)
def resume(visit_id: int, actor: StaffDep, session: SessionDep) -> TrainingResumed:
    """A physical therapist or chiropractor lifts the visit's severe-pain lock."""
    return TrainingResumed(resolved=training.resume(session, actor, visit_id))
