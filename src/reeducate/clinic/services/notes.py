"""The visit note: drafted from the visit, edited by the clinician, signed (then final), addenda.

Signing stores a SHA-256 of the note's content, its billing lines, the visit, the signer and the
time, and freezes the note: the service refuses changes and the ORM refuses any update to a signed
row. Only the clinician who treated the visit signs it, or, for a PT assistant's visit, a physical
therapist on the episode's care team as the co-signer (see :func:`signers`). Corrections are addenda,
each with its author, time and hash.

An evaluation's or re-evaluation's visit gets its own template (:func:`template_for`, written by
:mod:`reeducate.clinic.evaluation_draft`): only a clinician who evaluates writes it, its code is drafted
from the four components the therapist enters and confirmed by the treating therapist
(:func:`set_code_components`, :func:`confirm_code`), and it is signed only once its sections are
written and its code confirmed; the episode's accepted problems are copied into it when signed.

When the clinic asks for it (``Clinic.pta_notes_need_cosignature``), a note a PT assistant signs awaits
the co-signature of a supervising physical therapist of the episode's care team (:func:`cosign`: who,
when, and a hash binding them to the signed note's hash); its claim is not released until then.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reeducate.clinic import evaluation_draft, note_draft, permissions
from reeducate.clinic.access import Actor, require_role
from reeducate.clinic.audit_log import record
from reeducate.clinic.db import utcnow
from reeducate.clinic.errors import Conflict, Forbidden, InvalidInput, NotFound
from reeducate.clinic.locks import LockScope, serialise
from reeducate.clinic.models import (
    BalanceTrial,
    EmgRecording,
    ExerciseRecord,
    MeasureAdministration,
    MovementRecording,
    NoteAddendum,
    Problem,
    User,
    Visit,
    VisitNote,
)
from reeducate.clinic.schemas import section_text
from reeducate.clinic.services import billing, measures, problems
from reeducate.clinic.services.visits import clinical_visit, zone_of
from reeducate.clinic.signing import sha256_of, signing_moment
from reeducate.clinic.vocabulary import (
    CLINICIANS,
    EVALUATING_ACTIVITIES,
    Activity,
    AppointmentKind,
    AuditAction,
    NoteStatus,
    NoteTemplate,
    Role,
)
from reeducate.reports.dates import day_text

REQUIRED_TO_SIGN = ("subjective", "objective", "assessment", "plan")


def _rows(session: Session, model: type[Any], visit_id: int) -> list[Any]:
    """A visit's rows of ``model`` (any table with ``visit_id`` and ``id``), oldest first."""
    return list(session.scalars(select(model).where(model.visit_id == visit_id).order_by(model.id)))


def template_for(visit: Visit) -> NoteTemplate:
    """The note template of a visit: its appointment's kind (an evaluation or a re-evaluation), else the
    evaluating minutes it recorded (an evaluation's before a re-evaluation's), else the daily note."""
    kind = visit.appointment.kind if visit.appointment is not None else None
    if kind is AppointmentKind.EVALUATION:
        return NoteTemplate.EVALUATION
    if kind is AppointmentKind.RE_EVALUATION:
        return NoteTemplate.RE_EVALUATION
    done = {a.activity for a in visit.activities} & EVALUATING_ACTIVITIES
    if Activity.EVALUATION in done:
        return NoteTemplate.EVALUATION
    return NoteTemplate.RE_EVALUATION if done else NoteTemplate.DAILY


def _problem_rows(session: Session, episode_id: int | None) -> list[Problem]:
    return problems.accepted(session, episode_id) if episode_id is not None else []


def problem_list(session: Session, note: VisitNote) -> list[str]:
    """An evaluation note's problem list: as it stood when the note was signed, else the episode's
    accepted problems now."""
    if note.status is NoteStatus.SIGNED:
        return list(note.content.get("problems", []))
    return [p.statement for p in _problem_rows(session, note.visit.episode_id)]


def _draft_content(session: Session, actor: Actor, visit: Visit, template: NoteTemplate) -> dict[str, Any]:
    administrations = _rows(session, MeasureAdministration, visit.id)
    progress = []
    if visit.episode_id is not None:
        progress = measures.summarise(session, visit.episode_id, measures.for_episode(session, actor, visit.episode_id))
    if template is not NoteTemplate.DAILY:
        return evaluation_draft.draft(
            template=template, episode=visit.episode, visit_day=visit.checked_in_at.astimezone(zone_of(session, visit)).date(),
            administrations=administrations, progress=progress, trials=_rows(session, BalanceTrial, visit.id),
            recordings=_rows(session, MovementRecording, visit.id), exercises=_rows(session, ExerciseRecord, visit.id))
    assessed = billing.assess(session, visit)
    minutes_97112 = sum(c.minutes for c in assessed.charges if c.code == "97112")
    return note_draft.draft(
        administrations=administrations, progress=progress, trials=_rows(session, BalanceTrial, visit.id),
        recordings=_rows(session, MovementRecording, visit.id), exercises=_rows(session, ExerciseRecord, visit.id),
        minutes_97112=minutes_97112, emg=_rows(session, EmgRecording, visit.id),
    )


def of_visit(session: Session, actor: Actor, visit_id: int) -> VisitNote | None:
    """The visit's note, if one was drafted (clinicians of the patient; the patient reads it signed)."""
    visit = clinical_visit(session, actor, visit_id)
    note = session.scalar(select(VisitNote).where(VisitNote.visit_id == visit.id))
    if note is not None and actor.is_patient and note.status is not NoteStatus.SIGNED:
        return None
    record(session, actor, AuditAction.READ, "visit_note", note.id if note else "", patient_id=visit.patient_id,
           detail=f"visit {visit.id}")
    return note


def start_draft(session: Session, actor: Actor, visit_id: int) -> VisitNote:
    """The visit's draft note, written from what the visit recorded (or the existing one)."""
    require_role(actor, CLINICIANS, "write visit notes")
    visit = clinical_visit(session, actor, visit_id)
    serialise(session, LockScope.VISIT, visit.id)
    note = session.scalar(select(VisitNote).where(VisitNote.visit_id == visit.id))
    if note is not None:
        return note
    template = template_for(visit)
    if template is not NoteTemplate.DAILY:
        require_role(actor, permissions.EVALUATE, f"write this visit's note ({template.label.lower()})")
    note = VisitNote(visit_id=visit.id, status=NoteStatus.DRAFT, content=_draft_content(session, actor, visit, template),
                     updated_by_id=actor.user_id)
    session.add(note)
    session.flush()
    record(session, actor, AuditAction.CREATE, "visit_note", note.id, patient_id=visit.patient_id,
           detail=f"{template.label.lower()} draft for visit {visit.id}")
    return note


def _draft(session: Session, actor: Actor, visit_id: int) -> VisitNote:
    require_role(actor, CLINICIANS, "write visit notes")
    visit = clinical_visit(session, actor, visit_id)
    note = session.scalar(select(VisitNote).where(VisitNote.visit_id == visit.id))
    if note is None:
        raise NotFound("This visit has no note yet; start the draft first.")
    if note.status is NoteStatus.SIGNED:
        signer = note.signed_by.full_name if note.signed_by else "a clinician"
        raise Conflict(f"This note was signed by {signer} on {day_text(note.signed_at, zone_of(session, visit))} and cannot change; "
                       "add an addendum instead.")
    return note


def edit(session: Session, actor: Actor, visit_id: int, content: dict[str, Any]) -> VisitNote:
    """Replace the draft's sections (unknown keys refused, sizes bounded)."""
    note = _draft(session, actor, visit_id)
    assert actor.user_id is not None, "a clinician is a user"
    if evaluation_draft.is_evaluation(note.content):
        require_role(actor, permissions.EVALUATE, "write an evaluation")
        merged = evaluation_draft.edited(content, note.content, section_text)
    else:
        merged = _checked(content, note.content)
    note.content = merged
    note.updated_at = utcnow()
    note.updated_by_id = actor.user_id
    record(session, actor, AuditAction.UPDATE, "visit_note", note.id, patient_id=note.visit.patient_id,
           detail="draft edited")
    return note


def _checked(content: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    allowed = set(note_draft.SECTIONS) | {"nmr"}
    unknown = set(content) - allowed
    if unknown:
        raise InvalidInput(f"Unknown note section(s): {', '.join(sorted(unknown))}; a note has "
                           f"{', '.join(note_draft.SECTIONS)} and nmr.")
    merged = json.loads(json.dumps(current))
    for key in note_draft.SECTIONS:
        if key in content:
            merged[key] = section_text(content[key], key)
    if "nmr" in content:
        nmr = content["nmr"]
        if not isinstance(nmr, dict) or set(nmr) - set(note_draft.NMR_FIELDS):
            raise InvalidInput(f"nmr holds only {', '.join(note_draft.NMR_FIELDS)}")
        for key, value in nmr.items():
            if key == "minutes":
                if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 480:
                    raise InvalidInput("nmr.minutes must be a whole number of minutes from 0 to 480")
                merged["nmr"][key] = value
            else:
                merged["nmr"][key] = section_text(value, f"nmr.{key}")
    return merged


def _evaluation(session: Session, actor: Actor, visit_id: int) -> VisitNote:
    """The visit's draft evaluation note, for its treating clinician (who confirms its code)."""
    require_role(actor, permissions.EVALUATE, "draft or confirm an evaluation code")
    note = _draft(session, actor, visit_id)
    if not evaluation_draft.is_evaluation(note.content):
        raise Conflict("This visit's note is a daily note: only an evaluation or re-evaluation has a code to confirm.")
    if not evaluation_draft.needs_code(note.visit.clinician.role):
        raise Conflict("A chiropractor's evaluation has no evaluation code in this catalogue: add the clinic's own "
                       "code on the claim.")
    if actor.user_id != note.visit.clinician_id:
        raise Forbidden(f"Only {note.visit.clinician.display_name}, who evaluated the patient, drafts and confirms "
                        "the evaluation code.")
    serialise(session, LockScope.VISIT, note.visit_id)
    return note


def set_code_components(session: Session, actor: Actor, visit_id: int, components: dict[str, Any]) -> VisitNote:
    """Store the four components (:func:`evaluation_draft.components_from_form`) and the code they
    support; any earlier confirmation is withdrawn, since the code may have changed."""
    note = _evaluation(session, actor, visit_id)
    if evaluation_draft.template_of(note.content) is NoteTemplate.RE_EVALUATION:
        raise Conflict("A re-evaluation is billed 97164 whatever its complexity: confirm it without components.")
    code = evaluation_draft.with_components(note.content["code"], components)
    assert actor.user_id is not None, "a clinician is a user"
    note.content = {**note.content, "code": code}
    note.updated_at, note.updated_by_id = utcnow(), actor.user_id
    record(session, actor, AuditAction.UPDATE, "visit_note", note.id, patient_id=note.visit.patient_id,
           detail=f"evaluation components entered; supports {code['drafted']}")
    return note


def confirm_code(session: Session, actor: Actor, visit_id: int, *, now: datetime | None = None) -> VisitNote:
    """The treating therapist confirms the drafted code (97161-97163 from the components, or 97164):
    kept with who and when, and the visit's billing uses it."""
    note = _evaluation(session, actor, visit_id)
    drafted = note.content["code"].get("drafted")
    if not drafted:
        raise InvalidInput("Enter the four components first: the code is drafted from them.")
    assert actor.user_id is not None, "a clinician is a user"
    user = session.get(User, actor.user_id)
    at = signing_moment(now)
    note.content = {**note.content, "code": {**note.content["code"], "confirmed": drafted, "confirmed_at": at.isoformat(),
                                             "confirmed_by_id": actor.user_id,
                                             "confirmed_by": user.full_name if user else ""}}
    note.updated_at, note.updated_by_id = utcnow(), actor.user_id
    billing.use_evaluation_code(session, actor, note.visit, drafted)
    record(session, actor, AuditAction.UPDATE, "visit_note", note.id, patient_id=note.visit.patient_id,
           detail=f"evaluation code {drafted} confirmed")
    return note


def content_hash(note: VisitNote, signer_id: int, signed_at: datetime) -> str:
    """SHA-256 over the signed content, billing, visit, signer and time (canonical JSON)."""
    return sha256_of({"visit": note.visit_id, "content": note.content, "billing": note.billing, "signer": signer_id,
                      "signed_at": signed_at.isoformat()})


def signers(visit: Visit) -> list[User]:
    """Who may sign the visit's note: the treating clinician (the visit's, i.e. its appointment's,
    provider); for a PT assistant's visit also the physical therapists on the episode's care team,
    the PTs under whose plan of care the assistant treats, who co-sign the assistant's note."""
    allowed = [visit.clinician]
    if visit.clinician.role is Role.PT_ASSISTANT and visit.episode is not None:
        allowed += [member.user for member in visit.episode.care_team
                    if member.user.role is Role.PHYSICAL_THERAPIST and member.user.is_active]
    return allowed


def _named(users: list[User]) -> str:
    names = [user.display_name for user in users]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _who_signs(visit: Visit, allowed: list[User]) -> str:
    """Why ``allowed`` may sign, and what to do if the right person is missing."""
    if visit.clinician.role is not Role.PT_ASSISTANT:
        return "the clinician who treated the visit signs its note."
    if len(allowed) == 1:
        return ("the PT assistant who treated the visit, or the supervising physical therapist once they "
                "are on the episode's care team.")
    return "the PT assistant who treated the visit, or a supervising physical therapist on the care team."


def sign(session: Session, actor: Actor, visit_id: int, *, now: datetime | None = None) -> VisitNote:
    """Sign the draft: its billing must pass the payer's rules and every SOAP section be written."""
    note = _draft(session, actor, visit_id)
    assert actor.user_id is not None, "a clinician is a user"
    visit = note.visit
    allowed = signers(visit)
    if actor.user_id not in {user.id for user in allowed}:
        raise Forbidden(f"Only {_named(allowed)} may sign the note of this visit: "
                        + _who_signs(visit, allowed))
    if evaluation_draft.is_evaluation(note.content):
        wanting = evaluation_draft.missing(note.content, needs_code=evaluation_draft.needs_code(visit.clinician.role))
        if wanting:
            raise InvalidInput(f"Complete the {evaluation_draft.template_of(note.content).label.lower()} before "
                               "signing: " + "; ".join(wanting) + ".")
    else:
        empty = [s for s in REQUIRED_TO_SIGN if not str(note.content.get(s, "")).strip()]
        if empty:
            raise InvalidInput(f"Write the {', '.join(empty)} section(s) before signing.")
    assessed = billing.assess(session, visit)
    if assessed.problems:
        raise InvalidInput("The visit's billing breaks a rule; correct the minutes per code first: "
                           + "; ".join(assessed.problems))
    if assessed.charges and assessed.drafted:
        raise InvalidInput("Confirm the visit's minutes per code on the billing page before signing.")
    signed_at = signing_moment(now)  # hashed as stored (UTC)
    note.billing = billing.snapshot(assessed.billed)
    if evaluation_draft.is_evaluation(note.content):  # the problem list as it stood when signed
        note.content = {**note.content, "problems": [p.statement for p in _problem_rows(session, visit.episode_id)]}
    digest = content_hash(note, actor.user_id, signed_at)
    note.status, note.signed_at, note.signed_by_id, note.content_sha256 = (
        NoteStatus.SIGNED, signed_at, actor.user_id, digest)
    note.cosignature_required = actor.role is Role.PT_ASSISTANT and visit.patient.clinic.pta_notes_need_cosignature
    session.flush()
    record(session, actor, AuditAction.UPDATE, "visit_note", note.id, patient_id=visit.patient_id,
           detail=f"signed, sha256 {digest[:12]}")
    return note


def cosigners(visit: Visit) -> list[User]:
    """Who may co-sign a PT assistant's note: the active physical therapists of the episode's care team."""
    return [user for user in signers(visit) if user.role is Role.PHYSICAL_THERAPIST]


def may_cosign(note: VisitNote, actor: Actor) -> bool:
    """Whether ``actor`` may co-sign ``note`` now (it awaits co-signature and they supervise)."""
    return note.awaiting_cosignature and actor.user_id in {user.id for user in cosigners(note.visit)}


def cosign(session: Session, actor: Actor, visit_id: int, *, now: datetime | None = None) -> VisitNote:
    """Co-sign a PT assistant's signed note as its supervising physical therapist: the co-signer, the
    time and a SHA-256 over them and the note's own hash are kept; the note itself does not change."""
    require_role(actor, CLINICIANS, "co-sign visit notes")
    visit = clinical_visit(session, actor, visit_id)
    serialise(session, LockScope.VISIT, visit.id)
    note = session.scalar(select(VisitNote).where(VisitNote.visit_id == visit.id))
    if note is None or not note.awaiting_cosignature:
        raise Conflict("The note of this visit does not await a co-signature.")
    allowed = cosigners(visit)
    if not may_cosign(note, actor):
        who = _named(allowed) if allowed else "a physical therapist on the episode's care team"
        raise Forbidden(f"Only {who} may co-sign this note: the supervising physical therapist co-signs a PT "
                        "assistant's note (add them to the episode's care team if they are missing).")
    cosigned_at = signing_moment(now)
    digest = sha256_of({"note": note.id, "signed": note.content_sha256, "cosigner": actor.user_id,
                        "cosigned_at": cosigned_at.isoformat()})
    note.cosigned_by_id, note.cosigned_at, note.cosign_sha256 = actor.user_id, cosigned_at, digest
    session.flush()
    record(session, actor, AuditAction.UPDATE, "visit_note", note.id, patient_id=visit.patient_id,
           detail=f"co-signed, sha256 {digest[:12]}")
    return note


def add_addendum(session: Session, actor: Actor, visit_id: int, text: str, *, now: datetime | None = None) -> NoteAddendum:
    """Add a correction or addition to a signed note (a draft is simply edited)."""
    require_role(actor, CLINICIANS, "add addenda")
    visit = clinical_visit(session, actor, visit_id)
    note = session.scalar(select(VisitNote).where(VisitNote.visit_id == visit.id))
    if note is None or note.status is not NoteStatus.SIGNED:
        raise Conflict("Addenda are for signed notes; edit the draft instead.")
    body = section_text(text, "The addendum")
    if not body:
        raise InvalidInput("The addendum is empty.")
    created = now or utcnow()
    digest = hashlib.sha256(json.dumps({"note": note.id, "text": body, "author": actor.user_id,
                                        "at": created.isoformat()}, sort_keys=True).encode()).hexdigest()
    addendum = NoteAddendum(note_id=note.id, text=body, author_id=actor.user_id, created_at=created, sha256=digest)
    session.add(addendum)
    session.flush()
    record(session, actor, AuditAction.CREATE, "note_addendum", addendum.id, patient_id=visit.patient_id,
           detail=f"addendum to note {note.id}")
    return addendum


def verify(note: VisitNote) -> bool:
    """True if the signed note's content still matches the hash stored when it was signed."""
    if note.status is not NoteStatus.SIGNED or note.signed_at is None or note.signed_by_id is None:
        return False
    return content_hash(note, note.signed_by_id, note.signed_at) == note.content_sha256
