"""Movement: camera clips and gait IMU files uploaded to a visit, their analyses, and the raw files."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from reeducate.clinic.errors import InvalidInput
from reeducate.clinic.schemas import JobOut, MovementRecordingOut
from reeducate.clinic.services import movement
from reeducate.clinic.vocabulary import MovementKind
from reeducate.web.deps import ActorDep, SessionDep, StaffDep, StoreDep
from reeducate.web.downloads import attachment

router = APIRouter(tags=["movement"])


def parse_region(text: str | None) -> tuple[int, int, int, int] | None:
    """``X0,Y0,X1,Y1`` in pixels, or None when left empty."""
    if not text or not text.strip():
        return None
    try:
        x0, y0, x1, y1 = (int(v) for v in text.split(","))
    except ValueError:
        raise InvalidInput(f"Region {text!r}: give X0,Y0,X1,Y1 in pixels (the box the patient moves in).") from None
    return x0, y0, x1, y1


@router.post("/visits/{visit_id}/movement-recordings", response_model=JobOut, status_code=202)
async def upload_recording(
    visit_id: int, actor: StaffDep, session: SessionDep, store: StoreDep,
    file: Annotated[UploadFile, Form(description="A camera clip (MP4, MOV, WebM) or a gait IMU file (CSV).")],
    kind: Annotated[MovementKind, Form()] = MovementKind.VIDEO,
    view: Annotated[str | None, Form(description="side or front; inferred when left out")] = None,
    height_cm: Annotated[float | None, Form()] = None,
    region: Annotated[str | None, Form(description="X0,Y0,X1,Y1: look for the patient only there")] = None,
    sensor: Annotated[str, Form(description="foot or lower_back")] = "foot",
    sampling_rate_hz: Annotated[float | None, Form()] = None,
    side: Annotated[str | None, Form(description="left or right, for a single foot sensor")] = None,
    sensor_height_m: Annotated[float | None, Form()] = None,
) -> JobOut:
    """Keep one recording and queue its analysis (202): poll ``GET /api/v1/jobs/{id}``; once done, the job
    names the recording; a file that cannot be analysed fails the job with the reason and is not kept.
    What is wrong without reading the file (options, size) is refused at once (422)."""
    limit = movement.MAX_VIDEO_BYTES if kind is MovementKind.VIDEO else movement.MAX_IMU_BYTES
    upload = movement.MovementUpload(
        file.filename or "recording", await file.read(limit + 1), kind,
        view=movement.camera_view(view or None), height_cm=height_cm, region=parse_region(region), sensor=movement.sensor_place(sensor),
        sampling_rate_hz=sampling_rate_hz, side=movement.sensor_side(side or None),
        sensor_height_m=sensor_height_m)
    job = await run_in_threadpool(movement.submit, session, actor, visit_id, upload, store)
    return JobOut.of(job)


@router.get("/visits/{visit_id}/movement-recordings", response_model=list[MovementRecordingOut])
def visit_recordings(visit_id: int, actor: ActorDep, session: SessionDep) -> list[MovementRecordingOut]:
    return [MovementRecordingOut.model_validate(r) for r in movement.for_visit(session, actor, visit_id)]


@router.get("/episodes/{episode_id}/movement-recordings", response_model=list[MovementRecordingOut])
def episode_recordings(episode_id: int, actor: ActorDep, session: SessionDep) -> list[MovementRecordingOut]:
    return [MovementRecordingOut.model_validate(r) for r in movement.for_episode(session, actor, episode_id)]


@router.get("/movement-recordings/{recording_id}", response_model=MovementRecordingOut)
def read_recording(recording_id: int, actor: ActorDep, session: SessionDep) -> MovementRecordingOut:
    return MovementRecordingOut.model_validate(movement.get(session, actor, recording_id))


@router.get("/movement-recordings/{recording_id}/raw", response_class=Response)
def raw_recording(recording_id: int, actor: StaffDep, session: SessionDep, store: StoreDep) -> Response:
    """The file exactly as it was uploaded."""
    return attachment(*movement.raw_file(session, actor, recording_id, store))
