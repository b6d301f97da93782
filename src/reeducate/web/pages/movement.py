"""Movement pages: a visit's camera clips, gait IMU files and joint position sense tests (upload, results, the
refusals with their reasons) and the SVG plots of a recording's joint angles and gait."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from reeducate.clinic.errors import Conflict, InvalidInput, NotFound
from reeducate.clinic.services import jobs, movement, visits
from reeducate.clinic.vocabulary import JobKind, MovementKind
from reeducate.reports.movement_plots import angles_svg, gait_svg
from reeducate.signals.jps import IMU_JOINTS, VIDEO_JOINTS
from reeducate.web.api.movement import parse_region
from reeducate.web.deps import LoginDep, SessionDep, StaffDep, StoreDep
from reeducate.web.plot_cache import PlotCacheDep, plot_key, svg_response
from reeducate.web.templating import render

router = APIRouter()
#: The joints a JPS test may name, as the upload form lists them (camera or IMU; the service checks the pair).
JPS_JOINTS = tuple((name, label) for name, (label, _) in {**VIDEO_JOINTS, **IMU_JOINTS}.items())


def _page(request: Request, login: LoginDep, session: SessionDep, visit_id: int, *, error: str = "",
          status_code: int = 200) -> Response:
    visit = visits.get(session, login.actor, visit_id)
    return render(request, "pages/movement.html", {
        "login": login, "visit": visit, "episode": visit.episode, "recordings": movement.for_visit(session, login.actor, visit_id),
        "error": error, "jobs": jobs.of_visit(session, login.actor, visit_id, JobKind.MOVEMENT_RECORDING),
        "jps_joints": JPS_JOINTS,
    }, status_code=status_code)


@router.get("/visits/{visit_id}/movement")
def movement_page(request: Request, visit_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep) -> Response:
    return _page(request, login, session, visit_id)


def _number(value: object) -> float | None:
    text = str(value or "").strip()
    return float(text) if text else None


@router.post("/visits/{visit_id}/movement")
async def upload(request: Request, visit_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
                 store: StoreDep) -> Response:
    form = await request.form()
    file = form.get("file")
    try:
        if not isinstance(file, UploadFile) or not file.filename:
            raise InvalidInput("Choose a clip or an IMU file to upload.")
        kind = MovementKind(str(form.get("kind") or MovementKind.VIDEO.value))
        source = movement.jps_source(str(form.get("source") or "") or None)
        prefix = "jps_" if kind is MovementKind.JOINT_POSITION_SENSE else ""  # the test's own side and rate fields
        upload_ = movement.MovementUpload(
            file.filename, await file.read(movement.size_limit(kind, source) + 1), kind,
            view=movement.camera_view(str(form.get("view") or "") or None),
            height_cm=_number(form.get("height_cm")), region=parse_region(str(form.get("region") or "")),
            sensor=movement.sensor_place(str(form.get("sensor") or "foot")),
            sampling_rate_hz=_number(form.get(f"{prefix}sampling_rate_hz")),
            side=movement.sensor_side(str(form.get(f"{prefix}side") or "") or None),
            sensor_height_m=_number(form.get("sensor_height_m")), joint=str(form.get("joint") or "") or None,
            source=source, protocol=movement.jps_protocol(str(form.get("protocol") or "") or None),
            targets=movement.jps_targets(str(form.get("targets") or "")))
        # kept, and queued for a job worker to analyse (off the event loop: the file is written to disk)
        job = await run_in_threadpool(movement.submit, session, login.actor, visit_id, upload_, store)
    except ValueError:
        message = "Enter heights, rates and distances as numbers, and choose the kind of file from the list."
    except (InvalidInput, Conflict) as error:
        message = error.message
    else:
        # its panel at the top of the page; the job's id for a script following it (GET /api/v1/jobs/{id})
        return RedirectResponse(f"/visits/{visit_id}/movement?job={job.id}", status_code=303)
    session.rollback()  # nothing of a refused upload is kept
    return _page(request, login, session, visit_id, error=message, status_code=422)


@router.get("/movement-recordings/{recording_id}/angles.svg")
def angles(request: Request, recording_id: int, login: LoginDep, session: SessionDep,
           plots: PlotCacheDep) -> Response:
    recording = movement.get(session, login.actor, recording_id)
    if "movement" not in recording.result:
        raise NotFound("This recording is an IMU file: it has no joint angles.")
    angles_ = recording.result["movement"]
    return svg_response(request, session, plots, plot_key("angles", angles_),
                        lambda: angles_svg(angles_, "Joint angles"))


@router.get("/movement-recordings/{recording_id}/gait.svg")
def gait(request: Request, recording_id: int, login: LoginDep, session: SessionDep, plots: PlotCacheDep) -> Response:
    recording = movement.get(session, login.actor, recording_id)
    gait_ = recording.result.get("gait")
    if not gait_:
        raise NotFound(f"This recording shows no gait: {recording.result.get('gait_not_measured')}")
    return svg_response(request, session, plots, plot_key("gait", gait_), lambda: gait_svg(gait_, "Gait"))
