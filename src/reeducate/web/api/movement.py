"""Movement: camera clips, gait IMU files and joint position sense tests uploaded to a visit, their analyses,
and the raw files."""

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
    file: Annotated[UploadFile, Form(description="A camera clip (MP4, MOV, WebM) or an IMU file (CSV).")],
    kind: Annotated[MovementKind, Form()] = MovementKind.VIDEO,
    view: Annotated[str | None, Form(description="side or front; inferred when left out")] = None,
    height_cm: Annotated[float | None, Form()] = None,
    region: Annotated[str | None, Form(description="X0,Y0,X1,Y1: look for the patient only there")] = None,
    sensor: Annotated[str, Form(description="foot or lower_back")] = "foot",
    sampling_rate_hz: Annotated[float | None, Form()] = None,
    side: Annotated[str | None, Form(description="left or right: a single foot sensor, a JPS test's limb")] = None,
    sensor_height_m: Annotated[float | None, Form()] = None,
    joint: Annotated[str | None, Form(description="JPS: knee_flexion, elbow_flexion, ... (video); "
                                                  "cervical_rotation, cervical_flexion or a limb joint (imu)")] = None,
    source: Annotated[str | None, Form(description="JPS: video (a side-on clip) or imu (one sensor's CSV)")] = None,
    protocol: Annotated[str | None, Form(description="JPS: reproduction or relocation (the neck's default)")] = None,
    targets: Annotated[str | None, Form(description="JPS: target angles in degrees, e.g. 30,60")] = None,
) -> JobOut:
    """Keep one recording and queue its analysis (202): poll ``GET /api/v1/jobs/{id}``; once done, the job
    names the recording; a file that cannot be analysed fails the job with the reason and is not kept.
    A joint position sense test (``kind`` joint_position_sense) names its joint, side, source and, for the
    reproduction protocol, any targets; its result is the CLI's JSON (docs/jps.md) under ``jps``.
    What is wrong without reading the file (options, size) is refused at once (422)."""
    jps_source = movement.jps_source(source)
    upload = movement.MovementUpload(
        file.filename or "recording", await file.read(movement.size_limit(kind, jps_source) + 1), kind,
        view=movement.camera_view(view or None), height_cm=height_cm, region=parse_region(region), sensor=movement.sensor_place(sensor),
        sampling_rate_hz=sampling_rate_hz, side=movement.sensor_side(side or None),
        sensor_height_m=sensor_height_m, joint=joint or None, source=jps_source,
        protocol=movement.jps_protocol(protocol), targets=movement.jps_targets(targets))
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
