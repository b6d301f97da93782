"""Test support: what CI must have, and a small world of two clinics with every persona.

The world is built at a fixed local time (Wednesday 25 November 2026, 09:00 in Chicago) so that
"today", "yesterday" and opening hours mean the same on every run.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from reeducate.billing.npi import with_check_digit
from reeducate.clinic.access import Actor
from reeducate.clinic.db import Base
from reeducate.clinic.models import Clinic, Location, Patient, User
from reeducate.clinic.recording_store import RecordingStore
from reeducate.clinic.schemas import (
    AdministrationCreate,
    AppointmentBook,
    AppointmentRequest,
    CoverageCreate,
    EpisodeCreate,
    PatientCreate,
    VisitActivityAdd,
)
from reeducate.clinic.services import (
    balance,
    billing,
    episodes,
    measures,
    movement,
    notes,
    patients,
    scheduling,
    visits,
)
from reeducate.clinic.services.organisation import add_location, create_clinic
from reeducate.clinic.services.users import create_user
from reeducate.clinic.vocabulary import Activity, Condition, MovementKind, PlanKind, Role, Sex
from reeducate.example_data import fetch
from reeducate.signals.posturography.clinical import Condition as BalanceCondition

IN_CI = os.environ.get("CI", "").lower() == "true"
PASSWORD = "correct horse battery"
ZONE = ZoneInfo("America/Chicago")
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=ZONE)
"""The frozen present of the world: a Wednesday morning."""


def local(day_offset: int, hour: int, minute: int = 0) -> datetime:
    """A local time ``day_offset`` days from NOW's date."""
    return datetime.combine(NOW.date() + timedelta(days=day_offset), time(hour, minute), ZONE)


def require(condition: bool, what: str, how: str) -> None:
    """Skip a test whose part is missing here, but fail it in CI, where nothing may be skipped."""
    if condition:
        return
    message = f"{what} is not available: {how}"
    if IN_CI:
        pytest.fail(f"CI must run every test; {message}")
    pytest.skip(message)


def copy_sqlite(source: Path, target: Path) -> None:
    """Make the SQLite database ``target`` hold what ``source`` holds, page for page (SQLite's online
    backup, safe while ``target`` has connections open, which copying the file under them is not)."""
    with closing(sqlite3.connect(source)) as reading, closing(sqlite3.connect(target)) as writing:
        reading.backup(writing)


WEEKDAY_HOURS = [(time(8, 0), time(18, 0))]


def make_clinic(session: Session, slug: str, name: str) -> tuple[Clinic, Location]:
    clinic = create_clinic(session, name=name, slug=slug)
    location = add_location(
        session, clinic, name=f"{name} Main", timezone="America/Chicago",
        hours={**{d: WEEKDAY_HOURS for d in range(5)}, 5: [(time(9, 0), time(12, 0))]},
        rooms=("Gym", "Room 1"),
    )
    return clinic, location


def new_patient(session: Session, actor: Actor, first: str, last: str) -> int:
    return patients.create(session, actor, PatientCreate(
        first_name=first, last_name=last, date_of_birth="1960-05-04", sex=Sex.FEMALE,
        phone="(217) 555-0100", coverage=CoverageCreate(plan_kind=PlanKind.MEDICARE, payer_name="Medicare"),
    )).id


FEES = {"97112": "60.00", "97110": "50.00", "97116": "50.00", "97140": "45.00", "97530": "55.00",
        "97161": "120.00", "97162": "140.00", "97163": "160.00", "97164": "90.00", "98940": "55.00",
        "98941": "65.00", "98942": "75.00"}
"""The test clinic's charges per unit (its own prices: no clinical fact)."""


def document_and_bill(session: Session, clinician: Actor, desk: Actor, visit_id: int, *, now: datetime) -> int:
    """Minutes per code confirmed, the note drafted, written and signed, the claim released: its id."""
    billing.set_charges(session, clinician, visit_id, [billing.ChargeInput("97116", 20)])
    write_note(session, clinician, visit_id)
    notes.sign(session, clinician, visit_id, now=now)
    return billing.release_claim(session, desk, visit_id, now=now).id


def write_note(session: Session, clinician: Actor, visit_id: int) -> None:
    """Draft the visit's note and write the sections a clinician writes."""
    draft = notes.start_draft(session, clinician, visit_id)
    notes.edit(session, clinician, visit_id, {
        "subjective": "Feels steadier on stairs.", "assessment": "Gait improving.", "plan": "Continue.",
        "objective": draft.content["objective"] or "Gait training on level ground and stairs."})


def make_billable(clinic: Clinic, users: dict[str, User]) -> None:
    """Give clinic A and its clinicians what a claim needs: NPIs (valid check digits), tax ID, address, fees."""
    clinic.npi, clinic.tax_id = with_check_digit("100000000"), "12-3456789"
    clinic.billing_address, clinic.billing_city, clinic.billing_state = "12 River Road", "Springfield", "IL"
    clinic.billing_postal_code, clinic.billing_phone = "62701-1234", "(217) 555-0199"
    clinic.fee_schedule = dict(FEES)
    for number, persona in enumerate(("therapist", "assistant", "chiropractor"), start=1):
        users[persona].npi = with_check_digit(f"10000000{number}")


def insure(patient: Patient) -> None:
    """The patient's address and Medicare member and payer IDs, as a claim needs them."""
    patient.address_line, patient.city, patient.state, patient.postal_code = "4 Elm Street", "Springfield", "IL", "62704"
    coverage = patient.coverages[0]
    coverage.member_id, coverage.payer_id = "1EG4TE5MK73", "12202"


@dataclass
class World:
    """Ids of everything the tests address; ``emails`` maps persona to log-in."""

    clinic_id: int
    location_id: int
    room_ids: list[int]
    emails: dict[str, str]
    user_ids: dict[str, int]
    p1: int
    p2: int
    q1: int
    episode: int
    appt_today: int
    appt_past: int
    appt_future: int
    request: int
    visit_done: int
    visit_open: int
    administration: int
    balance_trial: int
    gait_recording: int
    video_recording: int | None
    recordings_dir: str
    coverage: int = 0
    claim: int = 0


def synthetic_trial_csv(seconds: float = 30.0, rate_hz: float = 100.0, seed: int = 1) -> bytes:
    """A made-up quiet-standing COP export (CSV, cm): slow sway plus small noise, reproducible."""
    rng = np.random.default_rng(seed)
    time = np.arange(int(seconds * rate_hz)) / rate_hz
    ap = 0.4 * np.sin(2 * np.pi * 0.2 * time) + 0.15 * np.sin(2 * np.pi * 0.9 * time) + rng.normal(0, 0.01, len(time))
    ml = 0.2 * np.sin(2 * np.pi * 0.3 * time + 1) + rng.normal(0, 0.01, len(time))
    rows = "".join(f"{t:.2f},{a:.5f},{m:.5f}\n" for t, a, m in zip(time, ap, ml, strict=True))
    return ("Time,AP[cm],ML[cm]\n" + rows).encode()


def imu_gait_upload(filename: str = "walk.csv") -> movement.MovementUpload:
    """Two foot IMUs over a 2 x 20 m walk (gaitmap's example, 204.8 Hz), as a clinician uploads it."""
    content = fetch("gaitmap_imu_sample.csv").read_bytes()
    return movement.MovementUpload(filename, content, MovementKind.IMU_GAIT, sampling_rate_hz=204.8)


def video_upload(filename: str = "balance.mp4") -> movement.MovementUpload:
    """A 100-frame clip of a man balancing on one leg (Pose2Sim demo, camera 4), filmed from behind."""
    return movement.MovementUpload(filename, fetch("balancing_cam04.mp4").read_bytes(), MovementKind.VIDEO)


def build_world(session: Session, store: RecordingStore, *, with_video: bool = False) -> World:
    """Clinic A with every role and patients P1 (Quennell) and P2 (Abernathy); clinic B with a
    therapist and patient Q1 (Zeller). P1 has an episode, appointments, a request and visits, and in
    the open visit a force-plate trial, a foot-IMU gait recording and (``with_video``: pose takes
    seconds, so only the web tests' world has it) a camera clip."""
    system = Actor.system("tests")
    clinic, location = make_clinic(session, "alpha", "Alpha Rehab")
    other, _ = make_clinic(session, "beta", "Beta Physio")
    users = {}
    for persona, role, where in (
        ("admin", Role.ADMIN, clinic), ("therapist", Role.PHYSICAL_THERAPIST, clinic),
        ("assistant", Role.PT_ASSISTANT, clinic), ("chiropractor", Role.CHIROPRACTOR, clinic),
        ("front_desk", Role.FRONT_DESK, clinic), ("other_therapist", Role.PHYSICAL_THERAPIST, other),
    ):
        users[persona] = create_user(session, system, clinic=where, email=f"{persona}@example.org",
                                     full_name=persona.replace("_", " ").title(), role=role,
                                     password=PASSWORD)
    desk = Actor.of(users["front_desk"])
    pt = Actor.of(users["therapist"])
    make_billable(clinic, users)
    p1 = new_patient(session, desk, "Penny", "Quennell")
    p2 = new_patient(session, desk, "Paul", "Abernathy")
    q1 = new_patient(session, Actor.of(users["other_therapist"]), "Quinn", "Zeller")
    for persona, patient_id, where in (("patient", p1, clinic), ("other_patient", p2, clinic),
                                       ("other_clinic_patient", q1, other)):
        users[persona] = create_user(session, system, clinic=where, email=f"{persona}@example.org",
                                     full_name=persona, role=Role.PATIENT, password=PASSWORD,
                                     patient=session.get(Patient, patient_id))
    insure(session.get(Patient, p1))
    episode = episodes.create(session, pt, p1, EpisodeCreate(
        condition=Condition.FALL_RISK, started_on=NOW.date() - timedelta(days=14),
        diagnoses=["R26.81"], care_team=[users["chiropractor"].id],
    ))

    def book(start: datetime, booked_at: datetime, room: int | None = None) -> int:
        return scheduling.book(session, desk, AppointmentBook(
            patient_id=p1, provider_id=users["therapist"].id, location_id=location.id, room_id=room,
            episode_id=episode.id, starts_at=start, duration_min=45,
        ), now=booked_at).id

    early = book(local(0, 8), local(-7, 9))
    visit_open = visits.check_in(session, desk, early, now=local(0, 7, 55)).id
    visits.add_activity(session, pt, visit_open, VisitActivityAdd(activity=Activity.NEUROMUSCULAR_REEDUCATION, minutes=15))
    administration = measures.record_in_visit(
        session, pt, visit_open, "berg", AdministrationCreate(responses=[4] * 10 + [3, 3, 2, 2]),
        now=local(0, 8, 20)).id
    measures.request_questionnaires(session, pt, episode.id, ["nprs", "odi"])
    balance_trial = balance.upload_trials(
        session, pt, visit_open, [balance.TrialUpload("standing.csv", synthetic_trial_csv(), BalanceCondition())],
        store, height_cm=165, now=local(0, 8, 30))[0].id
    gait_recording = movement.upload_recording(session, pt, visit_open, imu_gait_upload(), store,
                                               now=local(0, 8, 35)).id
    video_recording = movement.upload_recording(session, pt, visit_open, video_upload(), store,
                                                now=local(0, 8, 40)).id if with_video else None
    done = book(local(-2, 10), local(-7, 9))
    visit_done = visits.check_in(session, desk, done, now=local(-2, 9, 55)).id
    visits.add_activity(session, pt, visit_done, VisitActivityAdd(activity=Activity.GAIT_TRAINING, minutes=20))
    visits.complete(session, pt, visit_done, now=local(-2, 10, 45))
    claim = document_and_bill(session, pt, desk, visit_done, now=local(-2, 11))
    appt_past = book(local(-1, 14), local(-7, 9))
    appt_today = book(local(0, 10), local(-7, 9), room=location.rooms[0].id)
    appt_future = book(local(5, 10), local(-1, 9))
    patient_actor = Actor.of(users["patient"])
    request = scheduling.request(session, patient_actor, AppointmentRequest(
        starts_at=local(2, 11).replace(tzinfo=None), reason="balance worse this week",
    ), now=NOW).id
    session.flush()
    return World(
        clinic_id=clinic.id, location_id=location.id, room_ids=[r.id for r in location.rooms],
        emails={k: u.email for k, u in users.items()}, user_ids={k: u.id for k, u in users.items()},
        p1=p1, p2=p2, q1=q1, episode=episode.id, appt_today=appt_today, appt_past=appt_past,
        appt_future=appt_future, request=request, visit_done=visit_done, visit_open=visit_open,
        administration=administration, balance_trial=balance_trial, gait_recording=gait_recording,
        video_recording=video_recording, recordings_dir=str(store.root),
        coverage=session.get(Patient, p1).coverages[0].id, claim=claim,
    )


@dataclass(frozen=True)
class StoredWorld:
    """The world (without video) built once in one kind of database, for the storage tests to copy:
    ``database`` is the SQLite file or the PostgreSQL schema holding it (``url`` reaches it),
    ``recordings`` its raw files."""

    world: World
    database: str
    url: str
    recordings: Path

    def copy_into(self, engine: Engine) -> None:
        """Give the migrated, empty database of ``engine`` every row of the world, with the same ids and
        the same next ids (SQLite: page for page; PostgreSQL: table by table, then the sequences)."""
        if engine.dialect.name == "sqlite":
            copy_sqlite(Path(self.database), Path(str(engine.url.database)))
            return
        with engine.begin() as connection:
            for table in Base.metadata.sorted_tables:
                connection.execute(text(f"INSERT INTO {table.name} SELECT * FROM {self.database}.{table.name}"))
            sequences = connection.execute(text(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = :schema "
                "AND last_value IS NOT NULL"), {"schema": self.database}).all()
            for name, last_value in sequences:
                connection.execute(text("SELECT setval(CAST(:name AS regclass), :value)"),
                                   {"name": name, "value": last_value})


@contextmanager
def job_worker(database_url: str, queue_url: str, recordings: Path, home: Path, *,
               lease_s: float = 2.0) -> Iterator[subprocess.Popen[bytes]]:
    """`reeducate worker` on ``database_url`` and ``queue_url``, in a process group of its own (its reader
    processes with it), killed at the end."""
    env = {**os.environ, "REEDUCATE_DATABASE_URL": database_url, "REEDUCATE_QUEUE_URL": queue_url,
           "REEDUCATE_RECORDINGS_DIR": str(recordings), "REEDUCATE_HOME": str(home),
           "REEDUCATE_JOB_LEASE_S": str(lease_s)}
    process = subprocess.Popen([sys.executable, "-m", "reeducate", "worker"], env=env, start_new_session=True)
    try:
        yield process
    finally:
        killed(process)


def stopped(process: subprocess.Popen[bytes], timeout_s: float) -> None:
    """Stop a served process as Ctrl+C does (SIGINT), killed if it has not ended within ``timeout_s``."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()


def killed(process: subprocess.Popen[bytes]) -> None:
    """Kill ``process`` and its process group at once (SIGKILL: no clean-up runs) and reap it."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


@contextmanager
def scratch_database(server_url: str, name: str) -> Iterator[str]:
    """A new, empty PostgreSQL database ``name`` on the server of ``server_url`` (its URL); dropped at the end,
    whoever is still connected."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def restore_demo(demo_home: Path, folder: Path, database_url: str) -> None:
    """The seeded demo (``demo_home``'s SQLite, shared by the run: copied first) restored into the migrated
    database at ``database_url``, as docs/production.md moves an embedded database to PostgreSQL."""
    from reeducate.clinic.backup import backup, restore
    from reeducate.clinic.db import make_engine

    copy_sqlite(demo_home / "reeducate.sqlite3", folder / "embedded.sqlite3")
    embedded = make_engine(f"sqlite:///{folder / 'embedded.sqlite3'}")
    backup(embedded, folder / "embedded.json.gz")
    embedded.dispose()
    engine = make_engine(database_url)
    restore(engine, folder / "embedded.json.gz")
    engine.dispose()


def load_benchmark(relative: str) -> ModuleType:
    """A benchmark script (``benchmarks/<relative>``) imported as a module, for tests of its own helpers;
    registered in ``sys.modules`` first, where its dataclasses look their module up."""
    path = Path(__file__).resolve().parents[1] / "benchmarks" / relative
    spec = importlib.util.spec_from_file_location(f"benchmark_{path.stem}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
