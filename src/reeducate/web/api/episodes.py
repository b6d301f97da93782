"""Episodes of care: read, change details (referral, precautions, authorisation), add diagnoses and
care-team members, discharge with a reason."""

from __future__ import annotations

from fastapi import APIRouter

from reeducate.clinic.schemas import CareTeamAdd, DiagnosisAdd, EpisodeDischarge, EpisodeOut, EpisodeUpdate
from reeducate.clinic.services import episodes
from reeducate.web.deps import ActorDep, SessionDep, StaffDep

router = APIRouter(prefix="/episodes", tags=["episodes"])


@router.get("/{episode_id}", response_model=EpisodeOut)
def read_episode(episode_id: int, actor: ActorDep, session: SessionDep) -> EpisodeOut:
    return EpisodeOut.model_validate(episodes.get(session, actor, episode_id))


@router.patch("/{episode_id}", response_model=EpisodeOut)
def update_episode(episode_id: int, data: EpisodeUpdate, actor: StaffDep, session: SessionDep) -> EpisodeOut:
    """Change the fields given; a discharged episode is read-only (409)."""
    return EpisodeOut.model_validate(episodes.update(session, actor, episode_id, data))


@router.post("/{episode_id}/diagnoses", response_model=EpisodeOut, status_code=201)
def add_diagnosis(episode_id: int, data: DiagnosisAdd, actor: StaffDep, session: SessionDep) -> EpisodeOut:
    """Add an ICD-10-CM code; a non-billable category is refused with its billable children."""
    return EpisodeOut.model_validate(episodes.add_diagnosis(session, actor, episode_id, data.code))


@router.post("/{episode_id}/care-team", response_model=EpisodeOut, status_code=201)
def add_care_team_member(episode_id: int, data: CareTeamAdd, actor: StaffDep, session: SessionDep) -> EpisodeOut:
    return EpisodeOut.model_validate(episodes.add_care_team_member(session, actor, episode_id, data.user_id))


@router.post("/{episode_id}/discharge", response_model=EpisodeOut)
def discharge(episode_id: int, data: EpisodeDischarge, actor: StaffDep, session: SessionDep) -> EpisodeOut:
    """End the episode with its reason (a PT or chiropractor); it is read-only from then on."""
    return EpisodeOut.model_validate(episodes.discharge(session, actor, episode_id, data))
