"""Force-plate pages: a visit's trials (upload with their conditions, results, plots, the sensory
comparison) and the SVG plots of a trial and of an episode's balance progress."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from reeducate.clinic.errors import Conflict, InvalidInput, NotFound
from reeducate.clinic.models import BalanceTrial
from reeducate.clinic.services import balance, jobs, visits
from reeducate.clinic.vocabulary import JobKind
from reeducate.reports.balance_plots import balance_progress_svg, stabilogram_svg, statokinesigram_svg
from reeducate.signals.posturography.clinical import Condition, Stance, Surface, Vision
from reeducate.web.deps import LoginDep, SessionDep, StaffDep, StoreDep
from reeducate.web.plot_cache import PlotCacheDep, plot_key, svg_response
from reeducate.web.templating import render

router = APIRouter()
ROWS = 4  # upload rows on the form: the four mCTSIB conditions at once
#: A trial's plots are drawn from its raw file as the signals package reads and prepares it.
READ_WITH = ("reeducate.signals",)


def _page(request: Request, login: LoginDep, session: SessionDep, visit_id: int, *, error: str = "",
          status_code: int = 200) -> Response:
    visit = visits.get(session, login.actor, visit_id)
    trials = balance.for_visit(session, login.actor, visit_id)
    return render(request, "pages/balance.html", {
        "login": login, "visit": visit, "episode": visit.episode, "trials": trials, "comparison": balance.sensory_comparison(trials),
        "rows": range(ROWS), "visions": list(Vision), "surfaces": list(Surface), "stances": list(Stance),
        "defaults": [(Vision.OPEN, Surface.FIRM), (Vision.CLOSED, Surface.FIRM), (Vision.OPEN, Surface.FOAM),
                     (Vision.CLOSED, Surface.FOAM)],
        "error": error, "jobs": jobs.of_visit(session, login.actor, visit_id, JobKind.BALANCE_TRIALS),
    }, status_code=status_code)


@router.get("/visits/{visit_id}/balance")
def balance_page(request: Request, visit_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep) -> Response:
    return _page(request, login, session, visit_id)


@router.post("/visits/{visit_id}/balance")
async def upload(request: Request, visit_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
                 store: StoreDep) -> Response:
    form = await request.form()
    uploads = []
    try:
        for row in range(ROWS):
            file = form.get(f"file-{row}")
            if not isinstance(file, UploadFile) or not file.filename:
                continue
            condition = Condition(Vision(str(form.get(f"vision-{row}"))), Surface(str(form.get(f"surface-{row}"))),
                                  Stance(str(form.get(f"stance-{row}"))))
            uploads.append(balance.TrialUpload(file.filename, await file.read(balance.MAX_UPLOAD_BYTES + 1),
                                               condition))
        height = str(form.get("height_cm") or "").strip()
        job = await run_in_threadpool(  # kept, and queued for a job worker to analyse
            balance.submit, session, login.actor, visit_id, uploads, store,
            preset=balance.named_preset(str(form.get("preset") or "quijoux2021")),
            height_cm=float(height) if height else None)
    except ValueError:
        message = "Choose a condition from the lists and enter the height as a number of centimetres."
    except (InvalidInput, Conflict) as error:
        message = error.message
    else:
        # its panel at the top of the page; the job's id for a script following it (GET /api/v1/jobs/{id})
        return RedirectResponse(f"/visits/{visit_id}/balance?job={job.id}", status_code=303)
    session.rollback()  # nothing of a refused upload is kept
    return _page(request, login, session, visit_id, error=message, status_code=422)


def _trial_title(trial: BalanceTrial) -> str:
    """A trial's plot title: its condition (never its file's name)."""
    return Condition(trial.vision, trial.surface, trial.stance).label.capitalize()


@router.get("/balance-trials/{trial_id}/statokinesigram.svg")
def statokinesigram(request: Request, trial_id: int, login: LoginDep, session: SessionDep, store: StoreDep,
                    plots: PlotCacheDep) -> Response:
    trial = balance.get(session, login.actor, trial_id)
    title = _trial_title(trial)
    key = plot_key("statokinesigram", [trial.sha256, trial.preset, trial.ellipse_area_cm2, title], READ_WITH)
    return svg_response(request, session, plots, key, lambda: statokinesigram_svg(
        balance.prepared_cop(trial, store), trial.ellipse_area_cm2, title))


@router.get("/balance-trials/{trial_id}/stabilogram.svg")
def stabilogram(request: Request, trial_id: int, login: LoginDep, session: SessionDep, store: StoreDep,
                plots: PlotCacheDep) -> Response:
    trial = balance.get(session, login.actor, trial_id)
    title = _trial_title(trial)
    key = plot_key("stabilogram", [trial.sha256, trial.preset, title], READ_WITH)
    return svg_response(request, session, plots, key, lambda: stabilogram_svg(balance.prepared_cop(trial, store), title))


@router.get("/episodes/{episode_id}/balance.svg")
def balance_progress(request: Request, episode_id: int, login: LoginDep, session: SessionDep,
                     plots: PlotCacheDep) -> Response:
    trials = balance.for_episode(session, login.actor, episode_id)
    if not trials:
        raise NotFound("No force-plate trials in this episode yet.")
    series = balance.velocity_by_condition(trials)
    return svg_response(request, session, plots, plot_key("balance-progress", series), lambda: balance_progress_svg(series))
