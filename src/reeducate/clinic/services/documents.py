"""The visit note and the superbill as documents: the records gathered into a view, then HTML or PDF.

A document names the visit as people know it (the patient, the date of service), never by its row id,
and writes dates as the pages do (reports.dates)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reeducate.billing.codes import code
from reeducate.clinic import evaluation_draft
from reeducate.clinic.access import Actor
from reeducate.clinic.audit_log import record
from reeducate.clinic.errors import NotFound
from reeducate.clinic.models import Coverage, Episode, Patient, User, Visit, VisitNote
from reeducate.clinic.services import billing, notes, rtm, visits
from reeducate.clinic.vocabulary import AuditAction
from reeducate.reports.dates import date_text, day_text, moment_text
from reeducate.reports.documents import note_html, pdf, superbill_html


def _file_name(kind: str, session: Session, visit: Visit) -> str:
    """``note-MRN000123-2026-12-02``: the document, the patient's MRN and the date of service (ISO, so
    that a folder of them sorts by date), in characters every file system and header accepts."""
    mrn = re.sub(r"[^A-Za-z0-9]", "", visit.patient.mrn)
    return f"{kind}-{mrn}-{visit.checked_in_at.astimezone(visits.zone_of(session, visit)):%Y-%m-%d}"


def _common(session: Session, visit: Visit) -> dict[str, Any]:
    return {**_parties(visit.patient, visit.episode, billing.primary_coverage(visit), visit.clinician),
            "visit": {"date": day_text(visit.checked_in_at, visits.zone_of(session, visit))},
            "zone": visits.zone_of(session, visit)}


def _parties(patient: Patient, episode: Episode | None, coverage: Coverage | None, clinician: User) -> dict[str, Any]:
    """The clinic, the patient with their insurance, the rendering clinician and the episode, as documents name them."""
    clinic = patient.clinic
    address = ", ".join(filter(None, [clinic.billing_address, clinic.billing_city,
                                      f"{clinic.billing_state} {clinic.billing_postal_code}".strip()]))
    return {
        "clinic": {"name": clinic.name, "address": address, "phone": clinic.billing_phone, "npi": clinic.npi,
                   "tax_id": clinic.tax_id},
        "patient": {"name": patient.full_name, "dob": date_text(patient.date_of_birth), "mrn": patient.mrn,
                    "payer": coverage.payer_name if coverage else "", "member_id": coverage.member_id if coverage else "",
                    "group": coverage.group_number if coverage else "",
                    "address": ", ".join(filter(None, [patient.address_line, patient.city, patient.state,
                                                       patient.postal_code]))},
        "clinician": {"name": clinician.full_name, "credentials": clinician.credentials, "npi": clinician.npi},
        "episode": {
            "condition": episode.condition.label if episode else "",
            "referring": episode.referring_provider_name if episode else "",
            "referring_npi": episode.referring_provider_npi if episode else "",
            "diagnoses": [{"code": d.code, "description": d.description}
                          for d in sorted(episode.diagnoses, key=lambda d: d.position)] if episode else [],
        },
    }


def _billing_view(snapshot: dict[str, Any], diagnoses: int) -> dict[str, Any]:
    """A billing snapshot with the codes' labels, the rule's name and the diagnosis pointers added."""
    return {**snapshot, "rule_label": billing.UnitRule(snapshot["rule"]).label,
            "pointers": "".join("ABCD"[:min(diagnoses, 4)]),
            "lines": [{**line, "label": code(line["code"]).label} for line in snapshot["lines"]],
            "unbilled": [{**u, "label": code(u["code"]).label} for u in snapshot.get("unbilled", [])]}


def note_document(session: Session, actor: Actor, visit_id: int, *, as_pdf: bool) -> tuple[str, bytes | str]:
    """(file name, PDF bytes or HTML) of the visit's note; the export is audited."""
    note = notes.of_visit(session, actor, visit_id)
    if note is None:
        raise NotFound("This visit has no note yet.")
    visit = note.visit
    view = _common(session, visit)
    zone = view.pop("zone")
    snapshot = note.billing if note.billing is not None else billing.snapshot(billing.assess(session, visit).billed)
    view |= {
        "title": "Daily treatment note",
        "note": {"status": note.status.value, "content": note.content,
                 "signed_by": note.signed_by.full_name if note.signed_by else "",
                 "signed_at": moment_text(note.signed_at, zone) if note.signed_at else "",
                 "sha256": note.content_sha256, "awaiting_cosignature": note.awaiting_cosignature,
                 "cosigned_by": note.cosigned_by.full_name if note.cosigned_by else "",
                 "cosigned_at": moment_text(note.cosigned_at, zone) if note.cosigned_at else "",
                 "cosign_sha256": note.cosign_sha256},
        "billing": snapshot and _billing_view(snapshot, len(view["episode"]["diagnoses"])),
        "addenda": [{"at": moment_text(a.created_at, zone), "author": a.author.full_name,
                     "text": a.text} for a in note.addenda],
    }
    if evaluation_draft.is_evaluation(note.content):  # its own sections and title
        view |= evaluation_draft.document_view(note.content, notes.problem_list(session, note),
                                               clinician_role=visit.clinician.role, zone=zone)
    record(session, actor, AuditAction.EXPORT, "visit_note", note.id, patient_id=visit.patient_id,
           detail="pdf" if as_pdf else "html")
    html = note_html(view)
    name = _file_name("note", session, visit)
    return (f"{name}.pdf", pdf(html)) if as_pdf else (f"{name}.html", html)


def superbill(session: Session, actor: Actor, visit_id: int) -> tuple[str, bytes]:
    """The visit's superbill as a PDF (from the signed note's billing when there is one)."""
    visit = billing.billing_visit(session, actor, visit_id)
    note = session.scalar(select(VisitNote).where(VisitNote.visit_id == visit.id))
    snapshot = note.billing if note is not None and note.billing is not None else billing.snapshot(billing.assess(session, visit).billed)
    if snapshot is None:
        problems = billing.assess(session, visit).problems
        raise NotFound("The visit has nothing billable yet" + (f": {'; '.join(problems)}" if problems else "."))
    view = _common(session, visit)
    view.pop("zone")
    view |= {"title": "Superbill", "billing": _billing_view(snapshot, len(view["episode"]["diagnoses"]))}
    record(session, actor, AuditAction.EXPORT, "superbill", visit.id, patient_id=visit.patient_id)
    return f"{_file_name('superbill', session, visit)}.pdf", pdf(superbill_html(view))


def rtm_superbill(session: Session, actor: Actor, patient_id: int, *, episode_id: int | None = None
                  ) -> tuple[str, bytes]:
    """The superbill of an episode's remote monitoring: the set-up and each ended period's and month's lines,
    each with its own date (a running period or month may still change, so it waits); for whoever sees
    billing (``rtm.claim_lines_of``); audited."""
    seen = rtm.claim_lines_of(session, actor, patient_id, episode_id=episode_id)
    ready = [c for c in reversed(seen.claims) if c.final and c.billed is not None]
    if seen.episode is None or not ready:
        raise NotFound("Nothing of the remote monitoring is billable yet: the set-up bills once recorded, a "
                       "30-day period or a month once it has ended.")
    episode = seen.episode
    lead = next((m.user for m in episode.care_team if m.is_lead), None)
    view = _parties(seen.patient, episode, seen.coverage, lead or session.get_one(User, actor.user_id))
    billed = [(c.day, line) for c in ready if c.billed is not None for line in c.billed.lines]
    view |= {"title": "Superbill: remote therapeutic monitoring",
             "visit": {"date": " to ".join(dict.fromkeys((day_text(ready[0].day), day_text(ready[-1].day))))},
             "billing": {"rule_label": "Remote monitoring: 30-day periods and calendar months",
                         "pointers": "".join("ABCD"[:min(len(view["episode"]["diagnoses"]), 4)]),
                         "lines": [{"date": day_text(day), "code": line.code, "label": code(line.code).label,
                                    "modifiers": list(line.modifiers), "units": line.units, "charge": str(line.charge)}
                                   for day, line in billed],
                         "total_units": sum(line.units for _, line in billed),
                         "total_charge": str(sum((line.charge for _, line in billed), Decimal(0)))}}
    record(session, actor, AuditAction.EXPORT, "rtm_superbill", episode.id, patient_id=seen.patient.id)
    mrn = re.sub(r"[^A-Za-z0-9]", "", seen.patient.mrn)
    return f"superbill-rtm-{mrn}-{ready[-1].day:%Y-%m-%d}.pdf", pdf(superbill_html(view))
