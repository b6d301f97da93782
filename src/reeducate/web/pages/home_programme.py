"""The episode's home programme, as the therapist prescribes it: the version in force, the form for the
next version (prefilled from the current one, or for a first programme from the plan of care and the
accepted problems), any library exercise added with its dose, and every version with what it changed.

Clinicians who may prescribe (``login.can.prescribe_home``) write; the other clinicians read; the
front desk and administrators are refused by the episode's own read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from reeducate.clinic.errors import Conflict, Forbidden, InvalidInput, NotFound
from reeducate.clinic.models import Episode, HomeProgrammeItem, HomeProgrammeVersion
from reeducate.clinic.services import episodes, home_programmes
from reeducate.clinic.vocabulary import EpisodeStatus
from reeducate.training import catalogue
from reeducate.training.adherence import version_on
from reeducate.web.deps import LoginDep, SessionDep, StaffDep
from reeducate.web.forms import FormDep, first_error
from reeducate.web.templating import render

router = APIRouter()
DOSE = ("sets", "reps", "hold_s")
"""A row's dose fields, as posted."""


@dataclass
class Row:
    """One exercise of the form as the therapist sees and posts it: values kept as text, so a refused
    form comes back exactly as typed."""

    exercise_id: str
    sets: str
    reps: str
    hold_s: str
    side: str
    monitor: str
    weekdays: list[int]
    notes: str = ""
    source: str = ""
    hint: str = ""
    name: str = field(init=False)
    sided: bool = field(init=False)
    monitors: list[tuple[str, str]] = field(init=False)
    clinic_only: str = field(init=False)

    def __post_init__(self) -> None:
        exercise = catalogue.exercise(self.exercise_id)
        self.name, self.sided = exercise.name, exercise.sided
        self.monitors = home_programmes.camera_monitors(self.exercise_id)
        devices = sorted({str(m.device).replace("_", " ") for m in exercise.monitors})
        self.clinic_only = "" if self.monitors else " or ".join(devices)


def _text(value: object) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _row_of_item(item: HomeProgrammeItem) -> Row:
    return Row(item.exercise_id, _text(item.sets), _text(item.reps), _text(item.hold_s), item.side or "",
               item.monitor or "", list(item.weekdays), item.notes)


def _fresh_row(suggestion: home_programmes.Suggestion) -> Row:
    return Row(suggestion.exercise_id, _text(suggestion.sets), _text(suggestion.reps), _text(suggestion.hold_s),
               "left" if catalogue.exercise(suggestion.exercise_id).sided else "", suggestion.monitor or "",
               suggestion.weekdays, source=suggestion.source, hint=suggestion.hint)


def _posted_rows(form: FormData) -> list[Row]:
    """The form's rows as posted, less those ticked for removal, plus the exercise picked to add with the
    library's dose (an exercise the library lacks is refused)."""
    rows = []
    try:
        count = min(int(str(form.get("rows", "0"))), home_programmes.MAX_ITEMS)
    except ValueError:
        count = 0
    for n in range(count):
        value = {name: str(form.get(f"row-{n}-{name}", "")).strip()
                 for name in ("exercise", *DOSE, "side", "monitor", "notes", "remove")}
        if value["remove"] or not value["exercise"]:
            continue
        weekdays = [int(str(d)) for d in form.getlist(f"row-{n}-weekday") if str(d).isdigit()]
        rows.append(Row(_known(value["exercise"]), value["sets"], value["reps"], value["hold_s"], value["side"],
                        value["monitor"], weekdays, value["notes"]))
    if added := str(form.get("add", "")).strip():
        rows.append(_fresh_row(home_programmes.suggestion(_known(added))))
    return rows


def _known(exercise_id: str) -> str:
    if exercise_id not in catalogue.library().exercises:
        raise InvalidInput(f"The library has no exercise {exercise_id[:40]!r}; choose one from the list.",
                           field="items")
    return exercise_id


def _programme_input(rows: list[Row], values: dict[str, str]) -> home_programmes.HomeProgrammeInput:
    return home_programmes.HomeProgrammeInput.model_validate({
        "starts_on": values.get("starts_on") or None, "ends_on": values.get("ends_on") or None,
        "notes_for_patient": values.get("notes_for_patient", ""), "change_reason": values.get("change_reason", ""),
        "items": [{"exercise_id": r.exercise_id, "sets": r.sets, "reps": r.reps or None, "hold_s": r.hold_s or None,
                   "side": r.side or None, "monitor": r.monitor or None, "weekdays": r.weekdays, "notes": r.notes}
                  for r in rows]})


def _library() -> list[tuple[str, list[dict[str, Any]]]]:
    """The exercises to add, grouped under their technique's name."""
    lib = catalogue.library()
    groups: dict[str, list[dict[str, Any]]] = {}
    for exercise in lib.exercises.values():
        groups.setdefault(lib.techniques[exercise.technique].name, []).append(
            {"id": exercise.id, "name": exercise.name, "guided": bool(home_programmes.camera_monitors(exercise.id))})
    return list(groups.items())


def _page(request: Request, login: LoginDep, session: Session, episode: Episode, *, rows: list[Row] | None = None,
          values: dict[str, str] | None = None, error: str = "", status_code: int = 200) -> Response:
    history = home_programmes.history(session, login.actor, episode.id)
    today = episodes.clinic_today(session, login.actor)
    newest: HomeProgrammeVersion | None = history[-1].version if history else None
    if rows is None:
        rows = ([_row_of_item(i) for i in newest.items] if newest is not None
                else [_fresh_row(s) for s in home_programmes.suggestions(session, login.actor, episode)])
    if values is None:
        values = {"starts_on": max(today, newest.starts_on if newest else today).isoformat(),
                  "ends_on": newest.ends_on.isoformat() if newest and newest.ends_on else "",
                  "notes_for_patient": newest.notes_for_patient if newest else "", "change_reason": ""}
    return render(request, "pages/home_programme.html", {
        "login": login, "episode": episode, "active": episode.status is EpisodeStatus.ACTIVE,
        "write": episode.status is EpisodeStatus.ACTIVE and login.can.prescribe_home,
        "current": version_on([h.version for h in history], today), "newest": newest,
        "history": history, "next_number": len(history) + 1, "rows": rows, "values": values,
        "library": _library(), "error": error, "names": {e.id: e.name for e in catalogue.library().exercises.values()},
        "dose": home_programmes.dose_text, "days": home_programmes.days_text,
        "saved": request.query_params.get("saved", ""),
    }, status_code=status_code)


def _refusal(error: ValidationError, rows: list[Row]) -> str:
    """The first problem of the form in a sentence, naming the exercise when it is one exercise's."""
    location = error.errors()[0]["loc"]
    if len(location) > 2 and location[0] == "items" and isinstance(location[1], int) and location[1] < len(rows):
        return f"{rows[location[1]].name}: {first_error(error)}"
    return first_error(error)


@router.get("/episodes/{episode_id}/home")
def home_programme_page(request: Request, episode_id: int, login: LoginDep, _staff: StaffDep,
                        session: SessionDep) -> Response:
    return _page(request, login, session, episodes.get(session, login.actor, episode_id))


@router.post("/episodes/{episode_id}/home")
def prescribe(request: Request, episode_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
              form: FormDep) -> Response:
    """Save the next version; or, for "Add to the form", the same form back with the exercise added."""
    values = {name: str(form.get(name, "")) for name in ("starts_on", "ends_on", "notes_for_patient", "change_reason")}
    episode = episodes.get(session, login.actor, episode_id)
    if not login.can.prescribe_home:
        raise Forbidden(f"{login.user.role.label} may not write a home programme.")
    rows: list[Row] = []
    try:
        rows = _posted_rows(form)
        if form.get("action") == "add":
            return _page(request, login, session, episode, rows=rows, values=values)
        version = home_programmes.prescribe(session, login.actor, episode_id, _programme_input(rows, values))
    except ValidationError as refused:
        message = _refusal(refused, rows)
    except (InvalidInput, Conflict, NotFound) as refused:
        message = refused.message
    else:
        return RedirectResponse(f"/episodes/{episode_id}/home?saved={version.number}#current", status_code=303)
    session.rollback()
    return _page(request, login, session, episodes.get(session, login.actor, episode_id), rows=rows, values=values,
                 error=message, status_code=422)
