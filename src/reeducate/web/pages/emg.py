"""Surface-EMG pages: a visit's EMG (upload with its options in a therapist's words, the job's panel while it is
analysed, the recordings), one recording's page (each muscle's envelope and bursts, the firing order, latencies,
co-contraction, fatigue, every warning) and its SVG plots."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from reeducate.clinic.errors import Conflict, InvalidInput, NotFound
from reeducate.clinic.models import EmgRecording
from reeducate.clinic.services import emg, jobs, visits
from reeducate.clinic.vocabulary import JobKind
from reeducate.reports import emg_text
from reeducate.reports.emg_plots import envelopes_svg, fatigue_svg, firing_order_svg
from reeducate.signals.emg.timing import MIN_FATIGUE_BURSTS, MIN_FATIGUE_SPAN_S
from reeducate.web.api.emg import FIELDS, emg_options
from reeducate.web.deps import LoginDep, SessionDep, StaffDep, StoreDep
from reeducate.web.plot_cache import PlotCacheDep, plot_key, svg_response
from reeducate.web.templating import render

router = APIRouter()
#: A recording's envelopes are drawn from its raw file as the signals package reads and conditions it.
READ_WITH = ("reeducate.signals",)
METHODS = [("auto", "automatic (recommended)"), ("hodges_bui", "Hodges & Bui 1996: rest + 3 SD"),
           ("bonato", "Bonato 1998: double threshold"), ("tkeo", "Teager-Kaiser energy (Solnik 2010)")]


def _page(request: Request, login: LoginDep, session: SessionDep, visit_id: int, *, error: str = "",
          values: dict[str, str] | None = None, status_code: int = 200) -> Response:
    visit = visits.get(session, login.actor, visit_id)
    return render(request, "pages/emg.html", {
        "login": login, "visit": visit, "episode": visit.episode, "recordings": emg.for_visit(session, login.actor, visit_id),
        "mvcs": emg.mvc_choices(session, login.actor, visit_id), "methods": METHODS, "values": values or {},
        "error": error, "jobs": jobs.of_visit(session, login.actor, visit_id, JobKind.EMG_RECORDING), "text": emg_text,
    }, status_code=status_code)


@router.get("/visits/{visit_id}/emg")
def emg_page(request: Request, visit_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep) -> Response:
    return _page(request, login, session, visit_id)


@router.post("/visits/{visit_id}/emg")
async def upload(request: Request, visit_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
                 store: StoreDep) -> Response:
    form = await request.form()
    file = form.get("file")
    values = {name: str(form.get(name) or "") for name in FIELDS}
    try:
        if not isinstance(file, UploadFile) or not file.filename:
            raise InvalidInput("Choose an EMG file to upload.")
        upload_ = emg.EmgUpload(file.filename, await file.read(emg.MAX_EMG_BYTES + 1), emg_options(values))
        # kept, and queued for a job worker to analyse (off the event loop: the file is written to disk)
        job = await run_in_threadpool(emg.submit, session, login.actor, visit_id, upload_, store)
    except (InvalidInput, Conflict) as error:
        message = error.message
    else:
        return RedirectResponse(f"/visits/{visit_id}/emg?job={job.id}", status_code=303)
    session.rollback()  # nothing of a refused upload is kept
    return _page(request, login, session, visit_id, error=message, values=values, status_code=422)


@router.get("/emg-recordings/{recording_id}")
def recording_page(request: Request, recording_id: int, login: LoginDep, _staff: StaffDep,
                   session: SessionDep) -> Response:
    recording = emg.get(session, login.actor, recording_id)
    mvc_id = recording.options.get("mvc_recording_id")
    return render(request, "pages/emg_recording.html", {
        "login": login, "r": recording, "result": recording.result, "visit": recording.visit,
        "episode": recording.visit.episode, "mvc": emg.get(session, login.actor, mvc_id) if mvc_id else None,
        "text": emg_text, "fatigue": any(c.get("fatigue") for c in recording.result["channels"]),
        "fatigue_rule": f"{MIN_FATIGUE_BURSTS} bursts over {MIN_FATIGUE_SPAN_S:g} s",
    })


def _title(recording: EmgRecording) -> str:
    """A plot's title: what was recorded (never the file's name)."""
    return f"{recording.channel_count} muscle{'s' if recording.channel_count != 1 else ''}, {recording.duration_s:.1f} s"


@router.get("/emg-recordings/{recording_id}/envelopes.svg")
def envelopes(request: Request, recording_id: int, login: LoginDep, session: SessionDep, store: StoreDep,
              plots: PlotCacheDep) -> Response:
    recording = emg.get(session, login.actor, recording_id)
    result, title = recording.result, _title(recording)
    key = plot_key("emg-envelopes", [recording.sha256, recording.options, result["channels"], result["units"], title],
                   READ_WITH)
    return svg_response(request, session, plots, key, lambda: _envelopes(recording, store, title))


def _envelopes(recording: EmgRecording, store: StoreDep, title: str) -> bytes:
    series = emg.envelopes(recording, store)
    return envelopes_svg(series.time_s, series.values, recording.result, title)


@router.get("/emg-recordings/{recording_id}/firing-order.svg")
def firing_order(request: Request, recording_id: int, login: LoginDep, session: SessionDep,
                 plots: PlotCacheDep) -> Response:
    recording = emg.get(session, login.actor, recording_id)
    result, title = recording.result, _title(recording)
    content = {k: result.get(k) for k in ("firing_order", "triggers_s", "reference")}
    return svg_response(request, session, plots, plot_key("emg-firing-order", [content, title]),
                        lambda: firing_order_svg(content, title))


@router.get("/emg-recordings/{recording_id}/fatigue.svg")
def fatigue(request: Request, recording_id: int, login: LoginDep, session: SessionDep,
            plots: PlotCacheDep) -> Response:
    recording = emg.get(session, login.actor, recording_id)
    channels = [c for c in recording.result["channels"] if c.get("fatigue")]
    if not channels:
        raise NotFound(f"No muscle in this recording had {MIN_FATIGUE_BURSTS} bursts with a spectrum over at least "
                       f"{MIN_FATIGUE_SPAN_S:g} s: it has no fatigue trend.")
    title = _title(recording)
    return svg_response(request, session, plots, plot_key("emg-fatigue", [channels, title]),
                        lambda: fatigue_svg({"channels": channels}, title))
