"""Patients and what hangs off them: insurance, episodes, appointments, visits."""

from __future__ import annotations

from fastapi import APIRouter

from reeducate.clinic.schemas import (
    AppointmentOut,
    CoverageCreate,
    CoverageEnd,
    CoverageOut,
    CoverageUpdate,
    EpisodeCreate,
    EpisodeOut,
    PatientCreate,
    PatientOut,
    PatientSummary,
    PatientUpdate,
    VisitOut,
)
from reeducate.clinic.services import coverages, episodes, patients, scheduling, visits
from reeducate.web.deps import ActorDep, SessionDep, StaffDep

router = APIRouter(prefix="/patients", tags=["patients"])
coverages_router = APIRouter(prefix="/coverages", tags=["patients"])
"""A coverage by its own id (its eligibility routes are billing's)."""


@router.get("", response_model=list[PatientSummary])
def search_patients(actor: StaffDep, session: SessionDep, q: str = "") -> list[PatientSummary]:
    """Search by name, MRN, phone or date of birth (YYYY-MM-DD); every word must match."""
    return [PatientSummary.model_validate(p) for p in patients.search(session, actor, q)]


@router.post("", response_model=PatientOut, status_code=201)
def register_patient(data: PatientCreate, actor: StaffDep, session: SessionDep) -> PatientOut:
    patient = patients.create(session, actor, data)
    session.flush()
    session.refresh(patient, ["coverages"])
    return PatientOut.model_validate(patient)


@router.get("/{patient_id}", response_model=PatientOut)
def read_patient(patient_id: int, actor: ActorDep, session: SessionDep) -> PatientOut:
    return PatientOut.model_validate(patients.get(session, actor, patient_id))


@router.patch("/{patient_id}", response_model=PatientOut)
def update_patient(patient_id: int, data: PatientUpdate, actor: StaffDep, session: SessionDep) -> PatientOut:
    return PatientOut.model_validate(patients.update(session, actor, patient_id, data))


@router.post("/{patient_id}/coverages", response_model=CoverageOut, status_code=201)
def add_coverage(patient_id: int, data: CoverageCreate, actor: StaffDep, session: SessionDep) -> CoverageOut:
    """Add a primary or secondary payer; a new primary's predecessor ends or, if asked, becomes the secondary."""
    return CoverageOut.model_validate(patients.add_coverage(session, actor, patient_id, data))


@coverages_router.patch("/{coverage_id}", response_model=CoverageOut)
def update_coverage(coverage_id: int, data: CoverageUpdate, actor: StaffDep, session: SessionDep) -> CoverageOut:
    """Correct a coverage's payer, plan, numbers or subscriber; what is left out stays as it is."""
    return CoverageOut.model_validate(coverages.update(session, actor, coverage_id, data))


@coverages_router.post("/{coverage_id}/deactivate", response_model=CoverageOut)
def deactivate_coverage(coverage_id: int, data: CoverageEnd, actor: StaffDep, session: SessionDep) -> CoverageOut:
    """End a coverage; it stays on the record, inactive."""
    return CoverageOut.model_validate(coverages.deactivate(session, actor, coverage_id, data.reason))


@router.get("/{patient_id}/episodes", response_model=list[EpisodeOut])
def list_episodes(patient_id: int, actor: ActorDep, session: SessionDep) -> list[EpisodeOut]:
    return [EpisodeOut.model_validate(e) for e in episodes.list_for_patient(session, actor, patient_id)]


@router.post("/{patient_id}/episodes", response_model=EpisodeOut, status_code=201)
def open_episode(patient_id: int, data: EpisodeCreate, actor: StaffDep, session: SessionDep) -> EpisodeOut:
    return EpisodeOut.model_validate(episodes.create(session, actor, patient_id, data))


@router.get("/{patient_id}/appointments", response_model=list[AppointmentOut])
def list_appointments(patient_id: int, actor: ActorDep, session: SessionDep) -> list[AppointmentOut]:
    return [AppointmentOut.model_validate(a) for a in scheduling.for_patient(session, actor, patient_id)]


@router.get("/{patient_id}/visits", response_model=list[VisitOut])
def list_visits(patient_id: int, actor: ActorDep, session: SessionDep) -> list[VisitOut]:
    return [VisitOut.model_validate(v) for v in visits.for_patient(session, actor, patient_id)]
