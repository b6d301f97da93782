"""Posturography: force-plate trials uploaded to a visit, their analyses, and the raw files."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from reeducate.clinic.errors import InvalidInput
from reeducate.clinic.schemas import BalanceTrialOut, JobOut
from reeducate.clinic.services import balance
from reeducate.signals.posturography.clinical import Condition, Stance, Surface, Vision
from reeducate.web.deps import ActorDep, SessionDep, StaffDep, StoreDep
from reeducate.web.downloads import attachment

router = APIRouter(tags=["balance"])


def _one_per_file(values: list, count: int, name: str) -> list:
    """A form list given once per file, or once for all of them."""
    if len(values) == 1:
        return values * count
    if len(values) != count:
        raise InvalidInput(f"Give {name} once for all files or once per file ({count} files, {len(values)} {name}).")
    return values


async def read_uploads(files: list[UploadFile], vision: list[Vision], surface: list[Surface],
                       stance: list[Stance]) -> list[balance.TrialUpload]:
    """The uploaded files with their conditions (read whole; the service checks their size)."""
    count = len(files)
    conditions = zip(_one_per_file(vision, count, "vision"), _one_per_file(surface, count, "surface"),
                     _one_per_file(stance, count, "stance"), strict=True)
    return [balance.TrialUpload(f.filename or "recording", await f.read(balance.MAX_UPLOAD_BYTES + 1),
                                Condition(v, s, st)) for f, (v, s, st) in zip(files, conditions, strict=True)]


@router.post("/visits/{visit_id}/balance-trials", response_model=JobOut, status_code=202)
async def upload_trials(
    visit_id: int, actor: StaffDep, session: SessionDep, store: StoreDep,
    files: Annotated[list[UploadFile], Form(description="One or more recordings (CSV/TSV export or C3D).")],
    vision: Annotated[list[Vision], Form()] = [Vision.OPEN],  # noqa: B006 (FastAPI form defaults)
    surface: Annotated[list[Surface], Form()] = [Surface.FIRM],  # noqa: B006
    stance: Annotated[list[Stance], Form()] = [Stance.BIPEDAL],  # noqa: B006
    preset: Annotated[str, Form()] = "quijoux2021",
    height_cm: Annotated[float | None, Form()] = None,
) -> JobOut:
    """Keep the trials and queue their analysis (202): poll ``GET /api/v1/jobs/{id}``; once done, the job names
    the trials; a file that cannot be analysed fails the whole job with the reason, and none is kept. What is
    wrong without reading the files (count, size, preset, height) is refused at once (422)."""
    uploads = await read_uploads(files, vision, surface, stance)
    job = await run_in_threadpool(balance.submit, session, actor, visit_id, uploads, store,
                                  preset=balance.named_preset(preset), height_cm=height_cm)
    return JobOut.of(job)


@router.get("/visits/{visit_id}/balance-trials", response_model=list[BalanceTrialOut])
def visit_trials(visit_id: int, actor: ActorDep, session: SessionDep) -> list[BalanceTrialOut]:
    return [BalanceTrialOut.model_validate(t) for t in balance.for_visit(session, actor, visit_id)]


@router.get("/episodes/{episode_id}/balance-trials", response_model=list[BalanceTrialOut])
def episode_trials(episode_id: int, actor: ActorDep, session: SessionDep) -> list[BalanceTrialOut]:
    return [BalanceTrialOut.model_validate(t) for t in balance.for_episode(session, actor, episode_id)]


@router.get("/balance-trials/{trial_id}", response_model=BalanceTrialOut)
def read_trial(trial_id: int, actor: ActorDep, session: SessionDep) -> BalanceTrialOut:
    """One trial with every descriptor (the CLI's `balance analyze --json` under ``result``)."""
    return BalanceTrialOut.model_validate(balance.get(session, actor, trial_id))


@router.get("/balance-trials/{trial_id}/raw", response_class=Response)
def raw_recording(trial_id: int, actor: StaffDep, session: SessionDep, store: StoreDep) -> Response:
    """The recording exactly as it was uploaded."""
    return attachment(*balance.raw_file(session, actor, trial_id, store))
