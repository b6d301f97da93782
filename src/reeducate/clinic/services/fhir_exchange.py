"""The episode over FHIR R4: exported whole as a Bundle, and a referral Bundle imported as a new
patient (or one already registered) with a new episode.

Export: any clinician of the clinic who may see the episode; audited as an EXPORT of the episode.
Import: a PT or chiropractor (they register and open episodes); everything the referral says is
checked first, every reason it cannot be mapped is refused together (ReferralRefused) and nothing is
stored; what is stored is audited as a CREATE (the patient's and the episode's own rows, and one for
the import itself).

The episode's condition (our own list, vocabulary.Condition) is taken from the primary diagnosis when
its ICD-10-CM code falls under one of :data:`CONDITION_BY_CODE`, where the code's own title names the
condition; otherwise the clinician chooses it, and the import asks for it.

A patient already registered with the same name and date of birth is not registered twice: the
import is refused, naming that chart, unless the clinician chose to add the episode to that chart
(``existing_patient_id``). Two people may share a name and a birthday, so the chart is never chosen
for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reeducate.clinic import permissions
from reeducate.clinic.access import Actor, require_role
from reeducate.clinic.audit_log import record
from reeducate.clinic.db import utcnow
from reeducate.clinic.diagnoses import validate_icd10cm
from reeducate.clinic.errors import ClinicError, InvalidInput
from reeducate.clinic.locks import LockScope, serialise
from reeducate.clinic.models import (
    Episode,
    Goal,
    MeasureAdministration,
    Patient,
    PlanOfCare,
    Visit,
    VisitCharge,
)
from reeducate.clinic.schemas import EpisodeCreate, PatientCreate
from reeducate.clinic.services import episodes, measures, patients
from reeducate.clinic.vocabulary import AuditAction, Condition, EpisodeStatus
from reeducate.interop.fhir_bundle import (
    AdministrationData,
    ChargeData,
    DiagnosisData,
    EpisodeData,
    GoalData,
    InterventionData,
    PatientData,
    PlanData,
    VisitData,
    episode_bundle,
)
from reeducate.interop.fhir_referral import Referral, ReferralProblems, ReferredPatient, read_referral
from reeducate.measures.results import Score
from reeducate.reports.dates import date_text, day_text

MAX_REFERRAL_BYTES = 1_000_000
"""A referral Bundle (a patient, a few diagnoses, one request) is a few kilobytes; 1 MB is not one."""
FHIR_JSON = "application/fhir+json"
IMPORTERS = permissions.EVALUATE & permissions.REGISTER
"""Who imports a referral: it registers the patient and opens the episode."""

CONDITION_BY_CODE: dict[str, Condition] = {
    "M54.2": Condition.NECK_PAIN,  # Cervicalgia
    "M54.3": Condition.SCIATICA,  # Sciatica
    "M54.4": Condition.SCIATICA,  # Lumbago with sciatica
    "S13.4": Condition.WHIPLASH,  # Sprain of ligaments of cervical spine (the whiplash sprain)
    "Z96.64": Condition.HIP_REPLACEMENT,  # Presence of artificial hip joint
    "Z96.65": Condition.KNEE_REPLACEMENT,  # Presence of artificial knee joint
    "Z91.81": Condition.FALL_RISK,  # History of falling
    "I69.3": Condition.STROKE,  # Sequelae of cerebral infarction
}
"""ICD-10-CM categories whose title names one of our conditions; a code under one maps to it. Low back
pain (M54.5-) is left out: the code does not say whether the pain is chronic."""


class ReferralRefused(InvalidInput):
    """The referral was not imported; ``reasons`` names each thing that could not be mapped, ``charts`` the
    patients already registered under the referral's name and date of birth (the page offers them)."""

    def __init__(self, reasons: list[str], charts: list[Patient] | None = None) -> None:
        super().__init__("The referral was not imported: " + " ".join(reasons), field="file")
        self.reasons = reasons
        self.charts = charts or []


@dataclass(frozen=True)
class Exported:
    filename: str
    content: str
    """The Bundle's JSON."""


@dataclass(frozen=True)
class Imported:
    patient: Patient
    episode: Episode
    attached: bool
    """True when the episode was added to a patient already registered."""
    not_kept: tuple[str, ...]
    """What the referral said that the clinic does not store, said for the clinician to read."""


def _patient_data(patient: Patient) -> PatientData:
    return PatientData(
        id=patient.id, mrn=patient.mrn, first_name=patient.first_name, last_name=patient.last_name,
        birth_date=patient.date_of_birth, sex=patient.sex.value, phone=patient.phone, email=patient.email,
        address_line=patient.address_line, city=patient.city, state=patient.state, postal_code=patient.postal_code,
    )


def _visits(session: Session, episode: Episode) -> tuple[VisitData, ...]:
    rows = list(session.scalars(select(Visit).where(Visit.episode_id == episode.id).order_by(Visit.checked_in_at)))
    charges: dict[int, list[ChargeData]] = {}
    for charge in session.scalars(select(VisitCharge).where(VisitCharge.visit_id.in_([v.id for v in rows]))
                                  .order_by(VisitCharge.id)):
        charges.setdefault(charge.visit_id, []).append(ChargeData(charge.code, charge.minutes))
    return tuple(VisitData(
        id=v.id, status=v.status.value, started=v.checked_in_at, ended=v.completed_at,
        clinician=", ".join(filter(None, (v.clinician.full_name, v.clinician.credentials))),
        charges=tuple(charges.get(v.id, [])),
    ) for v in rows)


def _administrations(session: Session, episode: Episode) -> tuple[AdministrationData, ...]:
    rows = session.scalars(select(MeasureAdministration).where(MeasureAdministration.episode_id == episode.id)
                           .order_by(MeasureAdministration.administered_at, MeasureAdministration.id))
    return tuple(AdministrationData(
        id=a.id, instrument=measures.instrument(a.measure_id), result=Score.model_validate(a.result),
        administered_at=a.administered_at, visit_id=a.visit_id,
    ) for a in rows)


def _goals(session: Session, episode: Episode) -> tuple[GoalData, ...]:
    rows = session.scalars(select(Goal).where(Goal.episode_id == episode.id).order_by(Goal.id))
    return tuple(GoalData(
        id=g.id, status=g.status.value, term=g.term.value, description=g.description,
        instrument=measures.instrument(g.measure_id) if g.measure_id else None, target=g.target, due_on=g.due_on,
        set_on=g.set_at.date(), status_on=g.met_on or (g.status_at.date() if g.status_at else None),
    ) for g in rows)


def _plans(session: Session, episode: Episode) -> tuple[PlanData, ...]:
    rows = session.scalars(select(PlanOfCare).where(PlanOfCare.episode_id == episode.id).order_by(PlanOfCare.number))
    return tuple(PlanData(
        id=p.id, number=p.number, signed=p.signed_at is not None, starts_on=p.starts_on, ends_on=p.ends_on,
        visits_per_week=p.visits_per_week, weeks=p.weeks, home_programme=p.home_programme,
        interventions=tuple(InterventionData(str(i.get("kind", "")), str(i.get("id", "")), str(i.get("name", "")),
                                             str(i.get("dosage", ""))) for i in p.interventions),
        signed_at=p.signed_at, signed_by=p.signed_by.full_name if p.signed_by else "",
        recertifies_id=p.recertifies_id,
    ) for p in rows)


def export(session: Session, actor: Actor, episode_id: int) -> Exported:
    """The episode as a FHIR R4 collection Bundle (validated), for a clinician who may see it; audited."""
    require_role(actor, permissions.SEE_CLINICAL, "export an episode (clinicians send the record on)")
    episode = episodes.clinical_episode(session, actor, episode_id)
    data = EpisodeData(
        id=episode.id, active=episode.status is EpisodeStatus.ACTIVE, started_on=episode.started_on,
        discharged_on=episode.discharged_on, patient=_patient_data(episode.patient),
        diagnoses=tuple(DiagnosisData(d.code, d.description) for d in episode.diagnoses),
        visits=_visits(session, episode), administrations=_administrations(session, episode),
        goals=_goals(session, episode), plans=_plans(session, episode),
    )
    bundle = episode_bundle(data, now=utcnow(), today=episodes.clinic_today(session, actor))
    record(session, actor, AuditAction.EXPORT, "episode", episode.id, patient_id=episode.patient_id,
           detail=f"FHIR R4 Bundle, {len(bundle.entry or [])} resources")
    return Exported(filename=f"episode-{episode.id}-{episode.patient.mrn}.fhir.json",
                    content=bundle.model_dump_json(exclude_none=True, indent=2))


def condition_for(code: str) -> Condition | None:
    """Our condition for a billable ICD-10-CM code, where its category names it (:data:`CONDITION_BY_CODE`)."""
    return next((c for prefix, c in CONDITION_BY_CODE.items() if code.startswith(prefix)), None)


def _read(data: bytes) -> Referral:
    if len(data) > MAX_REFERRAL_BYTES:
        raise ReferralRefused([f"The file has {len(data):,} bytes; a referral Bundle is a few kilobytes (at most "
                               f"{MAX_REFERRAL_BYTES:,}). Upload the referral alone."])
    try:
        return read_referral(data)
    except ReferralProblems as problems:
        raise ReferralRefused(problems.reasons) from None


def _diagnoses(referral: Referral, reasons: list[str]) -> dict[int, str]:
    """The billable code of each of the referral's Conditions (by its number), primary first; a reason for
    each that is not one."""
    codes: dict[int, str] = {}
    for condition in referral.conditions:
        try:
            code = validate_icd10cm(condition.code).code
        except InvalidInput as error:
            reasons.append(f"Condition {condition.number}: {error.message}")
            continue
        if code in codes.values():
            reasons.append(f"Condition {condition.number}: {code} is listed twice; keep one.")
        else:
            codes[condition.number] = code
    return codes


def _condition(referral: Referral, codes: dict[int, str], chosen: Condition | None,
               reasons: list[str]) -> Condition | None:
    """The condition chosen, else the one the primary diagnosis names (a reason when it names none)."""
    if chosen is not None or not referral.conditions:
        return chosen
    primary = codes.get(referral.conditions[0].number)
    if primary is None:  # its own reason is given already
        return None
    named = condition_for(primary)
    if named is None:
        reasons.append(f"The primary diagnosis {primary} does not name one of the clinic's conditions; choose the "
                       "condition treated and import again.")
    return named


def _pydantic_reasons(what: str, error: ValidationError) -> list[str]:
    return [f"{what}: {'.'.join(map(str, p['loc'])).replace('_', ' ')}: "
            f"{str(p['msg']).removeprefix('Value error, ')}." for p in error.errors()]


def _same_person(session: Session, actor: Actor, person: ReferredPatient) -> list[Patient]:
    """The clinic's patients with the referral's name (in any case) and date of birth."""
    return list(session.scalars(select(Patient).where(
        Patient.clinic_id == actor.clinic_id, func.lower(Patient.first_name) == person.first_name.lower(),
        func.lower(Patient.last_name) == person.last_name.lower(), Patient.date_of_birth == person.birth_date,
    ).order_by(Patient.id)))


def _chart(patient: Patient) -> str:
    return f"{patient.full_name}, born {date_text(patient.date_of_birth)} ({patient.mrn})"


def _target_patient(session: Session, actor: Actor, person: ReferredPatient, existing_patient_id: int | None,
                    reasons: list[str], same: list[Patient]) -> Patient | None:
    """The registered patient the episode goes to (None: register the referral's patient)."""
    if existing_patient_id is None:
        if same:
            reasons.append(f"{' and '.join(map(_chart, same))} {'is' if len(same) == 1 else 'are'} already "
                           "registered with this name and date of birth; if the referral is for them, import it "
                           "again adding the episode to that chart, or register the patient by hand if it is "
                           "another person.")
        return None
    chosen = patients.load(session, actor, existing_patient_id, clinical=True)
    if chosen not in same:
        reasons.append(f"The chart chosen is {_chart(chosen)}, but the referral is for {person.first_name} "
                       f"{person.last_name}, born {date_text(person.birth_date)}; choose their chart.")
    return chosen


def _registration(person: ReferredPatient, reasons: list[str]) -> PatientCreate | None:
    try:
        return PatientCreate.model_validate({
            "first_name": person.first_name, "last_name": person.last_name, "date_of_birth": person.birth_date,
            "sex": person.sex, "phone": person.phone, "email": person.email or None,
            "address_line": person.address_line, "city": person.city, "state": person.state,
            "postal_code": person.postal_code})
    except ValidationError as error:
        reasons += _pydantic_reasons("Patient", error)
        return None


def require_importer(actor: Actor) -> None:
    """Refuse anyone who may not both register a patient and open an episode."""
    require_role(actor, IMPORTERS,
                 "import a referral (it registers the patient and opens an episode: a PT or chiropractor does)")


def import_referral(session: Session, actor: Actor, data: bytes, *, condition: Condition | None = None,
                    existing_patient_id: int | None = None, today: date | None = None) -> Imported:
    """Register the referral's patient (or use ``existing_patient_id``, the same person) and open an episode
    with its diagnoses and referrer; the lead is the clinician importing. Nothing is stored on refusal."""
    require_importer(actor)
    referral = _read(data)
    assert actor.clinic_id is not None
    serialise(session, LockScope.PATIENT, f"registration in clinic {actor.clinic_id}")  # two imports, one patient
    today = today or episodes.clinic_today(session, actor)
    reasons = list(referral.problems)
    codes = _diagnoses(referral, reasons)
    chosen = _condition(referral, codes, condition, reasons)
    if referral.referred_on and referral.referred_on > today:
        reasons.append(f"The referral is dated {day_text(referral.referred_on)}, after today; check authoredOn.")
    person = referral.patient
    same = _same_person(session, actor, person) if person else []
    existing = _target_patient(session, actor, person, existing_patient_id, reasons, same) if person else None
    registration = _registration(person, reasons) if person and existing is None else None
    try:
        opening = EpisodeCreate.model_validate({
            # without a condition a reason already asks for it: OTHER only lets the rest be checked
            "condition": chosen or Condition.OTHER, "started_on": today, "diagnoses": list(codes.values()),
            "summary": f"Referral: {referral.asked}"[:2000] if referral.asked else "",
            "referring_provider_name": referral.referrer_name, "referring_provider_npi": referral.referrer_npi,
            "referral_date": referral.referred_on})
    except ValidationError as error:
        reasons += _pydantic_reasons("ServiceRequest", error)
    if reasons or person is None:
        raise ReferralRefused(reasons, same)
    try:
        with session.begin_nested():  # the registration and the episode stand or fall together
            patient = existing if registration is None else patients.create(session, actor, registration)
            assert patient is not None
            episode = episodes.create(session, actor, patient.id, opening, today=today)
    except ClinicError as error:
        raise ReferralRefused([error.message]) from None
    record(session, actor, AuditAction.CREATE, "referral", episode.id, patient_id=patient.id,
           detail=f"FHIR referral imported: episode {episode.id} for {'existing' if existing else 'new'} patient "
                  f"{patient.mrn}, {', '.join(codes.values())}, referred by NPI {referral.referrer_npi}")
    not_kept = tuple(f"The referral's patient identifier ({system}): the clinic gives its own MRN."
                     for system in person.identifier_systems)
    if existing:
        not_kept += ("The referral's address and contact details: the chart keeps its own; check them.",)
    return Imported(patient=patient, episode=episode, attached=existing is not None, not_kept=not_kept)

