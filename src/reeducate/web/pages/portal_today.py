"""The patient's Today in the portal, made for a phone and an older reader: today's home exercises with
their instructions, dose in words, drawing and the therapist's notes; a button to start one with the
camera (where it can be guided) and a big "I did it" with the sets done and the pain, if the patient
wants to say them, and a small "Undo" for a mistaken one. The drawing, the guided session and the printed programme are their own routes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from reeducate.clinic.errors import Conflict, InvalidInput
from reeducate.clinic.services import home_sessions, home_today
from reeducate.feedback.safety import SEVERE_PAIN
from reeducate.web.deps import LoginDep, PatientDep, SessionDep
from reeducate.web.forms import FormDep
from reeducate.web.templating import render

router = APIRouter()
MODERATE_PAIN = 5
"""Lowest score of the moderate band of the 0-10 scale (Serlin et al. 1995, Pain 61(2):277-284: 5-6 moderate),
the band below ``SEVERE_PAIN`` in which the patient is told the therapist will see it."""
NOTICES = {
    "done": "Well done! It is marked as done.",
    "sore": "Well done! It is marked as done. Your therapist will see that it hurt. If it gets worse, stop and "
            "call the clinic{phone}.",
    "pain": "Thank you for telling us about your pain. Stop this exercise for today and rest. Your therapist "
            "has been told and will be in touch. If the pain is very bad or does not ease, call the clinic{phone}.",
    "undone": "Taken back: it is no longer marked as done.",
}
"""What the patient reads after "I did it": plain thanks; for moderate pain that the therapist will see it and
when to call; after a severe pain report what to do; and after "Undo" that it is undone."""


def _page(request: Request, login: LoginDep, session: SessionDep, *, said: str = "", error: str = "",
          status_code: int = 200) -> Response:
    view = home_today.today(session, login.actor)
    phone = f" on {view.clinic_phone}" if view.clinic_phone else ""
    return render(request, "pages/portal_today.html", {
        "login": login, "view": view, "today": view.day, "notice": NOTICES.get(said, "").format(phone=phone),
        "error": error,
    }, status_code=status_code)


@router.get("/portal/today")
def today_page(request: Request, login: LoginDep, _patient: PatientDep, session: SessionDep) -> Response:
    return _page(request, login, session, said=request.query_params.get("said", ""))


def _whole(value: object, what: str) -> int | None:
    """A big button's number, or None when none was pressed."""
    text = str(value or "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise InvalidInput(f"Choose the {what} with one of the buttons.", field=what)
    return int(text)


@router.post("/portal/today/{item_id}/done")
def tick_done(request: Request, item_id: int, login: LoginDep, _patient: PatientDep, session: SessionDep,
              form: FormDep) -> Response:
    try:
        pain = _whole(form.get("pain"), "pain")
        home_sessions.tick_done(session, login.actor, item_id, sets_done=_whole(form.get("sets_done"), "sets"),
                                pain_score=pain)
    except (InvalidInput, Conflict) as refused:
        session.rollback()
        return _page(request, login, session, error=refused.message, status_code=422)
    said = "done" if pain is None or pain < MODERATE_PAIN else "sore" if pain < SEVERE_PAIN else "pain"
    return RedirectResponse(f"/portal/today?said={said}#item-{item_id}", status_code=303)


@router.post("/portal/today/sessions/{session_id}/undo")
def undo_done(request: Request, session_id: int, login: LoginDep, _patient: PatientDep,
              session: SessionDep) -> Response:
    """Take back a mistaken "I did it" of today."""
    try:
        undone = home_sessions.undo_tick(session, login.actor, session_id)
    except Conflict as refused:
        session.rollback()
        return _page(request, login, session, error=refused.message, status_code=409)
    return RedirectResponse(f"/portal/today?said=undone#item-{undone.item_id}", status_code=303)
