"""Typed inputs and outputs of the clinic's services: what the API accepts and returns.

Separate models for create, update and public output (STYLE.md, web edges). Times in outputs are
UTC ISO 8601; a naive input time means the wall-clock time of the location concerned.

Every input refuses, with a 4xx that says so, what no person types and the database cannot keep: a
NUL character in any text (PostgreSQL refuses it in a text column) and a non-finite number (NaN,
infinity). Free text that reaches a service without a schema (a search, a note's sections) goes
through :func:`plain_text`, the same check.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from reeducate.clinic.errors import InvalidInput
from reeducate.clinic.vocabulary import (
    Activity,
    AdministrationSource,
    AppointmentKind,
    AppointmentStatus,
    AuditAction,
    Condition,
    DischargeReason,
    EpisodeStatus,
    ExerciseStatus,
    JobKind,
    JobStatus,
    MovementKind,
    PlanKind,
    Role,
    Sex,
    SubscriberRelationship,
    VisitStatus,
)
from reeducate.signals.posturography.clinical import Stance, Surface, Vision

if TYPE_CHECKING:
    from reeducate.clinic.models import Job

Name = Field(min_length=1, max_length=100)
MAX_ID = 2**31 - 1
"""The largest id a record can have (PostgreSQL's integer, the type of every id column)."""
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
"""A record's id in an input: a larger one names no record and would not even reach the database."""
NUL_REFUSED = "must not contain a NUL character (\\x00); retype the text"


def holds_nul(value: object) -> bool:
    """Whether ``value`` (text, or lists and mappings of it, keys included) holds a NUL character."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(holds_nul(key) or holds_nul(item) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return any(holds_nul(item) for item in value)
    return False


def plain_text(value: str, where: str) -> str:
    """``value`` unchanged, or :class:`InvalidInput` naming ``where`` if it holds a NUL character."""
    if holds_nul(value):
        raise InvalidInput(f"{where} {NUL_REFUSED}.")
    return value


MAX_SECTION_CHARS = 20_000
"""The longest section of a clinical document (a note's, a report's) or an addendum, in characters."""


def section_text(value: object, where: str) -> str:
    """A document section as typed: text without NUL, at most :data:`MAX_SECTION_CHARS`, line breaks
    as ``\n`` and surrounding blanks trimmed; :class:`InvalidInput` naming ``where`` otherwise."""
    if not isinstance(value, str):
        raise InvalidInput(f"{where} must be text")
    if len(value) > MAX_SECTION_CHARS:
        raise InvalidInput(f"{where} is longer than {MAX_SECTION_CHARS} characters; shorten it.")
    return plain_text(value, where).replace("\r\n", "\n").strip()


class Input(BaseModel):
    """Base of every input: unknown fields are an error, surrounding blanks are trimmed, and no text
    holds a NUL character nor any number is NaN or infinite."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if holds_nul(value):
            raise ValueError(NUL_REFUSED)
        return value


class Output(BaseModel):
    """Base of every output: built from ORM objects."""

    model_config = ConfigDict(from_attributes=True)


# --- patients -------------------------------------------------------------------------------------


def _plausible_birth_date(value: date | None) -> date | None:
    today = date.today()
    if value is not None and value > today:
        raise ValueError("must not be in the future")
    if value is not None and value.year < today.year - 120:
        raise ValueError("is more than 120 years ago; check the year")
    return value


BirthDate = Annotated[date, AfterValidator(_plausible_birth_date)]


class SubscriberFields(Input):
    """Who holds the plan, when it is not the patient: the 837P names them as the subscriber."""

    subscriber_relationship: SubscriberRelationship = Field(
        SubscriberRelationship.SELF, description="The patient's relationship to the plan's holder.")
    subscriber_first_name: str = Field("", max_length=100)
    subscriber_last_name: str = Field("", max_length=100)
    subscriber_date_of_birth: BirthDate | None = None
    subscriber_sex: Sex | None = None


class CoverageCreate(SubscriberFields):
    plan_kind: PlanKind
    payer_name: str = Field(min_length=1, max_length=200)
    member_id: str = Field("", max_length=60)
    group_number: str = Field("", max_length=60)
    claim_number: str = Field("", max_length=60, description="Auto/PIP or workers' comp claim.")
    payer_id: str = Field("", max_length=80, description="The payer's X12 identifier (from the clearinghouse).")
    priority: int = Field(1, ge=1, le=2, description="1 primary, 2 secondary.")
    previous_primary: Literal["inactive", "secondary"] = Field(
        "inactive", description="A new primary's predecessor: ended (inactive), or kept as the secondary.")


class CoverageUpdate(Input):
    """A coverage's details corrected; what is left out stays as it is."""

    plan_kind: PlanKind | None = None
    payer_name: str | None = Field(None, min_length=1, max_length=200)
    member_id: str | None = Field(None, max_length=60)
    group_number: str | None = Field(None, max_length=60)
    claim_number: str | None = Field(None, max_length=60)
    payer_id: str | None = Field(None, max_length=80)
    subscriber_relationship: SubscriberRelationship | None = None
    subscriber_first_name: str | None = Field(None, max_length=100)
    subscriber_last_name: str | None = Field(None, max_length=100)
    subscriber_date_of_birth: BirthDate | None = None
    subscriber_sex: Sex | None = None


class CoverageEnd(Input):
    reason: str = Field(min_length=1, max_length=300, description="Why the coverage ends (plan ended, new card).")


class EmergencyContact(Input):
    emergency_contact_name: str = Field("", max_length=200)
    emergency_contact_relationship: str = Field("", max_length=60)
    emergency_contact_phone: str = Field("", max_length=40)


class PatientCreate(EmergencyContact):
    first_name: str = Name
    last_name: str = Name
    date_of_birth: BirthDate
    sex: Sex
    phone: str = Field("", max_length=40)
    email: EmailStr | None = None
    address_line: str = Field("", max_length=200)
    city: str = Field("", max_length=100)
    state: str = Field("", max_length=40)
    postal_code: str = Field("", max_length=20)
    coverage: CoverageCreate | None = Field(None, description="The primary payer (its priority is 1).")
    secondary_coverage: CoverageCreate | None = Field(None, description="A second payer (its priority is 2).")


class PatientUpdate(Input):
    first_name: str | None = Field(None, min_length=1, max_length=100)
    last_name: str | None = Field(None, min_length=1, max_length=100)
    date_of_birth: BirthDate | None = None
    sex: Sex | None = None
    phone: str | None = Field(None, max_length=40)
    email: EmailStr | None = None
    address_line: str | None = Field(None, max_length=200)
    city: str | None = Field(None, max_length=100)
    state: str | None = Field(None, max_length=40)
    postal_code: str | None = Field(None, max_length=20)
    emergency_contact_name: str | None = Field(None, max_length=200)
    emergency_contact_relationship: str | None = Field(None, max_length=60)
    emergency_contact_phone: str | None = Field(None, max_length=40)


class CoverageOut(Output):
    id: int
    plan_kind: PlanKind
    payer_name: str
    member_id: str
    group_number: str
    claim_number: str
    payer_id: str
    priority: int
    is_active: bool
    subscriber_relationship: SubscriberRelationship
    subscriber_first_name: str
    subscriber_last_name: str
    subscriber_date_of_birth: date | None
    subscriber_sex: Sex | None
    eligibility_status: str
    eligibility_checked_at: datetime | None


class PatientSummary(Output):
    id: int
    mrn: str
    first_name: str
    last_name: str
    date_of_birth: date
    sex: Sex


class PatientOut(PatientSummary):
    phone: str
    email: str
    address_line: str
    city: str
    state: str
    postal_code: str
    emergency_contact_name: str
    emergency_contact_relationship: str
    emergency_contact_phone: str
    coverages: list[CoverageOut]


# --- people ---------------------------------------------------------------------------------------


class Credentials(Input):
    """An e-mail and a password to log in with; the password is taken exactly as typed, blanks included."""

    email: str = Field(max_length=254)
    password: Annotated[str, StringConstraints(strip_whitespace=False)]


class PersonOut(Output):
    id: int
    full_name: str
    credentials: str
    role: Role


class MeOut(PersonOut):
    email: str
    clinic_id: int
    patient_id: int | None


# --- episodes -------------------------------------------------------------------------------------


ClinicalList = Field("", max_length=2000, description="One item a line.")
NPI = Field("", pattern=r"^(\d{10})?$", description="10 digits with a valid check digit (billing/npi.py).")


class EpisodeDetails(Input):
    """What an episode says besides its diagnoses and team, as a create or an update gives it."""

    summary: str = Field("", max_length=2000)
    onset_date: date | None = None
    surgery_date: date | None = None
    referring_provider_name: str = Field("", max_length=200)
    referring_provider_npi: str = NPI
    referral_date: date | None = None
    precautions: str = ClinicalList
    red_flags: str = ClinicalList
    authorisation_number: str = Field("", max_length=60)
    authorised_visits: int | None = Field(None, ge=1, le=999)
    authorised_from: date | None = None
    authorised_until: date | None = None


class EpisodeCreate(EpisodeDetails):
    condition: Condition
    started_on: date | None = Field(None, description="Defaults to today.")
    diagnoses: list[str] = Field(default_factory=list, description="ICD-10-CM codes, primary first.")
    care_team: list[Id] = Field(default_factory=list, description="User ids of clinicians.")
    lead_id: Id | None = Field(None, description="The care team's lead (a PT or chiropractor); defaults to "
                                                 "the clinician opening the episode.")


class EpisodeUpdate(Input):
    """Fields of an episode to change; a field left out keeps its value."""

    summary: str | None = Field(None, max_length=2000)
    onset_date: date | None = None
    surgery_date: date | None = None
    referring_provider_name: str | None = Field(None, max_length=200)
    referring_provider_npi: str | None = Field(None, pattern=r"^(\d{10})?$")
    referral_date: date | None = None
    precautions: str | None = Field(None, max_length=2000)
    red_flags: str | None = Field(None, max_length=2000)
    authorisation_number: str | None = Field(None, max_length=60)
    authorised_visits: int | None = Field(None, ge=1, le=999)
    authorised_from: date | None = None
    authorised_until: date | None = None


class CareTeamSet(Input):
    """The whole care team at once: its clinicians and which of them leads."""

    members: list[Id] = Field(min_length=1)
    lead_id: Id


class EpisodeDischarge(Input):
    reason: DischargeReason
    note: str = Field("", max_length=2000, description="Required when the reason is 'other'.")
    discharged_on: date | None = Field(None, description="Defaults to today.")


class DiagnosisAdd(Input):
    code: str = Field(min_length=1, max_length=10)


class CareTeamAdd(Input):
    user_id: Id


class DiagnosisOut(Output):
    code: str
    description: str
    position: int


class CareTeamMemberOut(Output):
    user_id: int
    full_name: str
    credentials: str
    role: Role
    is_lead: bool


class EpisodeOut(Output):
    id: int
    patient_id: int
    condition: Condition
    status: EpisodeStatus
    summary: str
    started_on: date
    discharged_on: date | None
    onset_date: date | None
    surgery_date: date | None
    referring_provider_name: str
    referring_provider_npi: str
    referral_date: date | None
    precautions: str
    red_flags: str
    authorisation_number: str
    authorised_visits: int | None
    authorised_from: date | None
    authorised_until: date | None
    discharge_reason: DischargeReason | None
    discharge_note: str
    diagnoses: list[DiagnosisOut]
    care_team: list[CareTeamMemberOut]


# --- appointments ---------------------------------------------------------------------------------

Duration = Field(45, ge=10, le=240, description="Minutes.")


class AppointmentBook(Input):
    patient_id: Id
    provider_id: Id
    location_id: Id
    room_id: Id | None = None
    episode_id: Id | None = None
    starts_at: datetime = Field(description="Naive means the location's local time.")
    duration_min: int = Duration
    kind: AppointmentKind = AppointmentKind.TREATMENT
    reason: str = Field("", max_length=500)


class AppointmentRequest(Input):
    """A patient's request from the portal; the front desk confirms it."""

    starts_at: datetime
    duration_min: int = Duration
    location_id: Id | None = Field(None, description="Defaults to the clinic's first location.")
    provider_id: Id | None = None
    reason: str = Field("", max_length=500)


class AppointmentConfirm(Input):
    provider_id: Id | None = Field(None, description="Required if the request named none.")
    room_id: Id | None = None


class AppointmentReschedule(Input):
    starts_at: datetime
    duration_min: int | None = Field(None, ge=10, le=240)
    provider_id: Id | None = None
    room_id: Id | None = None


class AppointmentCancel(Input):
    """Why the appointment is cancelled; kept on it and shown to the patient."""

    reason: str = Field(min_length=1, max_length=500, description="Required: said in plain words.")
    rest_of_series: bool = Field(False, description="Also cancel the series' later booked appointments.")


class AppointmentNoShow(Input):
    """Why the patient did not come, as far as the clinic knows (e.g. "no answer by phone")."""

    reason: str = Field(min_length=1, max_length=500)


class AppointmentSeriesBook(Input):
    """A recurring series: the same time on chosen weekdays, for a number of weeks or until a date."""

    patient_id: Id
    provider_id: Id
    location_id: Id
    room_id: Id | None = None
    episode_id: Id | None = None
    first_day: date = Field(description="The series starts on this day (its weekday need not be chosen).")
    at: time = Field(description="Local wall-clock time of every appointment.")
    weekdays: list[int] = Field(min_length=1, max_length=7, description="0 = Monday ... 6 = Sunday.")
    weeks: int | None = Field(None, ge=1, le=52)
    until: date | None = None
    duration_min: int = Duration
    kind: AppointmentKind = AppointmentKind.TREATMENT
    reason: str = Field("", max_length=500)

    @field_validator("weekdays")
    @classmethod
    def _days_of_the_week(cls, weekdays: list[int]) -> list[int]:
        if any(not 0 <= day <= 6 for day in weekdays):
            raise ValueError("choose days of the week (Monday to Sunday)")
        return sorted(set(weekdays))

    @model_validator(mode="after")
    def _weeks_or_until(self) -> AppointmentSeriesBook:
        if (self.weeks is None) == (self.until is None):
            raise ValueError("give either a number of weeks or an end date")
        if self.until is not None and self.until < self.first_day:
            raise ValueError("the end date is before the first day; give a later end date")
        return self


class AppointmentOut(Output):
    id: int
    patient_id: int
    patient_name: str
    provider_id: int | None
    provider_name: str | None
    location_id: int
    room_id: int | None
    room_name: str | None
    episode_id: int | None
    kind: AppointmentKind
    status: AppointmentStatus
    starts_at: datetime
    ends_at: datetime
    duration_min: int
    reason: str
    cancel_reason: str
    series_id: int | None


class SeriesOccurrenceOut(BaseModel):
    """One date of a series: booked (with its appointment), or not, and why not."""

    starts_at: datetime
    ends_at: datetime
    booked: bool
    problem: str = Field(description="Why this date cannot be booked as asked; empty when it can.")
    appointment_id: int | None


class AppointmentSeriesOut(BaseModel):
    """A series' outcome date by date; ``series_id`` is null when nothing was booked."""

    series_id: int | None
    pattern: str
    occurrences: list[SeriesOccurrenceOut]


# --- visits ---------------------------------------------------------------------------------------


class VisitCheckIn(Input):
    appointment_id: Id


class VisitActivityAdd(Input):
    activity: Activity
    minutes: int = Field(ge=1, le=480)


class VisitActivityOut(Output):
    id: int
    activity: Activity
    minutes: int


class VisitSummary(Output):
    """What the front desk sees of a visit: that it happened, not what was done."""

    id: int
    patient_id: int
    appointment_id: int | None
    clinician_id: int
    status: VisitStatus
    checked_in_at: datetime
    completed_at: datetime | None


class VisitOut(VisitSummary):
    episode_id: int | None
    activities: list[VisitActivityOut]
    total_minutes: int


# --- outcome measures -----------------------------------------------------------------------------


class AdministrationCreate(Input):
    """One administration: the answers, and the body facts the patient record does not hold."""

    responses: Any = Field(description="Item answers in order (null if missing), or the timed/counted object.")
    height_cm: float | None = Field(None, gt=50, le=250)
    weight_kg: float | None = Field(None, gt=10, le=400)


class AdministrationOut(Output):
    id: int
    patient_id: int
    episode_id: int | None
    visit_id: int | None
    measure_id: str
    source: AdministrationSource
    score: float | None
    computable: bool
    result: dict[str, Any]
    administered_at: datetime
    recorded_by_id: int


class GoalSet(Input):
    target: float = Field(description="The score the episode aims for, in the measure's unit.")


class QuestionnaireRequestCreate(Input):
    measure_ids: list[str] = Field(min_length=1, max_length=12)


# --- audit ----------------------------------------------------------------------------------------


class AuditEventOut(Output):
    id: int
    at: datetime
    actor: str
    user_id: int | None
    patient_id: int | None
    action: AuditAction
    resource_type: str
    resource_id: str
    detail: str
    ip_address: str
    user_agent: str
    changes: dict[str, list[Any]] | None


class BalanceTrialOut(Output):
    """A stored force-plate trial: its condition, the raw file's fingerprint and the full analysis."""

    id: int
    patient_id: int
    episode_id: int | None
    visit_id: int
    filename: str
    sha256: str
    size_bytes: int
    vision: Vision
    surface: Surface
    stance: Stance
    preset: str
    height_cm: float | None
    mean_velocity_cm_s: float
    ellipse_area_cm2: float
    equilibrium_score: float | None
    result: dict[str, Any]
    recorded_at: datetime
    recorded_by_id: int


class JobProgress(BaseModel):
    """How far a job has got: ``done`` of ``total`` (frames posed, trials analysed; 0 of 0 when not
    counted) and the stage in words."""

    done: int
    total: int
    text: str


class JobResult(BaseModel):
    """What a finished job kept: the kind of record, its ids and where to read them."""

    type: str
    ids: list[int]
    url: str


class JobOut(BaseModel):
    """A background job: queued, running (with its progress), done (with what it kept) or failed (with
    the reason, for the clinician). Poll ``GET /api/v1/jobs/{id}`` until ``status`` is done or failed."""

    id: int
    kind: JobKind
    status: JobStatus
    visit_id: int
    files: list[str]
    progress: JobProgress
    result: JobResult | None
    error: str | None
    created_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, job: Job) -> JobOut:
        result = None
        if job.result:
            first = job.result["ids"][0]
            url = {"movement_recording": f"/api/v1/movement-recordings/{first}",
                   "emg_recording": f"/api/v1/emg-recordings/{first}"}.get(
                job.result["type"], f"/api/v1/visits/{job.visit_id}/balance-trials")
            result = JobResult(type=job.result["type"], ids=job.result["ids"], url=url)
        return cls(id=job.id, kind=job.kind, status=job.status, visit_id=job.visit_id,
                   files=[f.filename for f in job.files],
                   progress=JobProgress(done=job.progress_done, total=job.progress_total, text=job.progress_text),
                   result=result, error=job.error, created_at=job.created_at, finished_at=job.finished_at)


class MovementRecordingOut(Output):
    """A stored movement recording: kind, the raw file's fingerprint, options and the full analysis.

    ``result`` holds the CLI's JSON: ``movement`` (``video analyze``) and ``gait`` (``video gait``, or
    ``gait analyze`` for an IMU file), and ``gait_not_measured`` with the reason when a clip shows no gait.
    """

    id: int
    patient_id: int
    episode_id: int | None
    visit_id: int
    kind: MovementKind
    filename: str
    sha256: str
    size_bytes: int
    options: dict[str, Any]
    cadence_steps_per_min: float | None
    gait_speed_m_s: float | None
    result: dict[str, Any]
    recorded_at: datetime
    recorded_by_id: int


EmgMethod = Literal["auto", "hodges_bui", "bonato", "tkeo"]
EmgUnit = Literal["V", "mV", "uV"]
MuscleName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
MAX_EMG_CHANNELS = 64
"""Most channels named in one EMG upload (a 64-channel array is the largest surface setup in use)."""


class EmgOptions(Input):
    """How a surface-EMG file is read and analysed, as the upload form and the API give it.

    ``channels``: ``label``, ``label=muscle`` or a bipolar pair ``A-B=muscle`` (every EMG channel of the file,
    named as the file names it, when empty); ``rate_hz`` and ``units`` only for a file that does not state
    them (CSV, MATLAB); ``rest_s``: a rest moment (start, end in s) to calibrate onsets from, else one is found;
    muscles are timed against ``triggers_s`` (s from the start) or a ``reference`` muscle, not both;
    ``pairs``: (agonist, antagonist) for the co-contraction index; ``sides``: (left, right) of one muscle;
    ``mvc_recording_id``: an earlier recording of the same patient marked ``is_mvc``, whose file is read
    again for each muscle's maximal level (amplitudes then in %MVC)."""

    channels: list[MuscleName] = Field(default_factory=list, max_length=MAX_EMG_CHANNELS)
    rate_hz: float | None = Field(None, ge=100, le=20_000)
    units: EmgUnit | None = None
    method: EmgMethod = "auto"
    rest_s: tuple[float, float] | None = None
    triggers_s: list[Annotated[float, Field(ge=0)]] = Field(default_factory=list, max_length=1000)
    reference: MuscleName | None = None
    pairs: list[tuple[MuscleName, MuscleName]] = Field(default_factory=list, max_length=32)
    sides: list[tuple[MuscleName, MuscleName]] = Field(default_factory=list, max_length=32)
    mvc_recording_id: Id | None = None
    is_mvc: bool = False

    @field_validator("channels")
    @classmethod
    def _channel_named(cls, value: list[str]) -> list[str]:
        for channel in value:
            label, equals, muscle = channel.partition("=")
            if not label.strip() or (equals and not muscle.strip()):
                raise ValueError(f"{channel!r}: give the file's channel label, then = and the muscle "
                                 "(e.g. EMG1=Biceps brachii)")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> EmgOptions:
        if self.rest_s is not None and not 0 <= self.rest_s[0] < self.rest_s[1]:
            raise ValueError("the rest moment runs from its start to a later end, in seconds from the start")
        if self.triggers_s and self.reference:
            raise ValueError("time the muscles against trigger times or a reference muscle, not both")
        for first, second in (*self.pairs, *self.sides):
            if first == second:
                raise ValueError(f"a pair names two different muscles, not {first} twice")
        named = self.muscles()
        if named:
            used = [n for pair in (*self.pairs, *self.sides) for n in pair] + ([self.reference] if self.reference else [])
            unknown = [n for n in used if n not in named]
            if unknown:
                raise ValueError(f"{unknown[0]} is not one of the muscles named on the channels "
                                 f"({', '.join(named)})")
            if len(set(named)) != len(named):
                raise ValueError("two channels are given the same muscle; name each once")
        return self

    def muscles(self) -> list[str]:
        """The muscles as the channels name them (empty when the file's own names are kept)."""
        return [(muscle or label).strip() for label, _, muscle in (c.partition("=") for c in self.channels)]


class EmgRecordingOut(Output):
    """A stored surface-EMG recording: the raw file's fingerprint, the options it was read and analysed
    with, and the analysis: ``result`` is the CLI's JSON (``reeducate emg analyze --json``): each channel's
    bursts with onset, offset, amplitude (and %MVC), median frequency and fatigue trend, the firing order
    with the pairs too close to order, latencies, co-contraction and left/right comparison, and warnings."""

    id: int
    patient_id: int
    episode_id: int | None
    visit_id: int
    filename: str
    sha256: str
    size_bytes: int
    options: dict[str, Any]
    duration_s: float
    channel_count: int
    result: dict[str, Any]
    recorded_at: datetime
    recorded_by_id: int


class ExerciseRecordOut(Output):
    """One exercise done live in a visit: the engine's summary (repetitions, scores, faults, cues, holds,
    active seconds), any pain that stopped it, and whether a therapist resumed after severe pain."""

    id: int
    patient_id: int
    visit_id: int
    exercise_id: str
    monitor: str
    side: str | None
    source: str
    status: ExerciseStatus
    started_at: datetime
    ended_at: datetime | None
    repetitions: int
    holds_completed: int | None
    mean_score: float | None
    active_s: float
    summary: dict[str, Any]
    pain_score: int | None
    pain_at_s: float | None
    pain_reported_by: str | None
    regress: bool
    resumed_at: datetime | None
    started_by_id: int


class TrainingResumed(BaseModel):
    """How many severe pain reports a resumption resolved."""

    resolved: int


# --- administration -------------------------------------------------------------------------------


class StaffCreate(Input):
    """A new staff account: its role, and for a clinician the credentials and NPI a claim names."""

    email: EmailStr
    full_name: str = Field(min_length=1, max_length=200)
    role: Role
    credentials: str = Field("", max_length=40)
    npi: str = Field("", max_length=10)
    password: str = Field(max_length=256)


class StaffUpdate(Input):
    """What an administrator changes about an account (its e-mail and password have their own ways)."""

    full_name: str = Field(min_length=1, max_length=200)
    role: Role
    credentials: str = Field("", max_length=40)
    npi: str = Field("", max_length=10)


class ClinicSettingsUpdate(Input):
    """The clinic's name, its billing identity (the 837P's billing provider) and supervision setting."""

    name: str = Field(min_length=1, max_length=200)
    npi: str = Field("", max_length=10)
    tax_id: str = Field("", pattern=r"^(\d{2}-?\d{7})?$")
    billing_address: str = Field("", max_length=200)
    billing_city: str = Field("", max_length=100)
    billing_state: str = Field("", pattern=r"^([A-Z]{2})?$")
    billing_postal_code: str = Field("", pattern=r"^(\d{5}(-?\d{4})?)?$")
    billing_phone: str = Field("", max_length=40)
    pta_notes_need_cosignature: bool = False


class LocationInput(Input):
    """A site: its name, address and IANA time zone (e.g. America/Chicago)."""

    name: str = Field(min_length=1, max_length=200)
    address: str = Field("", max_length=400)
    timezone: str = Field(min_length=1, max_length=64)
