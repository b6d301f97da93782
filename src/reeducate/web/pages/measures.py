"""Outcome-measure pages: the entry form (clinician in a visit, patient in the portal) and progress."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from reeducate.clinic.errors import Conflict, InvalidInput, NotFound
from reeducate.clinic.models import Episode, MeasureAdministration
from reeducate.clinic.schemas import AdministrationCreate
from reeducate.clinic.services import balance, episodes, measures, visits
from reeducate.measures import catalogue
from reeducate.measures.definition import Instrument
from reeducate.reports.progress_plot import progress_svg
from reeducate.web import plain_progress
from reeducate.web.deps import LoginDep, PatientDep, SessionDep, StaffDep
from reeducate.web.forms import FormDep, first_error, form_values
from reeducate.web.measure_forms import FLAGS, TIMED_FIELDS, questions, responses_from_form
from reeducate.web.plot_cache import PlotCacheDep, plot_key, svg_response
from reeducate.web.templating import render

router = APIRouter()


def _form(request: Request, login: LoginDep, measure: Instrument, action: str, heading: str,
          values: dict[str, str], error: str = "", status_code: int = 200, episode: Episode | None = None) -> Response:
    return render(request, "pages/measure_form.html", {
        "login": login, "episode": episode, "measure": measure, "action": action, "heading": heading, "values": values,
        "error": error, "timed_fields": TIMED_FIELDS.get(measure.scoring.method, []),
        "flag": FLAGS.get(measure.scoring.method), "method": measure.scoring.method.value,
    }, status_code=status_code)


def _save(form: FormData, measure: Instrument, save: Callable[[AdministrationCreate], MeasureAdministration],
          refused: Callable[[dict[str, str], str], Response]) -> MeasureAdministration | Response:
    """Save the form; a refused entry comes back as ``refused(answers kept, reason)``, the form again."""
    values = form_values(form)
    try:
        responses, body = responses_from_form(measure, values)
        return save(AdministrationCreate.model_validate({"responses": responses, **body}))
    except ValidationError as error:
        message = first_error(error)
    except (InvalidInput, Conflict) as error:
        message = error.message
    return refused(values, message)


def _portal_form(request: Request, login: LoginDep, measure: Instrument, episode_id: int, values: dict[str, str],
                 error: str = "", status_code: int = 200) -> Response:
    """The patient's questionnaire: one question per item, answered with buttons or a slider."""
    return render(request, "pages/portal_questionnaire.html", {
        "login": login, "measure": measure, "action": f"/portal/questionnaires/{episode_id}/{measure.id}",
        "groups": questions(measure), "values": values, "error": error,
    }, status_code=status_code)


@router.get("/visits/{visit_id}/measures")
def pick_visit_measure(visit_id: int, measure_id: str, login: LoginDep, _staff: StaffDep) -> Response:
    """The chart's measure picker lands here; the form has one address per measure."""
    return RedirectResponse(f"/visits/{visit_id}/measures/{measures.instrument(measure_id).id}", status_code=303)


@router.get("/visits/{visit_id}/measures/{measure_id}")
def visit_measure_form(request: Request, visit_id: int, measure_id: str, login: LoginDep, _staff: StaffDep,
                       session: SessionDep) -> Response:
    visit = visits.get(session, login.actor, visit_id)
    measure = measures.instrument(measure_id)
    return _form(request, login, measure, f"/visits/{visit.id}/measures/{measure.id}",
                 f"{measure.name} for {visit.patient.full_name}", {}, episode=visit.episode)


@router.post("/visits/{visit_id}/measures/{measure_id}")
def record_visit_measure(request: Request, visit_id: int, measure_id: str, login: LoginDep,
                         _staff: StaffDep, session: SessionDep, form: FormDep) -> Response:
    measure = measures.instrument(measure_id)
    administration = _save(form, measure, lambda data: measures.record_in_visit(
        session, login.actor, visit_id, measure_id, data), lambda values, error: _form(
        request, login, measure, request.url.path, measure.name, values, error, 422))
    if isinstance(administration, Response):
        return administration
    if administration.episode_id is None:  # no episode yet (the evaluation opens it): back to the visit
        return RedirectResponse(f"/visits/{visit_id}?done=measure", status_code=303)
    return RedirectResponse(f"/episodes/{administration.episode_id}/progress?recorded={administration.id}"
                            f"&visit={visit_id}", status_code=303)


@router.get("/episodes/{episode_id}/progress")
def progress_page(request: Request, episode_id: int, login: LoginDep, session: SessionDep) -> Response:
    """Each measure's plot and scores; clinicians also set goals and ask for questionnaires here, and the
    patient reads the same in plain words, made for a phone."""
    episode = episodes.get(session, login.actor, episode_id)
    administrations = measures.for_episode(session, login.actor, episode_id)
    progress = measures.summarise(session, episode_id, administrations)
    if login.can.use_portal:
        return render(request, "pages/portal_progress.html", {
            "login": login, "episode": episode, "progress": progress, "administrations": administrations,
            "instruments": catalogue.instruments(),
            "said": {p.measure_id: plain_progress.change_sentences(p.trajectory, f"{p.name} score")
                     for p in progress if p.trajectory},
            "fall_risks": plain_progress.fall_risks(administrations),
            "balance_trials": balance.for_episode(session, login.actor, episode_id),
        })
    return render(request, "pages/progress.html", {
        "login": login, "episode": episode, "progress": progress, "administrations": administrations,
        "instruments": catalogue.instruments(), "recorded": request.query_params.get("recorded"),
        "from_visit": visit if (visit := request.query_params.get("visit", "")).isdigit() else None,
        "requested": [r.measure_id for r in measures.questionnaire_requests(session, episode.id)],
        "balance_trials": balance.for_episode(session, login.actor, episode_id),
    })


@router.get("/episodes/{episode_id}/progress/{measure_id}.svg")
def progress_plot(request: Request, episode_id: int, measure_id: str, login: LoginDep, session: SessionDep,
                  plots: PlotCacheDep) -> Response:
    administrations = measures.for_episode(session, login.actor, episode_id)
    found = measures.summarise(session, episode_id, administrations, only=measure_id)
    if not found:
        raise NotFound(f"No {measures.instrument(measure_id).abbreviation} scores in this episode yet.")
    progress = found[0]
    return svg_response(request, session, plots, plot_key("progress", progress.model_dump(mode="json")),
                        lambda: progress_svg(progress))


@router.post("/episodes/{episode_id}/goals")
def set_goal(episode_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep, form: FormDep) -> Response:
    try:
        target = float(str(form.get("target", "")))
    except ValueError:
        raise InvalidInput("Enter the goal as a number.") from None
    measures.set_goal(session, login.actor, episode_id, str(form.get("measure_id", "")), target)
    return RedirectResponse(f"/episodes/{episode_id}/progress", status_code=303)


@router.post("/episodes/{episode_id}/questionnaire-requests")
def request_questionnaires(episode_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
                           form: FormDep) -> Response:
    chosen = [str(v) for v in form.getlist("measure_id")]
    if not chosen:
        raise InvalidInput("Tick at least one questionnaire to ask for.")
    measures.request_questionnaires(session, login.actor, episode_id, chosen)
    return RedirectResponse(f"/episodes/{episode_id}/progress", status_code=303)


@router.get("/portal/questionnaires/{episode_id}/{measure_id}")
def portal_questionnaire(request: Request, episode_id: int, measure_id: str, login: LoginDep,
                         _patient: PatientDep, session: SessionDep) -> Response:
    episodes.get(session, login.actor, episode_id)
    return _portal_form(request, login, measures.instrument(measure_id), episode_id, {})


@router.post("/portal/questionnaires/{episode_id}/{measure_id}")
def submit_portal_questionnaire(request: Request, episode_id: int, measure_id: str, login: LoginDep,
                                _patient: PatientDep, session: SessionDep, form: FormDep) -> Response:
    measure = measures.instrument(measure_id)
    saved = _save(form, measure, lambda data: measures.submit_from_portal(
        session, login.actor, episode_id, measure_id, data), lambda values, error: _portal_form(
        request, login, measure, episode_id, values, error, 422))
    if isinstance(saved, Response):
        return saved
    return RedirectResponse(f"/portal?filled={measure.id}", status_code=303)
