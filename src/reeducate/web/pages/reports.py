"""Progress reports and the discharge summary as pages: drafted from the episode (a PT or chiropractor),
edited (a PT assistant may write elements), signed, corrected by addenda, printed as PDF; and the
clinic's documentation-due list for the staff."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from reeducate.clinic import permissions
from reeducate.clinic.errors import Conflict, Forbidden, InvalidInput
from reeducate.clinic.services import (
    discharge_summary,
    documentation_due,
    progress_reports,
    report_documents,
    reports,
)
from reeducate.clinic.vocabulary import EpisodeStatus, NoteStatus, ReportKind
from reeducate.web.deps import LoginDep, SessionDep, StaffDep
from reeducate.web.forms import FormDep, form_values
from reeducate.web.templating import render

router = APIRouter()


# --- drafting --------------------------------------------------------------------------------------


def _kind(chosen: str) -> ReportKind:
    if chosen not in ReportKind.__members__.values():
        raise InvalidInput("Choose what to write: a progress report or the discharge summary.", field="kind")
    return ReportKind(chosen)


def _visit(text: str) -> int | None:
    return int(text) if text.isdigit() else None


@router.get("/episodes/{episode_id}/reports/new")
def new_report_page(request: Request, episode_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
                    kind: str = "", visit_id: str = "") -> Response:
    """What the draft will cover, and the button that drafts it; the draft already open, if there is one."""
    plan = reports.drafting(session, login.actor, episode_id, _kind(kind), visit_id=_visit(visit_id))
    if plan.existing is not None:
        return RedirectResponse(f"/reports/{plan.existing.id}", status_code=303)
    return render(request, "pages/report_new.html", {"login": login, "plan": plan, "episode": plan.episode})


@router.post("/episodes/{episode_id}/reports/new")
def new_report(episode_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep, form: FormDep) -> Response:
    """Draft the episode's progress report (at ``visit_id``, if given) or discharge summary from the
    record, or open the draft already written, and go to it."""
    report = reports.draft(session, login.actor, episode_id, _kind(str(form.get("kind") or "")),
                           visit_id=_visit(str(form.get("visit_id") or "")))
    return RedirectResponse(f"/reports/{report.id}", status_code=303)


# --- the report page -------------------------------------------------------------------------------


def _page(request: Request, login: LoginDep, session: Session, report_id: int, *, values: dict[str, str] | None = None,
          error: str = "", notice: str = "", status_code: int = 200) -> Response:
    report = reports.get(session, login.actor, report_id)
    content = report.content
    draft = report.status is NoteStatus.DRAFT
    writable = draft and login.can.treat and not (
        report.kind is ReportKind.PROGRESS_REPORT and report.episode.status is EpisodeStatus.DISCHARGED)
    return render(request, "pages/report.html", {
        "login": login, "report": report, "episode": report.episode, "draft": draft, "writable": writable,
        "judges": writable and login.can.plan, "values": values or {}, "error": error,
        "notice": notice or next((k for k in ("saved", "signed", "addendum") if request.query_params.get(k)), ""),
        "goals": [report_documents.goal_view(g) for g in content["goals"]],
        "measures": [report_documents.measure_view(m) for m in content["measures"]],
        "sections": reports.SECTIONS[report.kind], "decisions": progress_reports.DECISIONS,
        "outcomes": discharge_summary.OUTCOMES, "discharge": report_documents.discharge_view(content),
        "plan_of_care": report_documents.plan_view(content), "verified": reports.verify(report),
    }, status_code=status_code)


@router.get("/reports/{report_id}")
def report_page(request: Request, report_id: int, login: LoginDep, _staff: StaffDep,
                session: SessionDep) -> Response:
    return _page(request, login, session, report_id)


@router.post("/reports/{report_id}")
def save_report(request: Request, report_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
                form: FormDep) -> Response:
    """Save the draft; with ``action=sign`` sign it too (a PT or chiropractor). A draft saved but not
    signable is kept, and the page says what is missing."""
    report = reports.get(session, login.actor, report_id)
    goal_ids = [g["goal_id"] for g in report.content["goals"]]
    judges = login.user.role in permissions.PLAN  # only their outcomes and decision are read
    try:
        reports.edit(
            session, login.actor, report_id,
            sections={key: str(form[key]) for key in reports.SECTIONS[report.kind] if key in form},
            comments={gid: str(form[f"comment-{gid}"]) for gid in goal_ids if f"comment-{gid}" in form},
            outcomes={gid: str(form[f"outcome-{gid}"]) for gid in goal_ids if judges and f"outcome-{gid}" in form},
            decision=str(form["decision"]) if judges and "decision" in form else None)
    except (InvalidInput, Conflict) as error:
        session.rollback()
        return _page(request, login, session, report_id, values=form_values(form), error=error.message,
                     status_code=422)
    if form.get("action") != "sign":
        return RedirectResponse(f"/reports/{report_id}?saved=1", status_code=303)
    try:
        reports.sign(session, login.actor, report_id)
    except (InvalidInput, Conflict, Forbidden) as error:
        return _page(request, login, session, report_id, error=f"Draft saved, not signed: {error.message}",
                     status_code=422)
    return RedirectResponse(f"/reports/{report_id}?signed=1", status_code=303)


@router.post("/reports/{report_id}/addenda")
def add_addendum(request: Request, report_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep,
                 form: FormDep) -> Response:
    try:
        reports.add_addendum(session, login.actor, report_id, str(form.get("text") or ""))
    except (InvalidInput, Conflict) as error:
        session.rollback()
        return _page(request, login, session, report_id, values=form_values(form), error=error.message,
                     status_code=422)
    return RedirectResponse(f"/reports/{report_id}?addendum=1#addenda", status_code=303)


@router.get("/reports/{report_id}/document")
def report_document(report_id: int, login: LoginDep, _staff: StaffDep, session: SessionDep) -> Response:
    """The report as a PDF (a draft is marked as one on the page)."""
    name, body = report_documents.document(session, login.actor, report_id)
    return Response(body, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "private, no-store"})


# --- the clinic's documentation due ----------------------------------------------------------------


@router.get("/documentation/due")
def documentation_due_page(request: Request, login: LoginDep, _staff: StaffDep, session: SessionDep) -> Response:
    """Each patient whose episode's paperwork needs attention: the progress report, the certification
    of the plan, its recertification (the desk goes to the chart, clinicians to the episode)."""
    return render(request, "pages/documentation_due.html", {
        "login": login, "dues": documentation_due.for_clinic(session, login.actor)})

