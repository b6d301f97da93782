"""A progress report or discharge summary as a printed document (PDF): the report's content gathered
into a view of plain text, rendered by :mod:`reeducate.reports.documents`.

Dates are written as the pages write them (:mod:`reeducate.reports.dates`), scores with their unit
and source, and the change with the measure's own judgement (MDC, MCID and their sources)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from reeducate.clinic.access import Actor
from reeducate.clinic.audit_log import record
from reeducate.clinic.models import EpisodeReport
from reeducate.clinic.services import discharge_summary, progress_reports, reports, scheduling
from reeducate.clinic.services.document_heading import episode_heading
from reeducate.clinic.vocabulary import AuditAction, GoalStatus, GoalTerm, ReportKind
from reeducate.reports.dates import day_text, moment_text
from reeducate.reports.documents import discharge_summary_html, pdf, progress_report_html


def _day(iso: str | None) -> str:
    return day_text(date.fromisoformat(iso)) if iso else ""


def _score(figure: dict[str, Any] | None, unit: str) -> str:
    """"41 points (Mon 07 Sep 2026)", or "—" for no score."""
    return f"{figure['score']:g} {unit} ({_day(figure['on'])})" if figure else "—"


def goal_view(goal: dict[str, Any]) -> dict[str, Any]:
    """One goal of a report's content with its figures written out (pages and the PDF read it)."""
    shown = {**goal, "term_label": GoalTerm(goal["term"]).label, "status_label": GoalStatus(goal["status"]).label,
             "due": _day(goal["due_on"]), "outcome_label": discharge_summary.OUTCOMES.get(goal.get("outcome") or "", "")}
    if goal["kind"] == "functional":
        return shown
    unit = goal["unit"]
    return shown | {"baseline_text": _score(goal["baseline"], unit), "period_start_text": _score(goal["period_start"], unit),
                    "latest_text": _score(goal["latest"], unit), "target_text": f"{goal['target']:g} {unit}"}


def measure_view(measure: dict[str, Any]) -> dict[str, Any]:
    unit = measure["unit"]
    return {**measure, "baseline_text": _score(measure["baseline"], unit), "latest_text": _score(measure["latest"], unit)}


def discharge_view(content: dict[str, Any]) -> dict[str, Any] | None:
    """The summary's discharge (date written out), or None before the episode is discharged."""
    discharge = content.get("discharge")
    return discharge and {**discharge, "on": _day(discharge["on"])}


def plan_view(content: dict[str, Any]) -> dict[str, Any] | None:
    """The plan of care the home programme comes from (dates written out), if any."""
    plan = content.get("plan_of_care")
    return plan and {**plan, "starts_on": _day(plan["starts_on"]), "ends_on": _day(plan["ends_on"])}


def _file_name(report: EpisodeReport) -> str:
    """``progress-report-MRN000123-2026-12-02``: the kind, the patient's MRN and the report's last day."""
    mrn = re.sub(r"[^A-Za-z0-9]", "", report.episode.patient.mrn)
    return f"{report.kind.value.replace('_', '-')}-{mrn}-{report.period_end.isoformat()}"


def document(session: Session, actor: Actor, report_id: int) -> tuple[str, bytes]:
    """(file name, PDF) of the report, draft or signed (a draft says so on every page); audited."""
    report = reports.get(session, actor, report_id)
    episode, patient = report.episode, report.episode.patient
    zone = scheduling.location_of(session, actor, None).timezone
    content = report.content
    view = {
        "title": report.kind.label,
        **episode_heading(episode),
        "report": {"status": report.status.value, "start": day_text(report.period_start),
                   "end": day_text(report.period_end), "written_by": report.created_by.display_name,
                   "signed_by": report.signed_by.display_name if report.signed_by else "",
                   "signed_at": moment_text(report.signed_at, zone) if report.signed_at else "",
                   "sha256": report.content_sha256 or ""},
        "period": content["period"],
        "goals": [goal_view(g) for g in content["goals"]],
        "measures": [measure_view(m) for m in content["measures"]],
        "sections": content["sections"],
        "decision": progress_reports.DECISIONS.get(content.get("decision") or "", ""),
        "discharge": discharge_view(content), "plan_of_care": plan_view(content),
        "exercises": content.get("exercises", []),
        "addenda": [{"at": moment_text(a.created_at, zone), "author": a.author.display_name, "text": a.text,
                     "sha256": a.sha256} for a in report.addenda],
    }
    record(session, actor, AuditAction.EXPORT, "episode_report", report.id, patient_id=patient.id, detail="pdf")
    html = (progress_report_html if report.kind is ReportKind.PROGRESS_REPORT else discharge_summary_html)(view)
    return f"{_file_name(report)}.pdf", pdf(html)
