"""Simultaneous writes decide like one after the other: a slot is booked once, every patient and claim
gets a number of its own, and a burst of wrong passwords gets no more checks than the limit allows.

Each race runs its attempts in threads released together, each in its own unit of work on its own
connection of the application's engine (on SQLite every transaction begins with BEGIN IMMEDIATE), as
the requests of a busy clinic reach the services.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.access import Actor
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.errors import Conflict, NotAuthenticated, TooManyAttempts
from reeducate.clinic.models import Appointment, Claim, Diagnosis, ExerciseRecord, Patient, User
from reeducate.clinic.schemas import AppointmentBook, PatientCreate, VisitActivityAdd
from reeducate.clinic.services import auth, billing, episodes, notes, patients, scheduling, training, visits
from reeducate.clinic.services.users import create_user
from reeducate.clinic.vocabulary import Activity, AppointmentStatus, ExerciseStatus, Role, Sex
from tests.support import PASSWORD, World, local, new_patient, write_note

T = TypeVar("T")
RACE_TIMEOUT_S = 60.0
"""The longest a whole race may take before the test fails (a lock waited on for ever)."""


@dataclass(frozen=True)
class Outcomes:
    """What each attempt of a race returned, or the error it raised, in the order they were started."""

    results: list[Any]
    errors: list[BaseException | None]

    def succeeded(self) -> list[Any]:
        return [r for r, e in zip(self.results, self.errors, strict=True) if e is None]

    def raised(self) -> list[type[BaseException]]:
        return [type(e) for e in self.errors if e is not None]


def race(factory: sessionmaker[Session], attempts: int, attempt: Callable[[Session, int], T]) -> Outcomes:
    """Run ``attempt(session, i)`` for i < ``attempts`` in as many threads, released at once, each in a
    unit of work of its own; fails the test if the race has not finished within RACE_TIMEOUT_S."""
    results: list[Any] = [None] * attempts
    errors: list[BaseException | None] = [None] * attempts
    start = threading.Barrier(attempts)

    def run(i: int) -> None:
        try:
            start.wait(timeout=RACE_TIMEOUT_S)
            with unit_of_work(factory) as session:
                results[i] = attempt(session, i)
        except BaseException as error:  # every outcome is the test's to judge
            errors[i] = error

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(attempts)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + RACE_TIMEOUT_S  # the monotonic clock runs on under time_machine
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    if any(thread.is_alive() for thread in threads):
        pytest.fail(f"the race of {attempts} attempts had not finished after {RACE_TIMEOUT_S:.0f} s")
    return Outcomes(results, errors)


def actor(session: Session, world: World, persona: str) -> Actor:
    return Actor.of(session.get(User, world.user_ids[persona]))


# --- a slot is booked once ------------------------------------------------------------------------


def clinicians_and_patients(factory: sessionmaker[Session], world: World, count: int) -> list[tuple[int, int]]:
    """``count`` more therapists of clinic A, each with a patient of their own: (provider id, patient id)."""
    with unit_of_work(factory) as session:
        desk, admin = actor(session, world, "front_desk"), actor(session, world, "admin")
        clinic = session.get(User, world.user_ids["therapist"]).clinic
        pairs = []
        for i in range(count):
            therapist = create_user(session, admin, clinic=clinic, email=f"racer{i}@example.org",
                                    full_name=f"Racer {i}", role=Role.PHYSICAL_THERAPIST, password=PASSWORD)
            pairs.append((therapist.id, new_patient(session, desk, f"Runner{i}", "Doe")))
        return pairs


@pytest.mark.parametrize("shared", ["provider", "room", "patient"])
def test_twenty_desks_booking_one_slot_at_once_make_one_appointment(factory, records: World, shared: str) -> None:
    pairs = clinicians_and_patients(factory, records, 20)
    shared_provider, shared_patient = records.user_ids["therapist"], records.p2

    def book(session: Session, i: int) -> int:
        provider, patient = pairs[i]
        return scheduling.book(session, actor(session, records, "front_desk"), AppointmentBook(
            patient_id=shared_patient if shared == "patient" else patient,
            provider_id=shared_provider if shared == "provider" else provider,
            room_id=records.room_ids[1] if shared == "room" else None,
            location_id=records.location_id, starts_at=local(1, 10), duration_min=45,
        )).id

    outcomes = race(factory, 20, book)
    assert len(outcomes.succeeded()) == 1 and outcomes.raised() == [Conflict] * 19
    with factory() as session:
        booked = session.scalars(select(Appointment).where(
            Appointment.starts_at == local(1, 10), Appointment.status == AppointmentStatus.BOOKED)).all()
    assert [a.id for a in booked] == outcomes.succeeded()


# --- numbers of their own -------------------------------------------------------------------------


def test_ten_registrations_at_once_give_ten_patients_with_their_own_mrns(factory, records: World) -> None:
    def register(session: Session, i: int) -> str:
        return patients.create(session, actor(session, records, "front_desk"), PatientCreate(
            first_name=f"Walker{i}", last_name="Doe", date_of_birth="1950-01-01", sex=Sex.MALE)).mrn

    outcomes = race(factory, 10, register)
    assert outcomes.raised() == []
    assert sorted(outcomes.succeeded()) == [f"MRN{n:06d}" for n in range(3, 13)]  # P1 and P2 came first
    with factory() as session:
        stored = session.scalars(select(Patient.mrn).where(Patient.clinic_id == records.clinic_id)).all()
    assert len(stored) == len(set(stored)) == 12


def signed_visits(factory: sessionmaker[Session], world: World, count: int) -> list[int]:
    """``count`` visits of P1 yesterday (one an hour, round P1's 14:00), treated, billed and signed."""
    hours = [h for h in range(8, 18) if h != 14][:count]
    with unit_of_work(factory) as session:
        desk, pt = actor(session, world, "front_desk"), actor(session, world, "therapist")
        ids = []
        for hour in hours:
            appointment = scheduling.book(session, desk, AppointmentBook(
                patient_id=world.p1, provider_id=world.user_ids["therapist"], location_id=world.location_id,
                episode_id=world.episode, starts_at=local(-1, hour), duration_min=45), now=local(-7, 9))
            visit = visits.check_in(session, desk, appointment.id, now=local(-1, hour))
            visits.add_activity(session, pt, visit.id,
                                VisitActivityAdd(activity=Activity.GAIT_TRAINING, minutes=20))
            visits.complete(session, pt, visit.id, now=local(-1, hour, 45))
            billing.set_charges(session, pt, visit.id, [billing.ChargeInput("97116", 20)])
            write_note(session, pt, visit.id)
            notes.sign(session, pt, visit.id, now=local(-1, hour, 50))
            ids.append(visit.id)
        return ids


def test_eight_claims_released_at_once_get_their_own_control_numbers(factory, records: World) -> None:
    visit_ids = signed_visits(factory, records, 8)

    def release(session: Session, i: int) -> int:
        return billing.release_claim(session, actor(session, records, "front_desk"), visit_ids[i]).control_number

    outcomes = race(factory, 8, release)
    assert outcomes.raised() == []
    assert sorted(outcomes.succeeded()) == list(range(2, 10))  # the world's claim has number 1
    with factory() as session:
        assert len(session.scalars(select(Claim)).all()) == 9


# --- the log-in limiter ---------------------------------------------------------------------------

POLICY = auth.SessionPolicy(idle=timedelta(minutes=30), max_age=timedelta(hours=12), max_failures=5,
                            max_failures_per_ip=12, window=timedelta(minutes=15))


@pytest.fixture
def password_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The e-mails whose password was checked, one entry per check, from any thread."""
    checked: list[str] = []
    guard = threading.Lock()
    real = auth.password_matches

    def counting(user: User | None, password: str) -> bool:
        with guard:
            checked.append(user.email if user else "")
        return real(user, password)

    monkeypatch.setattr(auth, "password_matches", counting)
    return checked


def wrong_password(email: Callable[[int], str]) -> Callable[[Session, int], None]:
    """An attempt as the log-in routes make it: a wrong password's failure is kept (committed)."""
    def attempt(session: Session, i: int) -> None:
        try:
            auth.log_in(session, POLICY, email(i), "not the password", ip_address="203.0.113.9")
        except NotAuthenticated:
            session.commit()
            raise
    return attempt


def test_forty_wrong_passwords_at_once_get_no_more_checks_than_the_accounts_limit(
        factory, records: World, password_checks: list[str]) -> None:
    outcomes = race(factory, 40, wrong_password(lambda i: records.emails["therapist"]))
    assert len(password_checks) == POLICY.max_failures
    raised = outcomes.raised()
    assert raised.count(NotAuthenticated) == POLICY.max_failures
    assert raised.count(TooManyAttempts) == 40 - POLICY.max_failures


def test_forty_wrong_passwords_from_one_address_get_no_more_checks_than_its_limit(
        factory, records: World, password_checks: list[str]) -> None:
    outcomes = race(factory, 40, wrong_password(lambda i: f"guess{i}@example.org"))
    assert len(password_checks) == POLICY.max_failures_per_ip
    raised = outcomes.raised()
    assert raised.count(NotAuthenticated) == POLICY.max_failures_per_ip
    assert raised.count(TooManyAttempts) == 40 - POLICY.max_failures_per_ip


# --- other checks that decide a conflict ----------------------------------------------------------


def test_five_check_ins_of_one_appointment_at_once_open_one_visit(factory, records: World) -> None:
    outcomes = race(factory, 5, lambda session, i: visits.check_in(
        session, actor(session, records, "front_desk"), records.appt_today).id)
    assert len(outcomes.succeeded()) == 1 and outcomes.raised() == [Conflict] * 4


@pytest.mark.parametrize("change", ["the same diagnosis", "the same care team member"])
def test_five_clinicians_adding_the_same_to_an_episode_at_once_add_it_once(factory, records: World,
                                                                            change: str) -> None:
    def add(session: Session, i: int) -> int:
        pt = actor(session, records, "therapist")
        if change == "the same diagnosis":
            return episodes.add_diagnosis(session, pt, records.episode, "M62.81").id
        return episodes.add_care_team_member(session, pt, records.episode, records.user_ids["assistant"]).id

    outcomes = race(factory, 5, add)
    assert len(outcomes.succeeded()) == 1 and outcomes.raised() == [Conflict] * 4


def test_diagnoses_added_at_once_take_their_own_places(factory, records: World) -> None:
    codes = ["M62.81", "R26.2", "R27.0", "M62.50", "R29.6"]
    outcomes = race(factory, 5, lambda session, i: episodes.add_diagnosis(
        session, actor(session, records, "therapist"), records.episode, codes[i]).id)
    assert outcomes.raised() == []
    with factory() as session:
        places = session.scalars(select(Diagnosis.position).where(Diagnosis.episode_id == records.episode)).all()
    assert sorted(places) == [1, 2, 3, 4, 5, 6]


def test_five_clinicians_starting_a_visits_note_at_once_share_one_draft(factory, records: World) -> None:
    outcomes = race(factory, 5, lambda session, i: notes.start_draft(
        session, actor(session, records, "therapist"), records.visit_open).id)
    assert outcomes.raised() == [] and len(set(outcomes.succeeded())) == 1


def test_a_visit_completed_while_minutes_are_added_keeps_exactly_the_minutes_it_was_completed_with(
        factory, records: World) -> None:
    def act(session: Session, i: int) -> tuple[str, int]:
        pt = actor(session, records, "therapist")
        if i % 2:
            return "completed", visits.complete(session, pt, records.visit_open).total_minutes
        added = visits.add_activity(session, pt, records.visit_open,
                                    VisitActivityAdd(activity=Activity.GAIT_TRAINING, minutes=5))
        return "added", added.total_minutes

    outcomes = race(factory, 8, act)
    completed = [minutes for kind, minutes in outcomes.succeeded() if kind == "completed"]
    assert len(completed) == 1 and outcomes.raised().count(Conflict) == 8 - len(outcomes.succeeded())
    with factory() as session:
        assert visits.clinical_visit(session, actor(session, records, "therapist"),
                                     records.visit_open).total_minutes == completed[0]


# --- a live exercise carried on by a new connection while the old one ends it ------------------------


def test_an_old_connection_ending_an_exercise_while_a_new_one_carries_it_on_never_ends_the_carried_on_one(
        factory, records: World) -> None:
    """Whichever commits first, the exercise ends up carried on (part 2, in progress): the old connection's
    end either comes first (then it is carried on from interrupted) or is refused (not written over)."""
    for _ in range(5):
        with unit_of_work(factory) as session:
            row = training.start(session, actor(session, records, "therapist"), records.visit_open,
                                 exercise_id="mini-squat", monitor="camera-side", side="left", source="simulated")
            training.save_progress(session, actor(session, records, "therapist"), row.id, {"repetitions": 2})
            record_id = row.id

        def old_or_new(session: Session, i: int, record_id: int = record_id) -> object:
            therapist = actor(session, records, "therapist")
            if i == 0:
                return training.finish(session, therapist, record_id, {"repetitions": 2},
                                       status=ExerciseStatus.INTERRUPTED).status
            return training.carry_on(session, therapist, records.visit_open, record_id)[1]

        outcomes = race(factory, 2, old_or_new)
        assert outcomes.errors[1] is None and outcomes.results[1] == 2
        assert outcomes.errors[0] is None or isinstance(outcomes.errors[0], training.CarriedElsewhere)
        with unit_of_work(factory) as session:
            kept = session.get_one(ExerciseRecord, record_id)
            assert (kept.status, kept.summary.get("parts"), kept.repetitions) == (ExerciseStatus.IN_PROGRESS, 2, 2)
            training.finish(session, actor(session, records, "therapist"), record_id, {"repetitions": 3}, part=2)
