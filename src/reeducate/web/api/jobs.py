"""Background jobs: where an upload's analysis stands (poll until done or failed)."""

from __future__ import annotations

from fastapi import APIRouter

from reeducate.clinic.schemas import JobOut
from reeducate.clinic.services import jobs
from reeducate.web.deps import ActorDep, SessionDep

router = APIRouter(tags=["jobs"])


@router.get("/jobs/{job_id}", response_model=JobOut)
def job(job_id: int, actor: ActorDep, session: SessionDep) -> JobOut:
    """A job's status and progress; once done, what it kept (``result.url``); once failed, why."""
    return JobOut.of(jobs.get(session, actor, job_id))
