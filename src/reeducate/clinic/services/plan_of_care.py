"""The plan of care: drafted by a PT or chiropractor from the episode's goals and the library's
techniques and exercises, signed (final), renewed as a new version for a recertification; and the
physician's certification of it, recorded by any staff member as it arrives (sent, verbal order,
received, signed, the scanned signature).

Medicare's timing rules are :mod:`reeducate.planning.medicare`'s; what an episode owes them on a day is
:mod:`reeducate.clinic.services.documentation_due`'s. This module only refuses a plan longer than the
rules allow and says which rule. The plan's clinical content is the clinicians'; the front desk sees
and records only the certification (physician, dates, the scan's name). Every read and write is audited.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reeducate.billing.npi import npi_is_valid
from reeducate.clinic import permissions
from reeducate.clinic.access import Actor, fetch_for_patient, require_role
from reeducate.clinic.audit_log import changes_between, record, snapshot
from reeducate.clinic.errors import Conflict, InvalidInput, NotFound
from reeducate.clinic.locks import LockScope, serialise
from reeducate.clinic.models import Appointment, Episode, Goal, Patient, PlanOfCare
from reeducate.clinic.recording_store import RecordingStore
from reeducate.clinic.services import documentation_due, episodes, goals, problems, recordings, scheduling
from reeducate.clinic.services.document_heading import episode_heading
from reeducate.clinic.services.documentation_due import EpisodeDues
from reeducate.clinic.signing import sha256_of, signing_moment
from reeducate.clinic.uploads import check_size, safe_name
from reeducate.clinic.vocabulary import CLINICIANS, AuditAction, EpisodeStatus, NoteStatus
from reeducate.measures.definition import Instrument
from reeducate.planning import medicare
from reeducate.reports.dates import day_text, moment_text
from reeducate.reports.documents import pdf, plan_of_care_html
from reeducate.training import catalogue

MANUAL = "Medicare Benefit Policy Manual ch. 15"
CERTIFICATION_RULE = f"{MANUAL} §220.1.3 B: within 30 days of the first treatment"
VERBAL_ORDER_RULE = f"{MANUAL} §220.1.3 B: a verbal order is followed by the signed plan within 14 days"
PLAN_LENGTH_RULE = f"{MANUAL} §220.1.3: a plan runs at most 90 calendar days"
RECERTIFICATION_RULE = f"{MANUAL} §220.1.3 C: when the plan runs out, and at least every 90 days"
PROGRESS_REPORT_RULE = f"{MANUAL} §220.3 D: at least once every 10 treatment days"
"""The rules as pages name them next to a due date (sections as in :mod:`reeducate.planning.medicare`)."""
RULES = {"certification": CERTIFICATION_RULE, "length": PLAN_LENGTH_RULE, "progress": PROGRESS_REPORT_RULE}
"""The rules the pages' due-date lists name, by what they are about."""

CONTENT = ("starts_on", "ends_on", "visits_per_week", "weeks", "interventions", "home_programme")
"""What the therapist writes in a plan, and its signature covers."""
CERTIFICATION = ("physician_name", "physician_npi", "sent_on", "verbal_order_on", "received_on", "certified_on",
                 "certification_note")
"""What the certification form records (the scan is stored by :func:`attach_signature`)."""
SIGNATURE_MAX_BYTES = 10 * 2**20
"""A scanned, signed plan is a few pages: 10 MB is plenty (our setting)."""
SIGNATURE_KINDS = {b"%PDF-": "PDF", b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG"}
"""The scans accepted, by the bytes each kind of file starts with."""
MAX_DOSAGE_CHARS = 300
MAX_TEXT_CHARS = 4000
Kind = Literal["technique", "exercise"]


class InterventionChoice(BaseModel):
    """A technique or exercise of the library chosen for the plan, with its dosage in words."""

    kind: Kind
    id: str = Field(max_length=40)
    dosage: str = Field("", max_length=MAX_DOSAGE_CHARS)


class PlanFields(BaseModel):
    """A plan as the therapist writes it; ``ends_on`` defaults to the last day of its last week."""

    starts_on: date | None = None
    ends_on: date | None = None
    visits_per_week: int = Field(ge=1, le=7)
    weeks: int = Field(ge=1, le=52)
    interventions: list[InterventionChoice] = Field(default_factory=list, max_length=60)
    home_programme: str = Field("", max_length=MAX_TEXT_CHARS)


class CertificationFields(BaseModel):
    """The physician's certification as their office answers; empty dates are not yet known."""

    physician_name: str = Field("", max_length=200)
    physician_npi: str = Field("", max_length=10)
    sent_on: date | None = None
    verbal_order_on: date | None = None
    received_on: date | None = None
    certified_on: date | None = None
    certification_note: str = Field("", max_length=MAX_TEXT_CHARS)


def library_name(kind: str, item_id: str) -> str:
    """The library's name of a technique or exercise, or InvalidInput naming what is unknown."""
    found = (catalogue.library().techniques if kind == "technique" else catalogue.library().exercises).get(item_id)
    if found is None:
        raise InvalidInput(f"The library has no {kind} {item_id!r}; choose one from the list.", field="interventions")
    return found.name


def intervention(choice: InterventionChoice) -> dict[str, Any]:
    """A chosen item as the plan stores it, its name from the library and, for an exercise left without
    a dosage, the library's."""
    name = library_name(choice.kind, choice.id)
    dosage = choice.dosage.strip()
    if not dosage and choice.kind == "exercise":
        dosage = catalogue.exercise(choice.id).dosage.text
    return {"kind": choice.kind, "id": choice.id, "name": name, "dosage": dosage}


def library_choices() -> list[dict[str, str]]:
    """Every technique and exercise a plan may name (``kind``, ``id``, ``name``), techniques first."""
    lib = catalogue.library()
    return ([{"kind": "technique", "id": t.id, "name": t.name} for t in lib.techniques.values()]
            + [{"kind": "exercise", "id": e.id, "name": e.name} for e in lib.exercises.values()])


def problem_interventions(session: Session, episode: Episode) -> list[dict[str, Any]]:
    """The interventions the therapist kept on the episode's accepted problems, once each, as the plan
    stores them (those no longer in the library are left out)."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for problem in problems.accepted(session, episode.id):
        for kept in problem.interventions:
            kind, item_id = str(kept.get("kind", "")), str(kept.get("id", ""))
            if kind not in ("technique", "exercise") or (kind, item_id) in found:
                continue
            try:
                found[(kind, item_id)] = intervention(InterventionChoice.model_validate(
                    {"kind": kind, "id": item_id, "dosage": str(kept.get("dosage", ""))[:MAX_DOSAGE_CHARS]}))
            except (InvalidInput, ValidationError):
                continue
    return list(found.values())


# --- reading -----------------------------------------------------------------------------------------


def _plans(session: Session, episode: Episode) -> list[PlanOfCare]:
    return list(session.scalars(select(PlanOfCare).where(PlanOfCare.episode_id == episode.id)
                                .order_by(PlanOfCare.number)))


def of_episode(session: Session, actor: Actor, episode_id: int) -> list[PlanOfCare]:
    """The episode's plans, oldest first (clinicians and the patient; audited)."""
    episode = episodes.clinical_episode(session, actor, episode_id)
    found = _plans(session, episode)
    record(session, actor, AuditAction.READ, "plan_of_care", patient_id=episode.patient_id,
           detail=f"episode {episode.id}")
    return found


def episode_for_certification(session: Session, actor: Actor, episode_id: int) -> Episode:
    """The episode whose plan's certification ``actor`` tracks (any staff member; names and dates only,
    no clinical content; not audited: the caller audits what it shows)."""
    require_role(actor, permissions.TRACK_CERTIFICATION, "track the physician's certification of a plan")
    return fetch_for_patient(session, actor, Episode, episode_id, "episode", patient_of=lambda e: e.patient,
                             clinical=False)


def certification_view(session: Session, actor: Actor, episode_id: int) -> list[PlanOfCare]:
    """The episode's plans for the certification panel (any staff member; audited as a read of the
    certification, the page shows no clinical content to the front desk)."""
    episode = episode_for_certification(session, actor, episode_id)
    found = _plans(session, episode)
    record(session, actor, AuditAction.READ, "plan_certification", patient_id=episode.patient_id,
           detail=f"episode {episode.id}")
    return found


def episode_of(session: Session, actor: Actor, plan_id: int, *, certification: bool = False) -> int:
    """The id of a plan's episode, for a page to return to after a change: the role first (PLAN, or for
    the ``certification`` any staff member), then the plan (not audited: the change is)."""
    if certification:
        require_role(actor, permissions.TRACK_CERTIFICATION, "record the physician's certification of a plan")
    else:
        require_role(actor, permissions.PLAN, "write a plan of care (a PT or chiropractor does)")
    plan = fetch_for_patient(session, actor, PlanOfCare, plan_id, "plan of care",
                             patient_of=lambda p: p.episode.patient, clinical=not certification)
    return plan.episode_id


def get(session: Session, actor: Actor, plan_id: int) -> PlanOfCare:
    """One plan with its clinical content (clinicians and the patient; audited)."""
    plan = fetch_for_patient(session, actor, PlanOfCare, plan_id, "plan of care",
                             patient_of=lambda p: p.episode.patient, clinical=True)
    record(session, actor, AuditAction.READ, "plan_of_care", plan.id, patient_id=plan.episode.patient_id)
    return plan


# --- writing the plan ----------------------------------------------------------------------------------


def _writable_episode(session: Session, actor: Actor, episode_id: int, doing: str) -> Episode:
    require_role(actor, permissions.PLAN, doing)
    serialise(session, LockScope.EPISODE, episode_id)
    episode = episodes.clinical_episode(session, actor, episode_id)
    if episode.status is EpisodeStatus.DISCHARGED:
        raise Conflict(f"This episode was discharged on {day_text(episode.discharged_on)}; its plan of care "
                       "is read-only.")
    return episode


def _plan_for_change(session: Session, actor: Actor, plan_id: int, doing: str) -> PlanOfCare:
    require_role(actor, permissions.PLAN, doing)
    plan = fetch_for_patient(session, actor, PlanOfCare, plan_id, "plan of care",
                             patient_of=lambda p: p.episode.patient, clinical=True)
    _writable_episode(session, actor, plan.episode_id, doing)
    session.refresh(plan)  # read again under the episode's lock
    return plan


def _draft_only(plan: PlanOfCare) -> None:
    if plan.status is NoteStatus.SIGNED:
        raise Conflict("This plan of care is signed and cannot change; write a new version of the plan instead.")


def _content(episode: Episode, data: PlanFields, default_start: date) -> dict[str, Any]:
    """The plan's columns from the form: dates checked (ends on or after it starts, within 90 days)."""
    starts_on = data.starts_on or default_start
    if starts_on < episode.started_on:
        raise InvalidInput(f"The plan starts before the episode did ({day_text(episode.started_on)}); check the "
                           "date.", field="starts_on")
    ends_on = data.ends_on or starts_on + timedelta(days=7 * data.weeks - 1)
    if ends_on < starts_on:
        raise InvalidInput("The plan ends before it starts; check its dates.", field="ends_on")
    latest = medicare.latest_plan_end(starts_on)
    if ends_on > latest:
        days = (ends_on - starts_on).days + 1
        raise InvalidInput(f"A plan of {days} days is too long ({PLAN_LENGTH_RULE}): a plan starting "
                           f"{day_text(starts_on)} ends by {day_text(latest)}; shorten it, and recertify a new "
                           "plan when it runs out.", field="ends_on")
    items = [intervention(choice) for choice in data.interventions]
    if len({(i["kind"], i["id"]) for i in items}) != len(items):
        raise InvalidInput("The same technique or exercise is listed twice; give it one dosage.",
                           field="interventions")
    return {"starts_on": starts_on, "ends_on": ends_on, "visits_per_week": data.visits_per_week,
            "weeks": data.weeks, "interventions": items, "home_programme": data.home_programme.strip()}


def draft(session: Session, actor: Actor, episode_id: int, data: PlanFields) -> PlanOfCare:
    """Write the episode's first plan of care as a draft (its later plans are new versions)."""
    episode = _writable_episode(session, actor, episode_id, "write a plan of care (a PT or chiropractor does)")
    assert actor.user_id is not None, "a clinician is a user"
    if _plans(session, episode):
        raise Conflict("This episode already has a plan of care; change its draft, or write a new version of "
                       "the signed plan.")
    content = _content(episode, data, episode.started_on)  # the evaluation opened the episode
    plan = PlanOfCare(episode_id=episode.id, number=1, created_by_id=actor.user_id,
                      physician_name=episode.referring_provider_name,
                      physician_npi=episode.referring_provider_npi, **content)
    session.add(plan)
    session.flush()
    record(session, actor, AuditAction.CREATE, "plan_of_care", plan.id, patient_id=episode.patient_id,
           detail=f"plan {plan.number} drafted: {plan.visits_per_week}x a week for {plan.weeks} weeks")
    return plan


def edit(session: Session, actor: Actor, plan_id: int, data: PlanFields) -> PlanOfCare:
    """Change a draft plan; audited with each field before and after."""
    plan = _plan_for_change(session, actor, plan_id, "write a plan of care (a PT or chiropractor does)")
    _draft_only(plan)
    content = _content(plan.episode, data, plan.starts_on)
    before = snapshot(plan, CONTENT)
    for name, value in content.items():
        setattr(plan, name, value)
    session.flush()
    after = snapshot(plan, CONTENT)
    changes = changes_between(before, after)
    record(session, actor, AuditAction.UPDATE, "plan_of_care", plan.id, patient_id=plan.episode.patient_id,
           detail="changed " + (", ".join(sorted(changes)) or "nothing"), changes=changes)
    return plan


def content_hash(plan: PlanOfCare, signer_id: int, signed_at: datetime) -> str:
    """SHA-256 over the plan's content, episode, number, signer and time (canonical JSON)."""
    payload = {"episode": plan.episode_id, "number": plan.number, "signer": signer_id,
               "signed_at": signed_at.isoformat(),
               **{name: (value.isoformat() if isinstance(value, date) else value)
                  for name, value in snapshot(plan, CONTENT).items()}}
    return sha256_of(payload)


def verify(plan: PlanOfCare) -> bool:
    """Whether a signed plan's content is still what was signed."""
    if plan.signed_by_id is None or plan.signed_at is None:
        return False
    return content_hash(plan, plan.signed_by_id, plan.signed_at.astimezone(UTC)) == plan.content_sha256


def sign(session: Session, actor: Actor, plan_id: int, *, now: datetime | None = None) -> PlanOfCare:
    """Sign the draft (a PT or chiropractor): it needs a goal in progress and an intervention, each with
    its dosage. Signed, it is final; the goals stay the episode's and are judged as it goes."""
    plan = _plan_for_change(session, actor, plan_id, "sign a plan of care (a PT or chiropractor signs it)")
    _draft_only(plan)
    assert actor.user_id is not None, "a clinician is a user"
    aims = goals.active_goals(session, plan.episode)
    if not aims:
        raise InvalidInput("Set at least one goal before signing: the plan names what the care aims for.")
    if not plan.interventions:
        raise InvalidInput("Choose at least one technique or exercise before signing.")
    undosed = [i["name"] for i in plan.interventions if not str(i.get("dosage", "")).strip()]
    if undosed:
        raise InvalidInput(f"Give the dosage of {', '.join(undosed)} before signing.")
    signed_at = signing_moment(now)
    digest = content_hash(plan, actor.user_id, signed_at)
    plan.status, plan.signed_by_id, plan.signed_at, plan.content_sha256 = (
        NoteStatus.SIGNED, actor.user_id, signed_at, digest)
    session.flush()
    record(session, actor, AuditAction.UPDATE, "plan_of_care", plan.id, patient_id=plan.episode.patient_id,
           detail=f"plan {plan.number} signed with {len(aims)} goals, sha256 {digest[:12]}",
           changes={"status": ["draft", "signed"]})
    return plan


def new_version(session: Session, actor: Actor, plan_id: int) -> PlanOfCare:
    """The next plan after a signed one (a recertification): its content copied as a draft, starting the
    day after the signed plan ends, for as many weeks (shortened to the 90-day limit)."""
    previous = _plan_for_change(session, actor, plan_id, "write a plan of care (a PT or chiropractor does)")
    assert actor.user_id is not None, "a clinician is a user"
    if previous.status is not NoteStatus.SIGNED:
        raise Conflict("This plan is still a draft; change it, or sign it before writing its next version.")
    latest = session.scalar(select(func.max(PlanOfCare.number)).where(PlanOfCare.episode_id == previous.episode_id))
    if latest != previous.number:
        raise Conflict("A newer plan of care exists; write the next version from the latest plan.")
    starts_on = previous.ends_on + timedelta(days=1)
    ends_on = min(starts_on + timedelta(days=7 * previous.weeks - 1), medicare.latest_plan_end(starts_on))
    plan = PlanOfCare(episode_id=previous.episode_id, number=previous.number + 1, recertifies_id=previous.id,
                      starts_on=starts_on, ends_on=ends_on, visits_per_week=previous.visits_per_week,
                      weeks=previous.weeks, interventions=[dict(i) for i in previous.interventions],
                      home_programme=previous.home_programme, created_by_id=actor.user_id,
                      physician_name=previous.physician_name, physician_npi=previous.physician_npi)
    session.add(plan)
    session.flush()
    record(session, actor, AuditAction.CREATE, "plan_of_care", plan.id, patient_id=previous.episode.patient_id,
           detail=f"plan {plan.number} drafted from plan {previous.number} (recertification)")
    return plan


# --- the physician's certification ------------------------------------------------------------------


def _plan_for_certification(session: Session, actor: Actor, plan_id: int) -> PlanOfCare:
    """A plan whose certification ``actor`` records (any staff; the plan's lock, read afresh).

    A discharged episode's certification is still recorded: the signed plan often comes back after
    the last visit, and the claims already sent rely on it."""
    require_role(actor, permissions.TRACK_CERTIFICATION, "record the physician's certification of a plan")
    plan = fetch_for_patient(session, actor, PlanOfCare, plan_id, "plan of care",
                             patient_of=lambda p: p.episode.patient, clinical=False)
    serialise(session, LockScope.EPISODE, plan.episode_id)
    session.refresh(plan)
    return plan


def _check_certification(plan: PlanOfCare, data: CertificationFields, today: date) -> None:
    """Refuse dates that cannot be right, naming the field to correct."""
    npi = data.physician_npi.strip()
    if npi and not npi_is_valid(npi):
        raise InvalidInput(f"The physician's NPI {npi} is not valid (10 digits with a correct check digit); copy "
                           "it from the signed plan or NPPES.", field="physician_npi")
    dated = {"sent_on": data.sent_on, "verbal_order_on": data.verbal_order_on, "received_on": data.received_on,
             "certified_on": data.certified_on}
    words = {"sent_on": "sent", "verbal_order_on": "verbal order", "received_on": "received",
             "certified_on": "physician's signature"}
    written = plan.created_at.astimezone(UTC).date() if plan.created_at else plan.starts_on
    earliest = min(plan.starts_on, written)
    for name, value in dated.items():
        if value is None:
            continue
        if value > today:
            raise InvalidInput(f"The {words[name]} date is in the future; enter it on the day it happens.",
                               field=name)
        if value < earliest:
            raise InvalidInput(f"The {words[name]} date is before this plan existed (it starts "
                               f"{day_text(plan.starts_on)}); check the date.", field=name)
    if plan.status is not NoteStatus.SIGNED:
        for name in ("sent_on", "received_on", "certified_on"):
            if dated[name] is not None:
                raise InvalidInput("The plan is still a draft: the therapist signs it before it goes to the "
                                   f"physician (only a verbal order may come first); leave the {words[name]} "
                                   "date empty for now.", field=name)
    if data.sent_on and data.received_on and data.received_on < data.sent_on:
        raise InvalidInput("The signed plan was received before it was sent; check the dates.", field="received_on")
    if data.sent_on and data.certified_on and data.certified_on < data.sent_on:
        raise InvalidInput("The physician signed before the plan was sent; check the dates.", field="certified_on")
    if data.received_on and data.certified_on and data.certified_on > data.received_on:
        raise InvalidInput("The signed plan was received before the physician signed it; check the dates.",
                           field="received_on")
    if (data.certified_on or data.received_on) and not data.physician_name.strip():
        raise InvalidInput("Name the physician who certified the plan.", field="physician_name")


def record_certification(session: Session, actor: Actor, plan_id: int, data: CertificationFields, *,
                         today: date | None = None) -> PlanOfCare:
    """Record the certification's dates and the physician as they stand (any staff member); audited
    with each field before and after."""
    plan = _plan_for_certification(session, actor, plan_id)
    _check_certification(plan, data, today or episodes.clinic_today(session, actor))
    before = snapshot(plan, CERTIFICATION)
    values = data.model_dump()
    values.update(physician_name=data.physician_name.strip(), physician_npi=data.physician_npi.strip(),
                  certification_note=data.certification_note.strip())
    for name, value in values.items():
        setattr(plan, name, value)
    session.flush()
    after = snapshot(plan, CERTIFICATION)
    changes = changes_between(before, after)
    record(session, actor, AuditAction.UPDATE, "plan_certification", plan.id, patient_id=plan.episode.patient_id,
           detail="certification: " + (", ".join(sorted(changes)) or "nothing changed"), changes=changes)
    return plan


def scan_kind(content: bytes) -> str:
    """"PDF", "PNG" or "JPEG" from the file's first bytes, or InvalidInput saying what is accepted."""
    for magic, kind in SIGNATURE_KINDS.items():
        if content.startswith(magic):
            return kind
    raise InvalidInput("The scan must be a PDF, PNG or JPEG file; scan the signed plan to one of those.",
                       field="signature")


def attach_signature(session: Session, actor: Actor, plan_id: int, filename: str, content: bytes,
                     store: RecordingStore) -> PlanOfCare:
    """Keep the scan of the physician's signed plan (stored once by its SHA-256 in the recording store,
    replaced by a later scan; any staff member)."""
    plan = _plan_for_certification(session, actor, plan_id)
    if plan.status is not NoteStatus.SIGNED:
        raise Conflict("The plan is still a draft; the physician signs the plan the therapist signed.")
    name = safe_name(filename or "signed-plan")
    check_size(name, content, SIGNATURE_MAX_BYTES, "scan it at a lower resolution, or in black and white")
    kind = scan_kind(content)
    before = snapshot(plan, ("signature_sha256", "signature_filename"))
    plan.signature_sha256 = recordings.keep_raw(session, store, content)
    plan.signature_filename = name
    session.flush()
    record(session, actor, AuditAction.UPDATE, "plan_certification", plan.id, patient_id=plan.episode.patient_id,
           detail=f"signed plan scanned ({kind}, {len(content)} bytes)",
           changes=changes_between(before, snapshot(plan, ("signature_sha256", "signature_filename"))))
    return plan


def signature_file(session: Session, actor: Actor, plan_id: int, store: RecordingStore) -> tuple[str, bytes]:
    """The scan of the signed plan, as uploaded (clinicians: it is the plan itself; audited)."""
    require_role(actor, CLINICIANS, "download the signed plan of care (it holds clinical content)")
    plan = get(session, actor, plan_id)
    if plan.signature_sha256 is None:
        raise NotFound("No scan of the signed plan has been uploaded yet.")
    return plan.signature_filename, store.read(plan.signature_sha256)


# --- what a page shows next to the dates --------------------------------------------------------------


@dataclass(frozen=True)
class CertificationState:
    """One line of the certification panel: what is due by when, its state and the rule behind it."""

    label: str
    due: date
    state: medicare.Timing
    rule: str


def certification_lines(dues: EpisodeDues) -> list[CertificationState]:
    """The certification, the signature after a verbal order and the recertification of
    an episode's dues, as panel lines."""
    lines = []
    certification = dues.certification
    if certification is not None:
        recert = dues.plan is not None and dues.plan.number > 1
        lines.append(CertificationState("Recertification" if recert else "Certification", certification.due,
                                        certification.state, RECERTIFICATION_RULE if recert else CERTIFICATION_RULE))
        if certification.signature_due is not None and certification.signature is not None:
            lines.append(CertificationState("Signature after the verbal order", certification.signature_due,
                                            certification.signature, VERBAL_ORDER_RULE))
    if dues.recertification_due is not None:
        state = medicare.timing(dues.recertification_due, None, dues.today)
        lines.append(CertificationState("Next recertification", dues.recertification_due, state,
                                        RECERTIFICATION_RULE))
    return lines


# --- the document the physician signs -----------------------------------------------------------------


def _score_text(value: float, measure: Instrument) -> str:
    return f"{value:.{measure.decimals}f} {measure.unit_label}"


def goal_text(goal: Goal, measure: Instrument | None) -> str:
    """A goal in words: "Berg Balance Scale: 54 points" (and its words, if any), or the words alone."""
    if goal.measure_id is None or goal.target is None:
        return goal.description
    what = f"{measure.name}: {_score_text(goal.target, measure)}" if measure else f"{goal.measure_id}: {goal.target:g}"
    return f"{what} ({goal.description})" if goal.description else what


def document(session: Session, actor: Actor, plan_id: int) -> tuple[str, bytes]:
    """(file name, PDF) of the plan of care with the physician's certification block (clinicians;
    the export is audited)."""
    require_role(actor, CLINICIANS, "print a plan of care (it holds clinical content)")
    plan = get(session, actor, plan_id)
    episode, patient = plan.episode, plan.episode.patient
    zone = scheduling.location_of(session, actor, None).timezone
    progress = goals.progress_of(session, episode, goals.active_goals(session, episode))
    view = {
        "title": "Plan of care",
        **episode_heading(episode),
        "problems": [p.statement for p in problems.accepted(session, episode.id)],
        "goals": [{"term": p.goal.term.label, "text": goal_text(p.goal, p.measure),
                   "due": day_text(p.goal.due_on),
                   "baseline": (f"{_score_text(p.baseline, p.measure)}, {day_text(p.baseline_on)}"
                                if p.baseline is not None and p.measure else "")} for p in progress],
        "plan": {"kind": f"Recertification (plan {plan.number})" if plan.number > 1 else "Initial plan",
                 "status": plan.status.value, "starts": day_text(plan.starts_on), "ends": day_text(plan.ends_on),
                 "days": (plan.ends_on - plan.starts_on).days + 1, "visits_per_week": plan.visits_per_week,
                 "weeks": plan.weeks, "expected_visits": plan.expected_visits, "interventions": plan.interventions,
                 "home_programme": plan.home_programme,
                 "signed_by": plan.signed_by.full_name if plan.signed_by else "",
                 "signer_credentials": plan.signed_by.credentials if plan.signed_by else "",
                 "signed_at": moment_text(plan.signed_at, zone) if plan.signed_at else "",
                 "sha256": plan.content_sha256},
        "physician": {"name": plan.physician_name, "npi": plan.physician_npi},
    }
    record(session, actor, AuditAction.EXPORT, "plan_of_care", plan.id, patient_id=patient.id, detail="pdf")
    mrn = re.sub(r"[^A-Za-z0-9]", "", patient.mrn)
    return f"plan-of-care-{mrn}-{plan.number}-{plan.starts_on:%Y-%m-%d}.pdf", pdf(plan_of_care_html(view))


# --- due dates on the chart and the schedule ------------------------------------------------------------


def dues_of_patient(session: Session, actor: Actor, patient_id: int) -> list[EpisodeDues]:
    """The certification, recertification and progress-report dues of the patient's active episodes
    (any staff member: dates only, no clinical content; one audited read)."""
    require_role(actor, permissions.TRACK_CERTIFICATION, "see what documentation is due")
    patient = fetch_for_patient(session, actor, Patient, patient_id, "patient", patient_of=lambda p: p,
                                clinical=False)
    active = session.scalars(select(Episode).where(Episode.patient_id == patient.id,
                                                   Episode.status == EpisodeStatus.ACTIVE).order_by(Episode.id))
    found = [documentation_due.of_episode(session, episode) for episode in active]
    record(session, actor, AuditAction.READ, "documentation_due", patient_id=patient.id, detail="chart")
    return found


def badges(dues: EpisodeDues) -> list[str]:
    """The few words an appointment of the episode shows on the schedule: a certification overdue or
    due within a week, a recertification due within a week or overdue, a progress report due at the
    next treatment day or overdue."""
    shown = []
    if dues.certification_overdue:
        shown.append("Certification overdue")
    elif dues.certification_outstanding and dues.certification is not None:
        due = min(d for d in (dues.certification.due, dues.certification.signature_due) if d is not None)
        if (due - dues.today).days <= documentation_due.DUE_SOON_DAYS:
            shown.append(f"Certification due {day_text(due)}")
    if dues.recertification_overdue:
        shown.append("Recertification overdue")
    elif dues.recertification_due is not None and \
            (dues.recertification_due - dues.today).days <= documentation_due.DUE_SOON_DAYS:
        shown.append(f"Recertification due {day_text(dues.recertification_due)}")
    if dues.progress.overdue:
        shown.append("Progress report overdue")
    elif dues.progress.due_now:
        shown.append("Progress report due")
    return shown


def schedule_badges(session: Session, actor: Actor, appointments: Iterable[Appointment]) -> dict[int, list[str]]:
    """Each shown appointment's :func:`badges` by its id, the dues computed once per active episode (any
    staff member; the schedule's own read is audited by the schedule)."""
    require_role(actor, permissions.TRACK_CERTIFICATION, "see what documentation is due")
    by_episode: dict[int, list[str]] = {}
    shown: dict[int, list[str]] = {}
    for appointment in appointments:
        episode = appointment.episode
        if episode is None or episode.status is not EpisodeStatus.ACTIVE:
            continue
        if episode.id not in by_episode:
            by_episode[episode.id] = badges(documentation_due.of_episode(session, episode))
        if by_episode[episode.id]:
            shown[appointment.id] = by_episode[episode.id]
    return shown


@dataclass(frozen=True)
class EpisodePlan:
    """What the episode page shows of the plan: the goals with their progress, the current plan (None
    before one is written), its certification lines and the episode's dues."""

    progress: list[goals.GoalProgress]
    plan: PlanOfCare | None
    dues: EpisodeDues
    lines: list[CertificationState]


def episode_plan(session: Session, actor: Actor, episode: Episode) -> EpisodePlan:
    """The episode page's summary of its goals and plan (``episode`` fetched for the clinician; the
    goals and plans are read through their audited reads)."""
    plans = of_episode(session, actor, episode.id)
    dues = documentation_due.of_episode(session, episode)
    return EpisodePlan(goals.for_episode(session, actor, episode.id), plans[-1] if plans else None, dues,
                       certification_lines(dues))
