"""The demo clinic: a realistic, fictional practice to show the product (``reeducate demo``).

Seeding goes through the same services as real use, so the demo obeys every rule (opening hours, no
double booking, billable ICD-10-CM codes). It is deterministic (one seeded random generator) and
idempotent: when the demo clinic exists, nothing is changed. The care planning and its paperwork
(evaluation note, problems, goals, plan of care, certification, reports, a discharge) of the patients
that show it are :mod:`reeducate.clinic.demo_plan`'s.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from reeducate.billing.npi import with_check_digit
from reeducate.clinic import demo_home, demo_plan, demo_showcase
from reeducate.clinic.access import Actor
from reeducate.clinic.errors import ClinicError
from reeducate.clinic.models import Appointment, Clinic, Location, User, Visit
from reeducate.clinic.recording_store import RecordingStore
from reeducate.clinic.schemas import (
    AdministrationCreate,
    AppointmentBook,
    CoverageCreate,
    EpisodeCreate,
    EpisodeUpdate,
    PatientCreate,
    SubscriberFields,
    VisitActivityAdd,
)
from reeducate.clinic.services import balance, episodes, measures, patients, scheduling, visits
from reeducate.clinic.services.organisation import add_location, create_clinic
from reeducate.clinic.services.users import create_user
from reeducate.clinic.vocabulary import (
    CLINICIANS,
    Activity,
    AppointmentKind,
    Condition,
    PlanKind,
    Role,
    Sex,
    SubscriberRelationship,
)
from reeducate.example_data import ExampleDataMissing, fetch
from reeducate.measures import catalogue
from reeducate.signals.posturography.clinical import Condition as BalanceCondition
from reeducate.signals.posturography.clinical import Surface, Vision

DEMO_SLUG = "riverside-demo"
DEMO_PASSWORD = "reeducate-demo-clinic"
DEMO_TIMEZONE = "America/Chicago"
_SEED = 20261121


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: Role
    name: str


@dataclass(frozen=True)
class _Person:
    first: str
    last: str
    born: date
    sex: Sex
    condition: Condition
    codes: tuple[str, ...]
    plan: PlanKind
    payer: str
    weeks_in_care: int
    team: tuple[str, ...]
    summary: str
    portal: bool = False
    precautions: str = ""
    red_flags: str = ""
    authorisation_left: int | None = None
    """Demo data only: the payer authorised this many visits more than were made (few: the warning shows)."""

    @property
    def case(self) -> demo_plan.Case | None:
        """The patient's care planning and paperwork, if the demo shows it (:mod:`.demo_plan`)."""
        return demo_plan.CASES.get(self.last)

    @property
    def discharged(self) -> bool:
        """Whether the demo shows this patient's episode ended (no bookings this week)."""
        return self.case is not None and self.case.discharge is not None


_STAFF = (
    ("admin@riverside.example", "Priya Shah", Role.ADMIN, ""),
    ("pt@riverside.example", "Jordan Rivera", Role.PHYSICAL_THERAPIST, "PT, DPT"),
    ("pta@riverside.example", "Sam Okafor", Role.PT_ASSISTANT, "PTA"),
    ("dc@riverside.example", "Maya Chen", Role.CHIROPRACTOR, "DC"),
    ("desk@riverside.example", "Alex Morgan", Role.FRONT_DESK, ""),
)

_PT, _PTA, _DC = "pt@riverside.example", "pta@riverside.example", "dc@riverside.example"

_PATIENTS = (
    _Person("Ana", "Alvarez", date(1958, 3, 14), Sex.FEMALE, Condition.KNEE_REPLACEMENT,
            ("Z47.1", "Z96.651"), PlanKind.MEDICARE, "Medicare Part B", 5, (_PT, _PTA),
            "Right total knee arthroplasty; quadriceps lag and stair difficulty.", portal=True),
    _Person("Robert", "Kim", date(1949, 9, 2), Sex.MALE, Condition.HIP_REPLACEMENT,
            ("Z47.1", "Z96.641"), PlanKind.MEDICARE, "Medicare Part B", 3, (_PT,),
            "Right total hip arthroplasty, posterior approach; Trendelenburg gait.",
            precautions="No hip flexion past 90°\nNo crossing the legs",
            red_flags="Report new numbness in the right leg\nReport calf pain or swelling", authorisation_left=2),
    _Person("Jasmine", "Patel", date(2001, 6, 21), Sex.FEMALE, Condition.ACL_RECONSTRUCTION,
            ("S83.512D",), PlanKind.COMMERCIAL, "Blue Prairie Health", 8, (_PT,),
            "Left ACL reconstruction (hamstring graft); return-to-sport goal: soccer."),
    _Person("Marcus", "Johnson", date(1975, 11, 5), Sex.MALE, Condition.SHOULDER_REPAIR,
            ("S46.011D",), PlanKind.COMMERCIAL, "Heartland Mutual", 6, (_PT, _PTA),
            "Right rotator cuff repair; scapular dyskinesis on overhead reach."),
    _Person("Emily", "Nguyen", date(1990, 2, 11), Sex.FEMALE, Condition.WHIPLASH,
            ("S13.4XXA", "M54.2"), PlanKind.AUTO_PIP, "Lakeshore Auto PIP", 4, (_DC, _PT),
            "Rear-end collision; neck pain, dizziness, poor cervical joint position sense."),
    _Person("David", "Thompson", date(1983, 8, 30), Sex.MALE, Condition.MOTOR_VEHICLE_INJURY,
            ("S33.5XXA",), PlanKind.AUTO_PIP, "Lakeshore Auto PIP", 2, (_DC,),
            "Side-impact collision; lumbar sprain, guarded trunk movement."),
    _Person("Linda", "Garcia", date(1966, 4, 17), Sex.FEMALE, Condition.CHRONIC_LOW_BACK_PAIN,
            ("M54.50", "G89.29"), PlanKind.COMMERCIAL, "Blue Prairie Health", 7, (_PT, _DC),
            "Low back pain for three years; fear of bending, poor lumbopelvic control."),
    _Person("James", "Wilson", date(1971, 12, 8), Sex.MALE, Condition.SCIATICA,
            ("M51.16", "M54.41"), PlanKind.WORKERS_COMP, "State Workers' Comp Fund", 4, (_PT,),
            "Lifting injury at work; right-leg radicular pain, antalgic gait."),
    _Person("Susan", "Miller", date(1979, 7, 23), Sex.FEMALE, Condition.NECK_PAIN,
            ("M54.2",), PlanKind.COMMERCIAL, "Heartland Mutual", 3, (_DC, _PT),
            "Desk worker; forward head posture, deep neck flexor endurance low."),
    _Person("Dorothy", "Brown", date(1941, 1, 29), Sex.FEMALE, Condition.FALL_RISK,
            ("R26.81", "Z91.81"), PlanKind.MEDICARE, "Medicare Part B", 6, (_PT, _PTA),
            "Two falls this year; slow TUG, fear of falling.", portal=True),
    _Person("George", "Davis", date(1954, 10, 12), Sex.MALE, Condition.STROKE,
            ("I69.351",), PlanKind.MEDICARE, "Medicare Part B", 9, (_PT, _PTA),
            "Left MCA stroke with right hemiparesis; foot drop and weight shift to the left."),
    _Person("Tyler", "Brooks", date(2004, 5, 3), Sex.MALE, Condition.SPORTS_INJURY,
            ("S93.401A",), PlanKind.SELF_PAY, "Self-pay", 1, (_PT,),
            "Lateral ankle sprain in basketball; single-leg balance deficit."),
    _Person("Walter", "Green", date(1964, 2, 9), Sex.MALE, Condition.CHRONIC_LOW_BACK_PAIN,
            ("M54.50", "G89.29"), PlanKind.COMMERCIAL, "Heartland Mutual", 6, (_PT,),
            "Warehouse supervisor; low back pain for two years, worse lifting."),
)

_EMERGENCY_CONTACTS = {
    "Alvarez": ("Luis Alvarez", "Husband", "(217) 555-0311"), "Kim": ("Grace Kim", "Daughter", "(217) 555-0312"),
    "Patel": ("Nina Patel", "Mother", "(217) 555-0313"), "Johnson": ("Tanya Johnson", "Wife", "(217) 555-0314"),
    "Nguyen": ("Bao Nguyen", "Brother", "(217) 555-0315"), "Thompson": ("Kate Thompson", "Wife", "(217) 555-0316"),
    "Garcia": ("Carlos Garcia", "Husband", "(217) 555-0317"), "Wilson": ("Ruth Wilson", "Sister", "(217) 555-0318"),
    "Miller": ("Owen Miller", "Husband", "(217) 555-0319"), "Brown": ("Helen Brown", "Daughter", "(217) 555-0320"),
    "Davis": ("Martha Davis", "Wife", "(217) 555-0321"), "Brooks": ("Dana Brooks", "Mother", "(217) 555-0322"),
    "Green": ("Irene Green", "Wife", "(217) 555-0323"),
}
"""Each demo patient's emergency contact: name, relationship, phone (made up, as the patients are)."""
_SPOUSE_SUBSCRIBERS = {"Garcia": ("Carlos", "Garcia", date(1963, 9, 21), Sex.MALE)}
"""Demo patients insured through their spouse's plan: the subscriber's first and last name, birth date, sex."""

_ACTIVITY_MIX = {
    Role.PHYSICAL_THERAPIST: (Activity.NEUROMUSCULAR_REEDUCATION, Activity.THERAPEUTIC_EXERCISE,
                              Activity.MANUAL_THERAPY, Activity.GAIT_TRAINING),
    Role.PT_ASSISTANT: (Activity.NEUROMUSCULAR_REEDUCATION, Activity.THERAPEUTIC_EXERCISE,
                        Activity.GAIT_TRAINING),
    Role.CHIROPRACTOR: (Activity.CHIROPRACTIC_MANIPULATION, Activity.NEUROMUSCULAR_REEDUCATION,
                        Activity.THERAPEUTIC_EXERCISE),
}


def demo_logins() -> list[DemoLogin]:
    """Who can log in to the demo clinic (all with :data:`DEMO_PASSWORD`)."""
    staff = [DemoLogin(email, role, name) for email, name, role, _ in _STAFF]
    portal = [DemoLogin(_patient_email(p), Role.PATIENT, f"{p.first} {p.last}") for p in _PATIENTS if p.portal]
    return staff + portal


def _patient_email(person: _Person) -> str:
    return f"{person.first.lower()}.{person.last.lower()}@riverside.example"


def seed_demo(session: Session, store: RecordingStore, *, today: date | None = None) -> bool:
    """Create the demo clinic unless it exists; returns True if it was created now.

    Fall-risk patients get force-plate trials (the four mCTSIB conditions) at their retests, kept in
    ``store``; the last retest is the showcase visit (:mod:`reeducate.clinic.demo_showcase`). A recording
    missing from the example data raises ``ExampleDataMissing``: the demo never leaves a part out."""
    if session.scalar(select(Clinic).where(Clinic.slug == DEMO_SLUG)) is not None:
        return False
    _require_recordings()
    zone = ZoneInfo(DEMO_TIMEZONE)
    today = today or datetime.now(zone).date()
    rng = random.Random(_SEED)
    clinic = create_clinic(session, name="Riverside Neuromuscular Rehab", slug=DEMO_SLUG)
    weekday_hours = [(time(7, 0), time(19, 0))]
    location = add_location(
        session, clinic, name="Riverside Main Street", timezone=DEMO_TIMEZONE,
        address="120 Main Street, Springfield, IL 62701",
        hours={**{d: weekday_hours for d in range(5)}, 5: [(time(8, 0), time(12, 0))]},
        rooms=("Gym", "Balance lab", "Treatment room 1", "Treatment room 2"),
    )
    seeder = Actor.system("demo seed")
    staff = {
        email: create_user(session, seeder, clinic=clinic, email=email, full_name=name, role=role,
                           password=DEMO_PASSWORD, credentials=creds)
        for email, name, role, creds in _STAFF
    }
    _make_billable(clinic, staff)
    desk = Actor.of(staff["desk@riverside.example"], user_agent="demo seed")
    caseload = []
    seeded: dict[str, tuple[int, int]] = {}
    for person in _PATIENTS:
        patient_id, episode_id = _seed_patient(
            session, rng, clinic, location, staff, desk, person, today, zone, store
        )
        seeded[person.last] = patient_id, episode_id
        if not person.discharged:
            caseload.append((patient_id, episode_id, [staff[email] for email in person.team]))
    _seed_week(session, rng, location, desk, caseload, today, zone)
    pt = Actor.of(staff[_PT], user_agent="demo seed")
    demo_home.seed_dorothy(session, rng, pt, Actor.of(staff[_PTA], user_agent="demo seed"), *seeded["Brown"], today,
                           zone)
    demo_home.seed_not_started(session, pt, seeded["Alvarez"][1], today, zone)
    return True


DEMO_FEES = {"97161": "150.00", "97162": "170.00", "97163": "190.00", "97164": "110.00", "97112": "62.00",
             "97110": "55.00", "97116": "55.00", "97140": "50.00", "97530": "60.00", "97535": "55.00",
             "98940": "55.00", "98941": "70.00", "98942": "85.00", "98975": "22.00", "98977": "50.00",
             "98985": "45.00", "98979": "30.00", "98980": "55.00", "98981": "45.00"}
"""The demo clinic's own charges per unit (a business choice, not a clinical or Medicare figure)."""


def _make_billable(clinic: Clinic, staff: dict[str, User]) -> None:
    """The demo clinic's billing identity: made-up NPIs with valid check digits, a tax ID, ZIP+4, fees."""
    clinic.npi, clinic.tax_id = with_check_digit("199999999"), "36-0000000"
    clinic.billing_address, clinic.billing_city, clinic.billing_state = "120 Main Street", "Springfield", "IL"
    clinic.billing_postal_code, clinic.billing_phone = "62701-0001", "(217) 555-0100"
    clinic.fee_schedule = dict(DEMO_FEES)
    for number, user in enumerate(staff.values(), start=1):
        if user.role in CLINICIANS:
            user.npi = with_check_digit(f"19999{number:04d}")


def _seed_patient(session: Session, rng: random.Random, clinic: Clinic, location: Location,
                  staff: dict[str, User], desk: Actor, person: _Person, today: date,
                  zone: ZoneInfo, store: RecordingStore) -> tuple[int, int]:
    """Register one patient with coverage, an episode and past visits; returns (patient, episode)."""
    contact, relationship, contact_phone = _EMERGENCY_CONTACTS[person.last]
    spouse = _SPOUSE_SUBSCRIBERS.get(person.last)
    subscriber = SubscriberFields() if spouse is None else SubscriberFields(
        subscriber_relationship=SubscriberRelationship.SPOUSE, subscriber_first_name=spouse[0],
        subscriber_last_name=spouse[1], subscriber_date_of_birth=spouse[2], subscriber_sex=spouse[3])
    patient = patients.create(session, desk, PatientCreate(
        first_name=person.first, last_name=person.last, date_of_birth=person.born, sex=person.sex,
        phone=f"(217) 555-{rng.randrange(100, 9999):04d}", email=_patient_email(person),
        address_line=f"{rng.randrange(10, 999)} {rng.choice(['Oak', 'Elm', 'Maple', 'Cedar'])} Street",
        city="Springfield", state="IL", postal_code="62704", emergency_contact_name=contact,
        emergency_contact_relationship=relationship, emergency_contact_phone=contact_phone,
        coverage=CoverageCreate(
            **subscriber.model_dump(), plan_kind=person.plan, payer_name=person.payer,
            member_id="" if person.plan is PlanKind.SELF_PAY else f"{rng.randrange(10**9, 10**10)}",
            claim_number=f"CLM-{rng.randrange(10**5, 10**6)}"
            if person.plan in (PlanKind.AUTO_PIP, PlanKind.WORKERS_COMP) else "",
        ),
    ))
    patient.coverages[0].payer_id = "" if person.plan is PlanKind.SELF_PAY else f"DEMO-{person.plan.value.upper()}"
    if person.portal:
        create_user(session, Actor.system("demo seed"), clinic=clinic, email=_patient_email(person),
                    full_name=f"{person.first} {person.last}", role=Role.PATIENT,
                    password=DEMO_PASSWORD, patient=patient)
    lead = staff[person.team[0]]
    case = person.case
    until = today - timedelta(weeks=case.discharge.weeks_ago) if case and case.discharge else today
    started_on = until - timedelta(weeks=person.weeks_in_care)
    surgical = person.condition in (Condition.KNEE_REPLACEMENT, Condition.HIP_REPLACEMENT,
                                    Condition.ACL_RECONSTRUCTION, Condition.SHOULDER_REPAIR)
    episode = episodes.create(session, Actor.of(lead, user_agent="demo seed"), patient.id, EpisodeCreate(
        condition=person.condition, summary=person.summary, started_on=started_on,
        onset_date=started_on - timedelta(days=rng.randrange(7, 40)),
        surgery_date=started_on - timedelta(days=rng.randrange(5, 15)) if surgical else None,
        referring_provider_name=rng.choice(["Dr. Helen Ortiz, MD", "Dr. Kwame Asante, DO",
                                            "Dr. Rachel Stein, MD"]),
        referring_provider_npi=with_check_digit(f"{rng.randrange(10**8, 10**9)}"),
        diagnoses=list(person.codes),
        care_team=[staff[email].id for email in person.team],
        precautions=person.precautions, red_flags=person.red_flags,
    ))
    # Past visits: about two a week from the start of care until yesterday; the first evaluates,
    # and the condition's outcome measure is retaken at the evaluation and every fourth visit.
    measure_id, first_score, step = _DEMO_MEASURES.get(person.condition, (None, 0, 0))
    # A patient whose plan of care the demo shows keeps to it (twice a week), so their 10th treatment
    # day, and the progress report written on it, come whatever day the demo is seeded.
    days = _twice_weekly(started_on, until) if case else _visit_days(rng, started_on, until)
    last_retest = (len(days) - 1) // 4 * 4
    treated: list[tuple[Visit, datetime]] = []
    planner = Actor.of(lead, user_agent="demo seed")
    for count, day in enumerate(days):
        kind = AppointmentKind.EVALUATION if count == 0 else AppointmentKind.TREATMENT
        retest, trials = None, None
        # A case's progress report retakes the measure on its day (the 10th treatment day) as well.
        for_report = case is not None and case.progress_report and count == demo_plan.PROGRESS_REPORT_DAY - 1
        if measure_id and (count % 4 == 0 or for_report):
            retest = (measure_id, first_score + step * count / 4 + rng.choice((-1, 0, 1)))
            if person.condition is Condition.FALL_RISK and count % 4 == 0:
                trials = _demo_trials(count // 4)
        showcase = trials is not None and count == last_retest
        # The evaluation and the showcase visit are the lead therapist's: they sign what they bill.
        clinician = lead if count == 0 or showcase else staff[rng.choice(person.team)]
        seeded = _seed_past_visit(session, rng, location, clinician, desk, patient.id, episode.id, day, zone, kind,
                                  store, retest, trials, showcase=showcase, therapist=lead,
                                  also_measured=case.also_measured if case and count == 0 else ())
        if seeded is None or case is None:
            continue
        visit, ended_at = seeded[0], seeded[1].astimezone(zone)
        treated.append((visit, ended_at))
        if count == 0:
            demo_plan.evaluate(session, planner, case, visit, ended_at=ended_at)
        elif for_report:
            demo_plan.report_progress(session, planner, case, visit, ended_at=ended_at)
    if case is not None and treated:
        demo_plan.certify(session, desk, case, episode.id, treated[0][1].date(), today=today)
        if case.discharge is not None:
            demo_plan.discharge(session, planner, case, episode.id, ended=treated[-1][1], today=today)
    if person.authorisation_left is not None:
        _authorise(session, Actor.of(lead, user_agent="demo seed"), episode.id, person.authorisation_left, today)
    return patient.id, episode.id


def _authorise(session: Session, lead: Actor, episode_id: int, left: int, today: date) -> None:
    """The payer's authorisation of the episode, for three weeks more: ``left`` visits more than made so far."""
    started_on = episodes.get(session, lead, episode_id).started_on
    episode = episodes.update(session, lead, episode_id, EpisodeUpdate(
        authorised_from=started_on, authorised_until=today + timedelta(weeks=3)), today=today)
    use = episodes.authorisation_use(session, lead, episode, today=today)
    assert use is not None
    episodes.update(session, lead, episode_id, EpisodeUpdate(
        authorisation_number=f"PA-{episode.started_on:%y%m%d}-{episode_id:04d}",
        authorised_visits=use.visits_used + left), today=today)


def _visit_days(rng: random.Random, first: date, today: date) -> list[date]:
    """Weekdays from ``first`` until before ``today``, two to four days apart."""
    days, day = [], first
    while day < today:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=rng.choice((2, 3, 4)))
    return days


def _twice_weekly(first: date, until: date) -> list[date]:
    """Two visits a week from ``first`` until before ``until``, three then four days apart; a visit that
    falls on a weekend moves to the Monday after."""
    days: list[date] = []
    for offset in range(0, (until - first).days, 7):
        for day in (first + timedelta(days=offset), first + timedelta(days=offset + 3)):
            day += timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)
            if day < until and (not days or day > days[-1]):
                days.append(day)
    return days


_DEMO_MEASURES: dict[Condition, tuple[str, float, float]] = {
    Condition.FALL_RISK: ("berg", 38, 3),
    Condition.STROKE: ("berg", 30, 3),
    Condition.CHRONIC_LOW_BACK_PAIN: ("odi", 44, -6),
    Condition.SCIATICA: ("odi", 52, -8),
    Condition.MOTOR_VEHICLE_INJURY: ("odi", 36, -4),
    Condition.WHIPLASH: ("ndi", 24, -3),
    Condition.NECK_PAIN: ("ndi", 18, -2),
    Condition.KNEE_REPLACEMENT: ("lefs", 28, 6),
    Condition.HIP_REPLACEMENT: ("lefs", 32, 6),
    Condition.ACL_RECONSTRUCTION: ("lefs", 40, 5),
    Condition.SPORTS_INJURY: ("lefs", 50, 5),
}
"""Demo data only: the measure each condition's chart shows, its first score and change per retest."""


_DEMO_TRIALS = (  # Santos & Duarte 2016 (BDS), steadier from one retest to the next: subject 14 (75 y,
    # sways a lot), then subject 4 (62 y), then subject 1 (33 y); example_data/posturography/README.md
    (("BDS00160.txt", Vision.OPEN, Surface.FIRM), ("BDS00157.txt", Vision.CLOSED, Surface.FIRM),
     ("BDS00166.txt", Vision.OPEN, Surface.FOAM), ("BDS00163.txt", Vision.CLOSED, Surface.FOAM)),
    (("BDS00037.txt", Vision.OPEN, Surface.FIRM), ("BDS00046.txt", Vision.CLOSED, Surface.FIRM),
     ("BDS00040.txt", Vision.OPEN, Surface.FOAM), ("BDS00043.txt", Vision.CLOSED, Surface.FOAM)),
    (("BDS00001.txt", Vision.OPEN, Surface.FIRM), ("BDS00004.txt", Vision.CLOSED, Surface.FIRM),
     ("BDS00007.txt", Vision.OPEN, Surface.FOAM), ("BDS00010.txt", Vision.CLOSED, Surface.FOAM)),
)
"""Demo data only: real recordings of other people, standing in for a fall-risk patient's retests."""

_DEMO_HEIGHT_CM = 162
"""Demo data only: the fall-risk patient's height, for the engines that scale by it."""


def _require_recordings() -> None:
    """Every example recording the demo reads is here and intact, or one error naming all that are not."""
    names = [name for trials in _DEMO_TRIALS for name, _, _ in trials] + list(demo_showcase.RECORDINGS)
    missing = []
    for name in names:
        try:
            fetch(name)
        except ExampleDataMissing as error:
            missing.append(str(error))
    if missing:
        raise ExampleDataMissing("The demo clinic needs these example recordings:\n" + "\n".join(missing))


def _demo_trials(retest: int) -> list[balance.TrialUpload]:
    """The four mCTSIB trials of the demo's ``retest``-th balance test (0: at the evaluation)."""
    return [balance.TrialUpload(name, fetch(name).read_bytes(), BalanceCondition(vision, surface))
            for name, vision, surface in _DEMO_TRIALS[min(retest, len(_DEMO_TRIALS) - 1)]]


def _demo_answers(measure_id: str, score: float) -> list[int]:
    """Item answers that add up to ``score`` (ODI: the percentage of 50), spread over the items."""
    instrument = catalogue.get(measure_id)
    count, top = len(instrument.items), int(instrument.items[0].max)
    total = round(score / 2) if measure_id == "odi" else round(score)
    total = max(0, min(total, count * top))
    return [total // count + (1 if i < total % count else 0) for i in range(count)]


def _free_slot(session: Session, rng: random.Random, location: Location, provider: User,
               desk: Actor, patient_id: int, day: date, zone: ZoneInfo, kind: AppointmentKind,
               episode_id: int | None, booked_at: datetime) -> Appointment | None:
    """Book a free slot on ``day`` at a random hour; None if no hour of the day is free."""
    hours = [h for h in location.opening_hours if h.weekday == day.weekday()]
    if not hours:
        return None
    candidates = list(range(hours[0].opens_at.hour, hours[0].closes_at.hour - 1))
    rng.shuffle(candidates)
    for hour in candidates:
        try:
            return scheduling.book(session, desk, AppointmentBook(
                patient_id=patient_id, provider_id=provider.id, location_id=location.id,
                room_id=rng.choice(location.rooms).id, episode_id=episode_id,
                starts_at=datetime.combine(day, time(hour, rng.choice((0, 30))), zone),
                duration_min=60 if kind is AppointmentKind.EVALUATION else 45, kind=kind,
            ), now=booked_at)
        except ClinicError:
            continue  # a refused booking stores nothing: try the next hour
    return None


def _seed_past_visit(session: Session, rng: random.Random, location: Location, clinician: User,
                     desk: Actor, patient_id: int, episode_id: int, day: date, zone: ZoneInfo,
                     kind: AppointmentKind, store: RecordingStore, retest: tuple[str, float] | None,
                     trials: list[balance.TrialUpload] | None, *, showcase: bool, therapist: User,
                     also_measured: tuple[tuple[str, dict[str, float]], ...] = ()) -> tuple[Visit, datetime] | None:
    """One past visit booked, checked in, treated and completed; the visit and when it ended (None if no
    hour of the day was free)."""
    booked_at = datetime.combine(day - timedelta(days=7), time(9), zone)
    appointment = _free_slot(session, rng, location, clinician, desk, patient_id, day, zone, kind,
                             episode_id, booked_at)
    if appointment is None:
        return None
    visit = visits.check_in(session, desk, appointment.id,
                            now=appointment.starts_at - timedelta(minutes=5))
    actor = Actor.of(clinician, user_agent="demo seed")
    mix = _ACTIVITY_MIX[clinician.role]
    if kind is AppointmentKind.EVALUATION:
        visits.add_activity(session, actor, visit.id, VisitActivityAdd(activity=Activity.EVALUATION, minutes=30))
    minutes = demo_showcase.ACTIVITY_MINUTES if showcase else \
        [(activity, rng.choice((8, 12, 15, 20, 23))) for activity in rng.sample(mix, 2)]
    for activity, spent in minutes:
        visits.add_activity(session, actor, visit.id, VisitActivityAdd(activity=activity, minutes=spent))
    if retest is not None:
        measures.record_in_visit(session, actor, visit.id, retest[0],
                                 AdministrationCreate(responses=_demo_answers(*retest)),
                                 now=appointment.starts_at + timedelta(minutes=10))
    for minute, (measure_id, responses) in enumerate(also_measured, start=11):
        measures.record_in_visit(session, actor, visit.id, measure_id, AdministrationCreate(responses=responses),
                                 now=appointment.starts_at + timedelta(minutes=minute))
    if trials:
        kept = balance.upload_trials(session, actor, visit.id, trials, store, height_cm=_DEMO_HEIGHT_CM,
                                     now=appointment.starts_at + timedelta(minutes=20), commit_before_analysis=False)
        if showcase:
            demo_showcase.record_in_visit(session, actor, visit, kept, store, height_cm=_DEMO_HEIGHT_CM,
                                          at=appointment.starts_at + timedelta(minutes=25))
    visits.complete(session, actor, visit.id, now=appointment.ends_at)
    if showcase:
        demo_showcase.document_and_bill(session, actor, Actor.of(therapist, user_agent="demo seed"), desk, visit,
                                        ended_at=appointment.ends_at)
    return visit, appointment.ends_at


def _seed_week(session: Session, rng: random.Random, location: Location, desk: Actor,
               caseload: list[tuple[int, int, list[User]]], today: date, zone: ZoneInfo) -> None:
    """A week of bookings from today: each patient every two or three days, with a clinician of
    their own care team."""
    booked_at = datetime.combine(today - timedelta(days=3), time(9), zone)
    for patient_id, episode_id, team in caseload:
        day = today + timedelta(days=rng.randrange(0, 2))
        while day < today + timedelta(days=7):
            _free_slot(session, rng, location, rng.choice(team), desk, patient_id, day, zone,
                       AppointmentKind.TREATMENT, episode_id, booked_at)
            day += timedelta(days=rng.choice((2, 3)))
