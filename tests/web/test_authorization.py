"""Every route, tried by every persona: the wrong one gets 401/403/404 (or the log-in page) and sees
nothing of the patient; the right one succeeds and leaves audit rows; a refusal is audited too. A
refused persona gets, for a real record's id, the very answer a missing id gets, so that no refusal
tells which ids exist (a role refusal is 403 for both, another patient's or clinic's record 404).

Personas: nobody logged in, the patient (Penny Quennell), another patient of the clinic, the front
desk, a therapist of this clinic, a therapist of another clinic, and the clinic's administrator.

Each persona logs in once; the database with their sessions is kept and every case starts from it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

import pytest
import time_machine
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, func, select

from reeducate.clinic.access import Actor
from reeducate.clinic.db import make_session_factory, unit_of_work
from reeducate.clinic.models import AuditEvent, Claim, User
from reeducate.clinic.queue import JobQueue
from reeducate.clinic.recording_store import RecordingStore
from reeducate.clinic.schemas import AdministrationCreate
from reeducate.clinic.services import (
    billing,
    emg,
    episodes,
    goals,
    home_programmes,
    home_sessions,
    measures,
    movement,
    plan_of_care,
    problems,
    reports,
    rtm,
)
from reeducate.clinic.services.home_programmes import HomeItemInput, HomeProgrammeInput
from reeducate.clinic.vocabulary import AuditAction, ReportKind, RtmActivity
from reeducate.web import live, pages
from reeducate.web.app import create_app
from tests.billing.test_x12 import PT_271
from tests.support import NOW, World, imu_gait_upload, local, synthetic_trial_csv, write_note
from tests.web.conftest import Site, bearer, settings_for_tests

PERSONAS = ("nobody", "patient", "other_patient", "front_desk", "therapist", "other_therapist", "admin")
MISSING_ID = 987_654
SECRET_NAME = "Quennell"  # the patient's last name: must never reach a persona that may not see it
Outcome = Literal["ok", "hidden", "denied"]


def _pattern(codes: str) -> dict[str, Outcome]:
    """'D O D O O D O' in PERSONAS order: Denied, Ok, or Hidden (allowed, sees none of the patient)."""
    letters = codes.split()
    assert len(letters) == len(PERSONAS)
    return {p: {"D": "denied", "O": "ok", "H": "hidden"}[c] for p, c in zip(PERSONAS, letters, strict=True)}


CLINICAL_READ = _pattern("D O D D O D D")
CLINICAL_WRITE = _pattern("D D D D O D D")
RECORD_READ = _pattern("D O D O O D O")
STAFF_RECORD_READ = _pattern("D D D O O D O")
STAFF_WRITE = _pattern("D D D O O D O")
STAFF_LIST = _pattern("D D D O O H O")
STAFF_FORM = _pattern("D D D O O O O")
ANYONE = _pattern("D O O O O O O")
OWN_OR_STAFF = _pattern("D O D O O D O")
PATIENT_SELF = _pattern("D O O D D D D")
PORTAL_PAGE = _pattern("D O H D D D D")
PORTAL_CANCEL = _pattern("D O D D D D D")
ADMIN_ONLY = _pattern("D D D D D D O")
RESUME = _pattern("D D D D O D D")  # physical therapists and chiropractors (the world's therapist)
BILLING = _pattern("D D D O O D O")  # the front desk and admin bill; clinicians see their visits' billing
NOTE_READ = _pattern("D H D D O D D")  # the patient reads a signed note only (none yet on the open visit)
MY_PATIENTS = _pattern("D D D D O H D")  # clinicians; another clinic's therapist sees only their own
IMPORT_REFERRAL = _pattern("D D D D O O D")  # a PT or chiropractor of any clinic, into their own clinic


@dataclass(frozen=True)
class Case:
    """One route: how to call it (paths and bodies may use the world's ids) and who may."""

    method: str
    path: str
    expect: dict[str, Outcome]
    json: Callable[[World], Any] | None = None
    form: Callable[[World], dict[str, Any]] | None = None
    files: Callable[[World], dict[str, Any]] | None = None
    audited: bool = True
    prepare: Callable[[Engine, World], None] | None = None

    def url(self, world: World) -> str:
        return self.path.format(w=world)

    def missing_url(self) -> str:
        """The path with every record id replaced by one that does not exist."""
        return self.path.format(w=World(**{f.name: _Missing(MISSING_ID) for f in fields(World)}))


class _Missing(int):
    """A missing id that also stands for each id of a list or mapping of them (``w.room_ids[1]``)."""

    def __getitem__(self, _key: object) -> _Missing:
        return self


def _book(w: World) -> dict[str, Any]:
    return {"patient_id": w.p1, "provider_id": w.user_ids["therapist"], "location_id": w.location_id,
            "starts_at": local(1, 10).isoformat(), "duration_min": 45}


def _trial_file(field: str) -> Callable[[World], dict[str, Any]]:
    return lambda w: {field: ("standing.csv", synthetic_trial_csv(seconds=12), "text/csv")}


def _gait_file(field: str) -> Callable[[World], dict[str, Any]]:
    return lambda w: {field: ("walk.csv", imu_gait_upload().content, "text/csv")}


def _drafted(engine: Engine, world: World) -> None:
    """The open visit's minutes confirmed and its note drafted and written, ready to sign."""
    with unit_of_work(make_session_factory(engine)) as session:
        therapist = Actor.of(session.get(User, world.user_ids["therapist"]))
        billing.set_charges(session, therapist, world.visit_open, [billing.ChargeInput("97112", 15)])
        write_note(session, therapist, world.visit_open)


def _second_diagnosis(engine: Engine, world: World) -> None:
    """The episode with a second diagnosis, so that one may be removed (the last one never is)."""
    with unit_of_work(make_session_factory(engine)) as session:
        therapist = Actor.of(session.get(User, world.user_ids["therapist"]))
        episodes.add_diagnosis(session, therapist, world.episode, "Z91.81")


def _unbilled(engine: Engine, world: World) -> None:
    """The signed visit's claim taken back, so that releasing it is a first release (a visit is billed once)."""
    with unit_of_work(make_session_factory(engine)) as session:
        session.execute(delete(Claim).where(Claim.visit_id == world.visit_done))


def _report_drafted(engine: Engine, world: World, *, signed: bool = False) -> None:
    """The episode's progress report drafted (signed if ``signed``), with the episode's id as its own."""
    with unit_of_work(make_session_factory(engine)) as session:
        therapist = Actor.of(session.get_one(User, world.user_ids["therapist"]))
        report = reports.draft(session, therapist, world.episode, ReportKind.PROGRESS_REPORT)
        report.id = world.episode
        session.flush()
        if signed:
            reports.edit(session, therapist, report.id, sections={"assessment": "a", "plan": "p"}, decision="continue")
            reports.sign(session, therapist, report.id)


def _report_signed(engine: Engine, world: World) -> None:
    _report_drafted(engine, world, signed=True)


NOTE_FORM = {"subjective": "s", "objective": "o", "assessment": "a", "plan": "p", "nmr_minutes": "15",
             "action": "save"}

DISCHARGE = {"reason": "goals_met"}

NEW_PATIENT = {"first_name": "Nora", "last_name": "Newcomb", "date_of_birth": "1980-01-02", "sex": "female"}

PATIENT_EDIT = {"first_name": "Penny", "last_name": "Quennell", "date_of_birth": "1950-02-03", "sex": "female",
                "phone": "(217) 555-0142", "city": "Springfield", "state": "IL", "postal_code": "62704",
                "emergency_contact_name": "Pat Quennell", "emergency_contact_relationship": "Spouse"}
SPOUSE_PLAN = {"plan_kind": "commercial", "payer_name": "Blue Prairie Health", "member_id": "W123",
               "subscriber_relationship": "spouse", "subscriber_first_name": "Pat", "subscriber_last_name": "Quennell",
               "subscriber_date_of_birth": "1948-05-06", "subscriber_sex": "male"}

FIRST_PROBLEM = 1
"""The id of the world's first problem (it has none until :func:`_proposed_problem` proposes one)."""


def _proposed_problem(engine: Engine, world: World) -> None:
    """A Berg of 42 in the open visit, proposed as the episode's first problem."""
    with unit_of_work(make_session_factory(engine)) as session:
        therapist = Actor.of(session.get(User, world.user_ids["therapist"]))
        measures.record_in_visit(session, therapist, world.visit_open, "berg", AdministrationCreate(responses=[3] * 14))
        (problem,) = problems.propose(session, therapist, world.visit_open)
        assert problem.id == FIRST_PROBLEM



# issue 19: goals and the plan of care. The world has no goal or plan: a case's ``prepare`` adds them, so the
# first of each has id 1 in the fresh database every case starts from (tests/web/test_plan_pages.py checks
# that a refused persona gets, for these ids, the answer a missing id gets).
FIRST = 1


def _goal(engine: Engine, world: World) -> None:
    """A long-term Berg goal on the episode."""
    with unit_of_work(make_session_factory(engine)) as session:
        therapist = Actor.of(session.get(User, world.user_ids["therapist"]))
        goals.add(session, therapist, world.episode, goals.GoalFields(measure_id="berg", target=54))


def _draft_plan(engine: Engine, world: World) -> None:
    """A goal and a draft plan of care, ready to sign."""
    _goal(engine, world)
    with unit_of_work(make_session_factory(engine)) as session:
        therapist = Actor.of(session.get(User, world.user_ids["therapist"]))
        plan_of_care.draft(session, therapist, world.episode, plan_of_care.PlanFields(
            visits_per_week=2, weeks=6, interventions=[plan_of_care.InterventionChoice(kind="exercise", id="foam-stance")]))


def _signed_plan(engine: Engine, world: World) -> None:
    _draft_plan(engine, world)
    with unit_of_work(make_session_factory(engine)) as session:
        plan_of_care.sign(session, Actor.of(session.get(User, world.user_ids["therapist"])), FIRST)


def _scanned_plan(engine: Engine, world: World) -> None:
    _signed_plan(engine, world)
    with unit_of_work(make_session_factory(engine)) as session:
        plan_of_care.attach_signature(session, Actor.of(session.get(User, world.user_ids["front_desk"])), FIRST,
                                      "signed.png", SCAN, RecordingStore(Path(world.recordings_dir)))


def _home_programme(engine: Engine, world: World) -> None:
    """The episode's home programme, mini squats every day, its one exercise numbered as the episode is."""
    with unit_of_work(make_session_factory(engine)) as session:
        therapist = Actor.of(session.get_one(User, world.user_ids["therapist"]))
        version = home_programmes.prescribe(session, therapist, world.episode, home_programmes.HomeProgrammeInput(
            starts_on=NOW.date(), items=[home_programmes.HomeItemInput(
                exercise_id="mini-squat", monitor="camera-side", side="left", sets=2, reps=10,
                weekdays=[1, 2, 3, 4, 5, 6, 7])]))
        version.items[0].id = world.episode
        session.flush()


HOME_FORM = {"rows": "1", "row-0-exercise": "mini-squat", "row-0-sets": "2", "row-0-reps": "10", "row-0-side": "left",
             "row-0-monitor": "camera-side", "row-0-weekday": ["1", "3", "5"], "starts_on": NOW.date().isoformat(),
             "action": "save"}
def _rtm_set_up(engine: Engine, world: World) -> None:
    """Issue 20: the episode's RTM set-up recorded, so that its superbill has a line."""
    with unit_of_work(make_session_factory(engine)) as session:
        therapist = Actor.of(session.get_one(User, world.user_ids["therapist"]))
        rtm.record_setup(session, therapist, world.p1, world.episode, rtm.RtmSetupInput(performed_on=NOW.date()))


def _rtm_time(engine: Engine, world: World) -> None:
    """Issue 20: ten minutes of RTM logged on the episode (the first time entry: id FIRST), to remove."""
    with unit_of_work(make_session_factory(engine)) as session:
        therapist = Actor.of(session.get_one(User, world.user_ids["therapist"]))
        rtm.log_time(session, therapist, world.p1, world.episode, rtm.RtmTimeInput(
            performed_on=NOW.date(), minutes=10, activity=RtmActivity.DATA_REVIEW))


SCAN = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
PLAN_FORM = {"visits_per_week": "2", "weeks": "6", "add": "exercise:foam-stance"}

def _home_session(engine: Engine, world: World) -> None:
    """Issue 20 (adherence): a home programme since Monday, its squat ticked done on Monday with pain 8 of 10
    (the world's first home session, flagged for the therapist)."""
    monday = NOW.date() - timedelta(days=2)
    with unit_of_work(make_session_factory(engine)) as session:
        version = home_programmes.prescribe(
            session, Actor.of(session.get_one(User, world.user_ids["therapist"])), world.episode,
            HomeProgrammeInput(starts_on=monday, items=[HomeItemInput(exercise_id="mini-squat", side="left", sets=2,
                                                                      reps=10, weekdays=[1, 3, 5])]))
        painful = home_sessions.tick_done(session, Actor.of(session.get_one(User, world.user_ids["patient"])),
                                          version.items[0].id, day=monday, pain_score=8)
        assert painful.id == FIRST


CLIP = bytes.fromhex("1a45dfa39f4286810142f7810142f2810442f381084282847765626d") + b"\0" * 64
"""The start of a WebM file, as a browser's MediaRecorder writes it (issue 20, the clip slice)."""


def _ended_guided_session(engine: Engine, world: World) -> None:
    """Issue 20, the clip slice: the patient's guided squats of today, ended, numbered as the episode is."""
    _home_programme(engine, world)
    with unit_of_work(make_session_factory(engine)) as session:
        patient = Actor.of(session.get_one(User, world.user_ids["patient"]))
        row = home_sessions.start_guided(session, patient, world.episode, day=NOW.date())
        home_sessions.finish(session, patient, row.id, {"repetitions": 4})
        row.id = world.episode
        session.flush()


def _shared_clip(engine: Engine, world: World) -> None:
    _ended_guided_session(engine, world)
    with unit_of_work(make_session_factory(engine)) as session:
        home_sessions.share_clip(session, Actor.of(session.get_one(User, world.user_ids["patient"])), world.episode,
                                 CLIP, RecordingStore(Path(world.recordings_dir)))


def _home_ticked(engine: Engine, world: World) -> None:
    """Issue 20 (fixprog): the home programme, its squat ticked done today (the session numbered as the episode is)."""
    _home_programme(engine, world)
    with unit_of_work(make_session_factory(engine)) as session:
        ticked = home_sessions.tick_done(session, Actor.of(session.get_one(User, world.user_ids["patient"])),
                                         world.episode, day=NOW.date())
        ticked.id = world.episode


def _finished_job(engine: Engine, world: World) -> None:
    """Issue 21: an IMU walk uploaded to the open visit as a job (the first: id FIRST), run at once."""
    factory = make_session_factory(engine)
    JobQueue("immediate", factory, RecordingStore(Path(world.recordings_dir)), 30.0)
    with unit_of_work(factory) as session:
        therapist = Actor.of(session.get_one(User, world.user_ids["therapist"]))
        job = movement.submit(session, therapist, world.visit_open, imu_gait_upload(),
                              RecordingStore(Path(world.recordings_dir)))
    assert job.id == FIRST


def _emg_fields(w: World) -> dict[str, Any]:
    return {"channels": "biceps=Biceps brachii\ntriceps=Triceps brachii", "rate_hz": "1000", "units": "mV"}


def _emg_file(field: str) -> Callable[[World], dict[str, Any]]:
    from tests.clinic.test_emg_recordings import emg_csv

    return lambda w: {field: ("elbow.csv", emg_csv(), "text/csv")}


def _emg_recorded(engine: Engine, world: World) -> None:
    """Issue 22: an EMG recording in the open visit (the first: id FIRST), analysed while the therapist waited."""
    from tests.clinic.test_emg_recordings import emg_upload

    with unit_of_work(make_session_factory(engine)) as session:
        therapist = Actor.of(session.get_one(User, world.user_ids["therapist"]))
        kept = emg.upload_recording(session, therapist, world.visit_open, emg_upload(),
                                    RecordingStore(Path(world.recordings_dir)), commit_before_analysis=False)
    assert kept.id == FIRST


def _emg_fatigue_recorded(engine: Engine, world: World) -> None:
    """Issue 22: the real biceps fatigue recording in the open visit (id FIRST), which has a fatigue trend."""
    from reeducate.clinic.schemas import EmgOptions
    from reeducate.example_data import fetch

    path = fetch("emg_biosignalsnotebooks_emg_fatigue.h5")
    upload = emg.EmgUpload(path.name, path.read_bytes(),
                           EmgOptions.model_validate({"channels": ["channel_2=Biceps brachii"]}))
    with unit_of_work(make_session_factory(engine)) as session:
        therapist = Actor.of(session.get_one(User, world.user_ids["therapist"]))
        kept = emg.upload_recording(session, therapist, world.visit_open, upload,
                                    RecordingStore(Path(world.recordings_dir)), commit_before_analysis=False)
    assert kept.id == FIRST


CASES: list[Case] = [
    Case("POST", "/api/v1/auth/logout", ANYONE, audited=False),
    Case("GET", "/api/v1/me", ANYONE, audited=False),
    Case("GET", "/api/v1/clinicians", ANYONE, audited=False),
    Case("GET", "/api/v1/patients?q=quen", STAFF_LIST),
    Case("POST", "/api/v1/patients", STAFF_FORM, json=lambda w: NEW_PATIENT),
    Case("GET", "/api/v1/patients/{w.p1}", RECORD_READ),
    Case("PATCH", "/api/v1/patients/{w.p1}", STAFF_WRITE, json=lambda w: {"phone": "(217) 555-0199"}),
    Case("POST", "/api/v1/patients/{w.p1}/coverages", STAFF_WRITE,
         json=lambda w: {"plan_kind": "commercial", "payer_name": "Acme Health", "priority": 2}),
    Case("GET", "/api/v1/patients/{w.p1}/episodes", CLINICAL_READ),
    Case("POST", "/api/v1/patients/{w.p1}/episodes", CLINICAL_WRITE,
         json=lambda w: {"condition": "sciatica", "diagnoses": ["M54.41"]}),
    Case("GET", "/api/v1/patients/{w.p1}/appointments", RECORD_READ),
    Case("GET", "/api/v1/patients/{w.p1}/visits", CLINICAL_READ),
    Case("GET", "/api/v1/episodes/{w.episode}", CLINICAL_READ),
    Case("POST", "/api/v1/episodes/{w.episode}/diagnoses", CLINICAL_WRITE, json=lambda w: {"code": "Z91.81"}),
    Case("POST", "/api/v1/episodes/{w.episode}/care-team", CLINICAL_WRITE,
         json=lambda w: {"user_id": w.user_ids["assistant"]}),
    Case("POST", "/api/v1/episodes/{w.episode}/discharge", CLINICAL_WRITE, json=lambda w: DISCHARGE),
    Case("GET", "/api/v1/appointments?day=2026-11-25", STAFF_LIST),
    Case("POST", "/api/v1/appointments", STAFF_WRITE, json=_book),
    Case("GET", "/api/v1/appointments/requests", STAFF_LIST),
    Case("POST", "/api/v1/appointments/requests", PATIENT_SELF,
         json=lambda w: {"starts_at": local(1, 15).replace(tzinfo=None).isoformat()}),
    Case("GET", "/api/v1/appointments/{w.appt_today}", RECORD_READ),
    Case("POST", "/api/v1/appointments/{w.request}/confirm", STAFF_WRITE,
         json=lambda w: {"provider_id": w.user_ids["therapist"]}),
    Case("POST", "/api/v1/appointments/{w.appt_future}/reschedule", STAFF_WRITE,
         json=lambda w: {"starts_at": local(5, 14).isoformat()}),
    Case("POST", "/api/v1/appointments/{w.appt_future}/cancel", OWN_OR_STAFF, json=lambda w: {"reason": "ill"}),
    Case("POST", "/api/v1/appointments/{w.appt_past}/no-show", STAFF_WRITE, json=lambda w: {"reason": "no answer"}),
    Case("POST", "/api/v1/visits", STAFF_WRITE, json=lambda w: {"appointment_id": w.appt_today}),
    Case("GET", "/api/v1/visits/{w.visit_done}", CLINICAL_READ),
    Case("POST", "/api/v1/visits/{w.visit_open}/activities", CLINICAL_WRITE,
         json=lambda w: {"activity": "gait_training", "minutes": 10}),
    Case("POST", "/api/v1/visits/{w.visit_open}/complete", CLINICAL_WRITE),
    Case("GET", "/api/v1/measures", ANYONE, audited=False),
    Case("GET", "/api/v1/measures/berg", ANYONE, audited=False),
    Case("POST", "/api/v1/measures/tug/score", STAFF_FORM, json=lambda w: {"responses": {"seconds": 12.5}},
         audited=False),
    Case("POST", "/api/v1/visits/{w.visit_open}/measures/tug", CLINICAL_WRITE,
         json=lambda w: {"responses": {"seconds": 12.5}}),
    Case("GET", "/api/v1/episodes/{w.episode}/measures", CLINICAL_READ),
    Case("GET", "/api/v1/episodes/{w.episode}/progress", CLINICAL_READ),
    Case("PUT", "/api/v1/episodes/{w.episode}/goals/berg", CLINICAL_WRITE, json=lambda w: {"target": 52}),
    Case("POST", "/api/v1/episodes/{w.episode}/questionnaire-requests", CLINICAL_WRITE,
         json=lambda w: {"measure_ids": ["lefs"]}),
    Case("POST", "/api/v1/episodes/{w.episode}/questionnaires/nprs", PORTAL_CANCEL, json=lambda w: {"responses": [3]}),
    Case("GET", "/api/v1/measure-administrations/{w.administration}/fhir", CLINICAL_READ),
    Case("POST", "/api/v1/visits/{w.visit_open}/balance-trials", CLINICAL_WRITE, files=_trial_file("files"),
         form=lambda w: {"vision": "closed"}),
    Case("GET", "/api/v1/visits/{w.visit_open}/balance-trials", CLINICAL_READ),
    Case("GET", "/api/v1/episodes/{w.episode}/balance-trials", CLINICAL_READ),
    Case("GET", "/api/v1/balance-trials/{w.balance_trial}", CLINICAL_READ),
    Case("GET", "/api/v1/balance-trials/{w.balance_trial}/raw", CLINICAL_WRITE),
    Case("POST", "/api/v1/visits/{w.visit_open}/movement-recordings", CLINICAL_WRITE, files=_gait_file("file"),
         form=lambda w: {"kind": "imu_gait", "sampling_rate_hz": 204.8}),
    Case("GET", "/api/v1/visits/{w.visit_open}/movement-recordings", CLINICAL_READ),
    Case("GET", "/api/v1/episodes/{w.episode}/movement-recordings", CLINICAL_READ),
    Case("GET", "/api/v1/movement-recordings/{w.gait_recording}", CLINICAL_READ),
    Case("GET", "/api/v1/movement-recordings/{w.gait_recording}/raw", CLINICAL_WRITE),
    Case("GET", "/api/v1/exercises", ANYONE, audited=False),
    Case("GET", "/api/v1/exercises/mini-squat", ANYONE, audited=False),
    Case("GET", "/api/v1/visits/{w.visit_open}/exercise-records", CLINICAL_READ),
    Case("POST", "/api/v1/visits/{w.visit_open}/training/resume", RESUME),
    Case("GET", "/api/v1/visits/{w.visit_open}/billing", BILLING),
    Case("PUT", "/api/v1/visits/{w.visit_open}/billing", CLINICAL_WRITE,
         json=lambda w: [{"code": "97112", "minutes": 24}, {"code": "97110", "minutes": 23}]),
    Case("GET", "/api/v1/visits/{w.visit_open}/note", NOTE_READ),
    Case("POST", "/api/v1/visits/{w.visit_open}/note", CLINICAL_WRITE),
    Case("PUT", "/api/v1/visits/{w.visit_open}/note", CLINICAL_WRITE, json=lambda w: {"plan": "Progress to foam."},
         prepare=_drafted),
    Case("POST", "/api/v1/visits/{w.visit_open}/note/sign", CLINICAL_WRITE, prepare=_drafted),
    Case("POST", "/api/v1/visits/{w.visit_done}/note/addenda", CLINICAL_WRITE,
         json=lambda w: {"text": "Called: no soreness."}),
    Case("GET", "/api/v1/visits/{w.visit_done}/note/document", CLINICAL_READ),
    Case("GET", "/api/v1/visits/{w.visit_done}/superbill", BILLING),
    Case("POST", "/api/v1/visits/{w.visit_done}/claims", BILLING, prepare=_unbilled),
    Case("GET", "/api/v1/visits/{w.visit_done}/claims", BILLING),
    Case("GET", "/api/v1/claims/{w.claim}/x12", BILLING),
    Case("GET", "/api/v1/coverages/{w.coverage}/eligibility-request", BILLING),
    Case("POST", "/api/v1/coverages/{w.coverage}/eligibility-response", BILLING, json=lambda w: {"x12": PT_271}),
    Case("GET", "/api/v1/audit-events", ADMIN_ONLY, audited=False),
    # pages
    Case("GET", "/", ANYONE, audited=False),
    Case("POST", "/logout", ANYONE, audited=False),
    Case("GET", "/schedule?day=2026-11-25", STAFF_LIST),
    Case("POST", "/appointments/{w.appt_today}/check-in", STAFF_WRITE),
    Case("POST", "/appointments/{w.appt_past}/no-show", STAFF_WRITE, form=lambda w: {"reason": "no answer"}),
    Case("POST", "/appointments/{w.appt_future}/cancel", OWN_OR_STAFF, form=lambda w: {"reason": "unwell"}),
    Case("POST", "/appointments/{w.request}/confirm", STAFF_WRITE,
         form=lambda w: {"provider_id": w.user_ids["therapist"]}),
    Case("GET", "/patients?q=quen", STAFF_LIST),
    Case("GET", "/patients/new", STAFF_FORM, audited=False),
    Case("POST", "/patients/new", STAFF_FORM, form=lambda w: {**NEW_PATIENT, "plan_kind": "self_pay"}),
    Case("GET", "/patients/{w.p1}", STAFF_RECORD_READ),
    Case("GET", "/appointments/new", STAFF_FORM, audited=False),
    Case("POST", "/appointments/new", STAFF_WRITE,
         form=lambda w: {"patient_id": w.p1, "provider_id": w.user_ids["therapist"],
                         "date": local(1, 0).date().isoformat(), "time": "11:00", "duration_min": 45}),
    Case("GET", "/portal", PORTAL_PAGE),
    Case("POST", "/portal/requests", PATIENT_SELF,
         form=lambda w: {"date": local(1, 0).date().isoformat(), "time": "15:00"}),
    Case("POST", "/portal/appointments/{w.appt_future}/cancel", PORTAL_CANCEL),
    Case("GET", "/visits/{w.visit_open}/measures?measure_id=berg", STAFF_FORM, audited=False),
    Case("GET", "/visits/{w.visit_open}/measures/berg", CLINICAL_WRITE),
    Case("POST", "/visits/{w.visit_open}/measures/berg", CLINICAL_WRITE,
         form=lambda w: {f"item-{n}": 3 for n in range(1, 15)}),
    Case("GET", "/episodes/{w.episode}/progress", CLINICAL_READ),
    Case("GET", "/episodes/{w.episode}/progress/berg.svg", CLINICAL_READ),
    Case("POST", "/episodes/{w.episode}/goals", CLINICAL_WRITE, form=lambda w: {"measure_id": "berg", "target": 52}),
    Case("POST", "/episodes/{w.episode}/questionnaire-requests", CLINICAL_WRITE, form=lambda w: {"measure_id": "lefs"}),
    Case("GET", "/portal/questionnaires/{w.episode}/nprs", PORTAL_CANCEL),
    Case("POST", "/portal/questionnaires/{w.episode}/nprs", PORTAL_CANCEL, form=lambda w: {"item-1": 3}),
    Case("GET", "/visits/{w.visit_open}/balance", CLINICAL_WRITE),
    Case("POST", "/visits/{w.visit_open}/balance", CLINICAL_WRITE, files=_trial_file("file-0"),
         form=lambda w: {"vision-0": "open", "surface-0": "foam", "stance-0": "bipedal"}),
    Case("GET", "/balance-trials/{w.balance_trial}/statokinesigram.svg", CLINICAL_READ),
    Case("GET", "/balance-trials/{w.balance_trial}/stabilogram.svg", CLINICAL_READ),
    Case("GET", "/episodes/{w.episode}/balance.svg", CLINICAL_READ),
    Case("GET", "/visits/{w.visit_open}/movement", CLINICAL_WRITE),
    Case("POST", "/visits/{w.visit_open}/movement", CLINICAL_WRITE, files=_gait_file("file"),
         form=lambda w: {"kind": "imu_gait", "sampling_rate_hz": "204.8"}),
    Case("GET", "/movement-recordings/{w.video_recording}/angles.svg", CLINICAL_READ),
    Case("GET", "/visits/{w.visit_open}/training", CLINICAL_WRITE),
    Case("POST", "/visits/{w.visit_open}/training/resume", RESUME),
    Case("GET", "/movement-recordings/{w.gait_recording}/gait.svg", CLINICAL_READ),
    Case("GET", "/visits/{w.visit_open}/billing", BILLING),
    Case("POST", "/visits/{w.visit_open}/billing", CLINICAL_WRITE,
         form=lambda w: {"code": "97112", "minutes": "24", "assistant_minutes": "", "region": ""}),
    Case("POST", "/visits/{w.visit_done}/claims", BILLING, prepare=_unbilled),
    Case("GET", "/visits/{w.visit_open}/note", CLINICAL_WRITE),
    Case("POST", "/visits/{w.visit_open}/note", CLINICAL_WRITE, form=lambda w: NOTE_FORM, prepare=_drafted),
    # patients' records: demographics, coverage (subscriber, secondary payer), eligibility from the chart
    Case("PATCH", "/api/v1/coverages/{w.coverage}", STAFF_WRITE, json=lambda w: {"group_number": "G-7"}),
    Case("POST", "/api/v1/coverages/{w.coverage}/deactivate", STAFF_WRITE, json=lambda w: {"reason": "Plan ended"}),
    Case("GET", "/patients/{w.p1}/edit", STAFF_RECORD_READ),
    Case("POST", "/patients/{w.p1}/edit", STAFF_WRITE, form=lambda w: {**PATIENT_EDIT}),
    Case("GET", "/patients/{w.p1}/coverages/new", STAFF_RECORD_READ),
    Case("POST", "/patients/{w.p1}/coverages/new", STAFF_WRITE, form=lambda w: {**SPOUSE_PLAN, "priority": "2"}),
    Case("GET", "/coverages/{w.coverage}/edit", STAFF_RECORD_READ),
    Case("POST", "/coverages/{w.coverage}/edit", STAFF_WRITE, form=lambda w: {**SPOUSE_PLAN, "plan_kind": "medicare"}),
    Case("GET", "/coverages/{w.coverage}/deactivate", STAFF_RECORD_READ),
    Case("POST", "/coverages/{w.coverage}/deactivate", STAFF_WRITE, form=lambda w: {"reason": "Plan ended"}),
    Case("GET", "/coverages/{w.coverage}/eligibility", BILLING),
    Case("GET", "/coverages/{w.coverage}/eligibility/270", BILLING),
    Case("POST", "/coverages/{w.coverage}/eligibility", BILLING, form=lambda w: {"x12": PT_271}),
    # the visit's life (issue 18 item 3): its page, minutes per activity, completion after confirmation
    Case("GET", "/visits/{w.visit_open}", CLINICAL_WRITE),
    Case("POST", "/visits/{w.visit_open}/activities", CLINICAL_WRITE,
         form=lambda w: {"activity": "gait_training", "minutes": "8"}),
    Case("GET", "/visits/{w.visit_open}/complete", CLINICAL_WRITE),
    Case("POST", "/visits/{w.visit_open}/complete", CLINICAL_WRITE),
    # billing worklist and claim corrections (issue 18, item 5)
    Case("GET", "/billing", STAFF_LIST),
    Case("GET", "/claims/{w.claim}", BILLING),
    Case("POST", "/claims/{w.claim}/replacement", BILLING, form=lambda w: {"reason": "member ID corrected"}),
    Case("POST", "/claims/{w.claim}/void", BILLING, form=lambda w: {"reason": "billed in error"}),
    Case("POST", "/api/v1/claims/{w.claim}/replacement", BILLING, json=lambda w: {"reason": "member ID corrected"}),
    Case("POST", "/api/v1/claims/{w.claim}/void", BILLING, json=lambda w: {"reason": "billed in error"}),
    # administration (issue 18 item 7): the administrator's pages; only the audit log's show patients' data
    # (its views and its CSV export are audited)
    Case("GET", "/admin", ADMIN_ONLY, audited=False),
    Case("GET", "/admin/users", ADMIN_ONLY, audited=False),
    Case("POST", "/admin/users", ADMIN_ONLY, form=lambda w: {
        "full_name": "Pat Assist", "email": "pat.assist@example.org", "role": "pt_assistant", "credentials": "PTA",
        "npi": "", "password": "violet lantern orchard canoe"}),
    Case("GET", "/admin/users/{w.user_ids[assistant]}", ADMIN_ONLY, audited=False),
    Case("POST", "/admin/users/{w.user_ids[assistant]}", ADMIN_ONLY, form=lambda w: {
        "full_name": "Assistant", "role": "pt_assistant", "credentials": "PTA", "npi": ""}),
    Case("POST", "/admin/users/{w.user_ids[assistant]}/active", ADMIN_ONLY,
         form=lambda w: {"active": "no", "reason": "left the clinic"}),
    Case("POST", "/admin/users/{w.user_ids[assistant]}/password", ADMIN_ONLY,
         form=lambda w: {"password": "violet lantern orchard canoe"}),
    Case("GET", "/admin/clinic", ADMIN_ONLY, audited=False),
    Case("POST", "/admin/clinic", ADMIN_ONLY, form=lambda w: {
        "name": "Alpha Rehab", "npi": "", "tax_id": "12-3456789", "billing_address": "12 River Road",
        "billing_city": "Springfield", "billing_state": "IL", "billing_postal_code": "62701-1234",
        "billing_phone": "", "pta_notes_need_cosignature": "on"}),
    Case("POST", "/admin/fees", ADMIN_ONLY, form=lambda w: {"fee-97112": "62.00", "fee-97110": "50"}),
    Case("GET", "/admin/locations", ADMIN_ONLY, audited=False),
    Case("POST", "/admin/locations", ADMIN_ONLY,
         form=lambda w: {"name": "North", "address": "", "timezone": "America/Chicago"}),
    Case("GET", "/admin/locations/{w.location_id}", ADMIN_ONLY, audited=False),
    Case("POST", "/admin/locations/{w.location_id}", ADMIN_ONLY,
         form=lambda w: {"name": "Alpha Main", "address": "", "timezone": "America/Chicago"}),
    Case("POST", "/admin/locations/{w.location_id}/hours", ADMIN_ONLY,
         form=lambda w: {"opens-0": "08:00", "closes-0": "12:00"}),
    Case("POST", "/admin/locations/{w.location_id}/rooms", ADMIN_ONLY, form=lambda w: {"name": "Room 2"}),
    Case("POST", "/admin/rooms/{w.room_ids[1]}", ADMIN_ONLY, form=lambda w: {"name": "Room One"}),
    Case("GET", "/admin/rooms/{w.room_ids[1]}/remove", ADMIN_ONLY, audited=False),
    Case("POST", "/admin/rooms/{w.room_ids[1]}/remove", ADMIN_ONLY),
    Case("GET", "/admin/audit?patient=quennell", ADMIN_ONLY),
    Case("GET", "/admin/audit.csv?patient=quennell", ADMIN_ONLY),
    # episodes of care (issue 18, item 1): a PT or chiropractor opens and discharges, clinicians edit
    Case("PATCH", "/api/v1/episodes/{w.episode}", CLINICAL_WRITE, json=lambda w: {"precautions": "No running"}),
    Case("GET", "/patients/{w.p1}/episodes/new", CLINICAL_WRITE),
    Case("POST", "/patients/{w.p1}/episodes/new", CLINICAL_WRITE,
         form=lambda w: {"condition": "sciatica", "diagnoses": "M54.41", "action": "open"}),
    Case("GET", "/diagnoses/search?q=knee", STAFF_FORM, audited=False),
    Case("GET", "/episodes/{w.episode}", CLINICAL_WRITE),
    Case("POST", "/episodes/{w.episode}", CLINICAL_WRITE,
         form=lambda w: {"section": "precautions", "precautions": "No running", "red_flags": ""}),
    Case("POST", "/episodes/{w.episode}/diagnoses", CLINICAL_WRITE, form=lambda w: {"add_code": "Z91.81"}),
    Case("POST", "/episodes/{w.episode}/diagnoses/remove", CLINICAL_WRITE, form=lambda w: {"code": "Z91.81"},
         prepare=_second_diagnosis),
    Case("POST", "/episodes/{w.episode}/care-team", CLINICAL_WRITE,
         form=lambda w: {"care_team": [w.user_ids["therapist"], w.user_ids["assistant"]],
                         "lead_id": w.user_ids["therapist"]}),
    Case("GET", "/episodes/{w.episode}/discharge", CLINICAL_WRITE),
    Case("POST", "/episodes/{w.episode}/discharge", CLINICAL_WRITE, form=lambda w: DISCHARGE),
    # scheduling (issue 18 item 4): grids, confirmation pages, series, picker, my patients
    Case("GET", "/schedule?day=2026-11-25&view=week&by=room", STAFF_LIST),
    Case("GET", "/appointments/{w.appt_future}/cancel", OWN_OR_STAFF),
    Case("GET", "/appointments/{w.appt_past}/no-show", STAFF_WRITE),
    Case("GET", "/my-patients", MY_PATIENTS),
    Case("GET", "/appointments/new?q=quen", STAFF_LIST),
    Case("POST", "/appointments/new", STAFF_WRITE,
         form=lambda w: {"patient_id": w.p1, "provider_id": w.user_ids["therapist"], "weekday": ["0", "3"],
                         "weeks": "2", "date": local(1, 0).date().isoformat(), "time": "11:00"}),
    Case("POST", "/api/v1/appointments/series", STAFF_WRITE,
         json=lambda w: {"patient_id": w.p1, "provider_id": w.user_ids["therapist"], "location_id": w.location_id,
                         "first_day": local(1, 0).date().isoformat(), "at": "11:00", "weekdays": [0, 3], "weeks": 2}),
    # issue 19: findings to problems (a PT or chiropractor decides the problem list; clinicians read it)
    Case("GET", "/episodes/{w.episode}/problems", CLINICAL_WRITE),
    Case("POST", "/episodes/{w.episode}/problems/propose", CLINICAL_WRITE, form=lambda w: {"visit_id": w.visit_open}),
    Case("POST", "/episodes/{w.episode}/problems", CLINICAL_WRITE, form=lambda w: {"statement": "Cannot climb stairs"}),
    Case("POST", f"/episodes/{{w.episode}}/problems/{FIRST_PROBLEM}/accept", CLINICAL_WRITE,
         form=lambda w: {"statement": "Impaired balance", "interventions": "technique:balance-training"},
         prepare=_proposed_problem),
    Case("POST", f"/episodes/{{w.episode}}/problems/{FIRST_PROBLEM}/reject", CLINICAL_WRITE, prepare=_proposed_problem),
    # issue 19: FHIR (the episode exported as a Bundle, a referral Bundle imported)
    Case("GET", "/api/v1/episodes/{w.episode}/fhir", CLINICAL_WRITE),  # clinicians of the clinic, not the portal
    Case("POST", "/api/v1/fhir/referrals", IMPORT_REFERRAL,
         json=lambda w: json.loads((Path(__file__).parents[1] / "data" / "fhir_referral.json").read_text())),
    Case("GET", "/referrals/import", IMPORT_REFERRAL, audited=False),
    Case("POST", "/referrals/import", IMPORT_REFERRAL,
         files=lambda w: {"file": ("referral.json", (Path(__file__).parents[1] / "data" / "fhir_referral.json")
                                   .read_bytes(), "application/fhir+json")}),
    # issue 19: goals and the plan of care
    Case("GET", "/episodes/{w.episode}/goals", CLINICAL_WRITE),
    Case("POST", "/episodes/{w.episode}/goals/new", CLINICAL_WRITE,
         form=lambda w: {"term": "short", "description": "Stairs with one rail"}),
    Case("POST", f"/goals/{FIRST}", CLINICAL_WRITE, form=lambda w: {"measure_id": "berg", "target": "52"},
         prepare=_goal),
    Case("POST", f"/goals/{FIRST}/status", CLINICAL_WRITE, form=lambda w: {"status": "met"}, prepare=_goal),
    Case("GET", "/episodes/{w.episode}/plan", STAFF_RECORD_READ, prepare=_signed_plan),
    Case("POST", "/episodes/{w.episode}/plan", CLINICAL_WRITE, form=lambda w: PLAN_FORM),
    Case("POST", f"/plans/{FIRST}", CLINICAL_WRITE, form=lambda w: {**PLAN_FORM, "weeks": "4"}, prepare=_draft_plan),
    Case("POST", f"/plans/{FIRST}/sign", CLINICAL_WRITE, prepare=_draft_plan),
    Case("POST", f"/plans/{FIRST}/new-version", CLINICAL_WRITE, prepare=_signed_plan),
    Case("GET", f"/plans/{FIRST}/plan-of-care.pdf", CLINICAL_WRITE, prepare=_draft_plan),
    Case("POST", f"/plans/{FIRST}/certification", STAFF_WRITE,
         form=lambda w: {"physician_name": "Dr Ada Reyes", "sent_on": NOW.date().isoformat()}, prepare=_signed_plan),
    Case("POST", f"/plans/{FIRST}/signature", STAFF_WRITE, files=lambda w: {"signature": ("signed.png", SCAN, "image/png")},
         prepare=_signed_plan),
    Case("GET", f"/plans/{FIRST}/signature", CLINICAL_WRITE, prepare=_scanned_plan),
    # issue 19: progress reports and the discharge summary (a PT or chiropractor drafts and signs; the report
    # cases' report takes the episode's id), and the clinic's documentation due (staff; names and dates)
    Case("GET", "/episodes/{w.episode}/reports/new?kind=progress_report", CLINICAL_WRITE),
    Case("POST", "/episodes/{w.episode}/reports/new", CLINICAL_WRITE, form=lambda w: {"kind": "progress_report"}),
    Case("GET", "/reports/{w.episode}", CLINICAL_WRITE, prepare=_report_drafted),
    Case("POST", "/reports/{w.episode}", CLINICAL_WRITE, form=lambda w: {"assessment": "Steadier.", "action": "save"},
         prepare=_report_drafted),
    Case("POST", "/reports/{w.episode}/addenda", CLINICAL_WRITE, form=lambda w: {"text": "Berg re-scored."},
         prepare=_report_signed),
    Case("GET", "/reports/{w.episode}/document", CLINICAL_WRITE, prepare=_report_drafted),
    Case("GET", "/documentation/due", STAFF_LIST),
    # issue 20, the programme: the episode's home programme (its clinicians; those who may prescribe write) and
    # the patient's Today (the item's id is the episode's, as the prepared programme numbers it)
    Case("GET", "/episodes/{w.episode}/home", CLINICAL_WRITE, prepare=_home_programme),
    Case("POST", "/episodes/{w.episode}/home", CLINICAL_WRITE, form=lambda w: HOME_FORM),
    Case("GET", "/portal/today", PORTAL_PAGE, prepare=_home_programme),
    Case("POST", "/portal/today/{w.episode}/done", PORTAL_CANCEL, form=lambda w: {"sets_done": "2", "pain": "1"},
         prepare=_home_programme),
    # issue 20, the figure slice: the patient sees their own exercises' figures, staff any (the library's, not
    # audited); the printed programme: the patient's own, and an episode's for its clinicians
    Case("GET", "/portal/exercises/mini-squat/figure.svg", PORTAL_CANCEL, audited=False, prepare=_home_programme),
    Case("GET", "/exercises/mini-squat/figure.svg", STAFF_FORM, audited=False),
    Case("GET", "/portal/programme.pdf", PORTAL_CANCEL, prepare=_home_programme),
    Case("GET", "/episodes/{w.episode}/home/programme.pdf", CLINICAL_WRITE, prepare=_home_programme),
    # issue 20: remote therapeutic monitoring (clinicians read; MONITOR_REMOTELY, the clinicians, write, each form
    # posted to the page's own address; whoever sees billing has the claim lines and the superbill alone)
    Case("GET", "/patients/{w.p1}/rtm", CLINICAL_WRITE),
    Case("POST", "/patients/{w.p1}/rtm", CLINICAL_WRITE, form=lambda w: {
        "do": "time", "episode_id": str(w.episode), "performed_on": "2026-11-25", "minutes": "15",
        "activity": "interactive", "interactive": "yes", "note": ""}),
    Case("POST", "/patients/{w.p1}/rtm", CLINICAL_WRITE,
         form=lambda w: {"do": "setup", "episode_id": str(w.episode), "performed_on": "2026-11-25", "note": ""}),
    Case("POST", "/patients/{w.p1}/rtm", CLINICAL_WRITE, prepare=_rtm_time, form=lambda w: {
        "do": "remove", "episode_id": str(w.episode), "entry_id": str(FIRST), "reason": "logged twice"}),
    Case("GET", "/patients/{w.p1}/rtm/claims", BILLING, prepare=_rtm_set_up),
    Case("GET", "/patients/{w.p1}/rtm/superbill.pdf", BILLING, prepare=_rtm_set_up),
    # issue 20, adherence: the patient's calendar (another patient sees their own, empty), the clinician's panel
    # (another clinic's therapist sees only their own patients), a severe pain report marked reviewed
    Case("GET", "/portal/calendar", PORTAL_PAGE, prepare=_home_session),
    Case("GET", "/home-programmes", MY_PATIENTS, prepare=_home_session),
    Case("POST", f"/home-sessions/{FIRST}/review", CLINICAL_WRITE, prepare=_home_session),
    Case("GET", "/episodes/{w.episode}/home-adherence.svg", CLINICAL_READ, prepare=_home_session),
    # issue 20: exercise reminders by e-mail (the patient's own choice; the unsubscribe link is in PUBLIC)
    Case("GET", "/portal/reminders", PATIENT_SELF),
    Case("POST", "/portal/reminders", PATIENT_SELF,
         form=lambda w: {"enabled": "on", "email": "me@home.example", "at_local": "08:30", "name_exercises": "on"}),
    # issue 20, the device slice: the patient's guided session page (its socket is the live slice's)
    Case("GET", "/portal/today/{w.episode}/guided", PORTAL_CANCEL, prepare=_home_programme),
    # issue 20, the clip slice: the patient shares a clip of their own ended guided session (the session takes the
    # episode's id, as _home_programme numbers its item); the clinic's clinicians open a shared one
    Case("POST", "/portal/home-sessions/{w.episode}/clip", PORTAL_CANCEL, prepare=_ended_guided_session,
         files=lambda w: {"clip": ("clip.webm", CLIP, "video/webm")}),
    Case("GET", "/home-sessions/{w.episode}/clip", CLINICAL_WRITE, prepare=_shared_clip),
    # issue 20, fixprog: the patient takes back today's mistaken "I did it" (their own only)
    Case("POST", "/portal/today/sessions/{w.episode}/undo", PORTAL_CANCEL, prepare=_home_ticked),
    # issue 21: a background job (an IMU walk uploaded to the open visit and analysed: id FIRST), its JSON and
    # the page's panel
    Case("GET", f"/api/v1/jobs/{FIRST}", CLINICAL_READ, prepare=_finished_job),
    Case("GET", f"/jobs/{FIRST}/panel", CLINICAL_WRITE, prepare=_finished_job),
    # issue 22: surface EMG uploaded to the open visit; a recording (id FIRST), its page, plots and raw file
    Case("POST", "/api/v1/visits/{w.visit_open}/emg-recordings", CLINICAL_WRITE, files=_emg_file("file"),
         form=_emg_fields),
    Case("GET", "/api/v1/visits/{w.visit_open}/emg-recordings", CLINICAL_READ),
    Case("GET", f"/api/v1/emg-recordings/{FIRST}", CLINICAL_READ, prepare=_emg_recorded),
    Case("GET", f"/api/v1/emg-recordings/{FIRST}/raw", CLINICAL_WRITE, prepare=_emg_recorded),
    Case("GET", "/visits/{w.visit_open}/emg", CLINICAL_WRITE),
    Case("POST", "/visits/{w.visit_open}/emg", CLINICAL_WRITE, files=_emg_file("file"), form=_emg_fields),
    Case("GET", f"/emg-recordings/{FIRST}", CLINICAL_WRITE, prepare=_emg_recorded),
    Case("GET", f"/emg-recordings/{FIRST}/envelopes.svg", CLINICAL_READ, prepare=_emg_recorded),
    Case("GET", f"/emg-recordings/{FIRST}/firing-order.svg", CLINICAL_READ, prepare=_emg_recorded),
    Case("GET", f"/emg-recordings/{FIRST}/fatigue.svg", CLINICAL_READ, prepare=_emg_fatigue_recorded),
]

PUBLIC = {("POST", "/api/v1/auth/login"), ("GET", "/healthz"), ("GET", "/login"), ("POST", "/login"),
          # issue 20: an e-mail's unsubscribe link, its token the secret (tests/web/test_reminder_pages.py)
          ("GET", "/reminders/unsubscribe/{token}"), ("POST", "/reminders/unsubscribe/{token}")}
#: WebSocket routes, tried persona by persona in test_each_persona_may_run_a_live_exercise_only_if_allowed.
WEBSOCKETS = {("WS", "/visits/{id}/training/live"),
              ("WS", "/portal/today/{item_id}/live")}  # issue 20, live: the patient's guided home session
LIVE_EXPECT = _pattern("D D D D O D D")
HOME_LIVE_EXPECT = _pattern("D O D D D D D")  # issue 20, live: the patient, their own exercise only


def _normalise(path: str) -> str:
    path = path.replace("{exercise_id}", "{measure_id}")
    for name in ("appointment_id", "visit_id", "episode_id", "administration_id", "trial_id", "recording_id",
                 "coverage_id", "claim_id", "user_id", "location_id", "room_id", "problem_id", "item_id",
                 "session_id", "job_id"):
        path = path.replace("{" + name + "}", "{id}")
    path = path.replace("{report_id}", "{id}")  # issue 19: an episode's report
    return path


def _case_key(case: Case) -> tuple[str, str]:
    path = case.path.split("?")[0]
    for measure_id in ("berg", "tug", "nprs", "mini-squat"):
        path = path.replace(f"/{measure_id}", "/{measure_id}")
    for attribute in ("p1", "episode", "appt_today", "appt_past", "appt_future", "request", "visit_done",
                      "visit_open", "administration", "balance_trial", "gait_recording", "video_recording",
                      "coverage", "claim", "user_ids[assistant]", "location_id", "room_ids[1]"):
        path = path.replace("{w." + attribute + "}", "{patient_id}" if attribute == "p1" else "{id}")
    path = path.replace(f"/problems/{FIRST_PROBLEM}/", "/problems/{id}/")
    path = re.sub(rf"^/(goal|plan)s/{FIRST}(?=/|$)", r"/\1s/{\1_id}", path)  # issue 19: a prepared goal or plan
    path = re.sub(rf"^/home-sessions/{FIRST}/", "/home-sessions/{id}/", path)  # issue 20: a prepared home session
    path = re.sub(rf"^(/api/v1)?/jobs/{FIRST}(?=/|$)", r"\1/jobs/{id}", path)  # issue 21: a prepared job
    path = re.sub(rf"^(/api/v1)?/emg-recordings/{FIRST}(?=/|$)", r"\1/emg-recordings/{id}", path)  # issue 22
    return case.method, path


def all_routes(tmp_path: Path) -> set[tuple[str, str]]:
    """Every (method, path) the app serves: the OpenAPI paths and the page routers' routes."""
    app = create_app(settings_for_tests(tmp_path))
    found = {(method.upper(), _normalise(path))
             for path, operations in app.openapi()["paths"].items() for method in operations}
    for module in pages.MODULES:
        for route in module.router.routes:
            assert isinstance(route, APIRoute)
            found |= {(method, _normalise(route.path)) for method in route.methods if method != "HEAD"}
    found |= {("WS", _normalise(route.path)) for route in live.router.routes}
    return found


def test_every_route_has_an_authorization_case(tmp_path: Path) -> None:
    sockets = {(method, _normalise(path)) for method, path in WEBSOCKETS}
    served, covered = all_routes(tmp_path), {_case_key(case) for case in CASES} | PUBLIC | sockets
    assert served - covered == set(), "add these routes to CASES"
    assert covered - served == set(), "these CASES name routes that do not exist"


@dataclass(frozen=True)
class LoggedIn:
    """The world with every persona logged in (a database template), and each persona's headers."""

    template: Path
    headers: dict[str, dict[str, str]]


@pytest.fixture(scope="module")
def logged_in(site: Site, sqlite_templates: tuple[Path, Path, World],
              tmp_path_factory: pytest.TempPathFactory) -> LoggedIn:
    world, client = sqlite_templates[2], site.reset(sqlite_templates[1])
    with time_machine.travel(NOW, tick=True):
        headers = {persona: bearer(client, world, persona) for persona in PERSONAS if persona != "nobody"}
    template = tmp_path_factory.mktemp("personas") / "logged-in.sqlite3"
    site.save(template)
    return LoggedIn(template, {"nobody": {}, **headers})


@pytest.fixture
def world_engine(site: Site, logged_in: LoggedIn) -> Engine:
    """Here the world with every persona logged in, as kept: a case's writes (a log-out too) end with it."""
    site.reset(logged_in.template)
    return site.engine


def test_a_case_starts_from_the_kept_world_whatever_the_last_one_wrote(site: Site, logged_in: LoggedIn,
                                                                       world: World, frozen: None) -> None:
    client, headers = site.reset(logged_in.template), logged_in.headers["therapist"]
    assert client.post(f"/api/v1/episodes/{world.episode}/discharge", headers=headers,
                       json=DISCHARGE).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    client = site.reset(logged_in.template)
    assert client.get(f"/api/v1/episodes/{world.episode}", headers=headers).json()["discharged_on"] is None


def _audit_rows(engine: Engine, user_id: int | None, action: AuditAction | None = None) -> int:
    statement = select(func.count()).select_from(AuditEvent).where(AuditEvent.user_id == user_id)
    if action is not None:
        statement = statement.where(AuditEvent.action == action)
    with engine.connect() as connection:
        return connection.scalar(statement) or 0


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.path}")
def test_each_persona_gets_only_what_its_role_allows(client: TestClient, world: World, world_engine: Engine,
                                                    logged_in: LoggedIn, case: Case, persona: str) -> None:
    headers = logged_in.headers[persona]
    user_id = world.user_ids.get(persona)
    if case.prepare is not None:
        case.prepare(world_engine, world)
    before = _audit_rows(world_engine, user_id)
    denials_before = _audit_rows(world_engine, user_id, AuditAction.DENIED)
    response = client.request(case.method, case.url(world), headers=headers,
                              json=case.json(world) if case.json else None,
                              data=case.form(world) if case.form else None,
                              files=case.files(world) if case.files else None)
    expected = case.expect[persona]
    to_login = response.status_code == 303 and response.headers["location"].startswith("/login?next=")
    if expected == "denied":
        assert response.status_code in (401, 403, 404) or to_login, (response.status_code, response.text[:300])
        assert SECRET_NAME not in response.text
        if persona != "nobody":
            assert _audit_rows(world_engine, user_id, AuditAction.DENIED) == denials_before + 1
        return
    assert response.status_code < 400 and not to_login, (response.status_code, response.text[:300])
    if expected == "hidden":
        assert SECRET_NAME not in response.text
    elif case.audited:
        assert _audit_rows(world_engine, user_id) > before, "a read or write of patient data left no audit row"


def _answer(response: Any) -> tuple[int, str]:
    """The status and body, numbers blanked: "No visit 5." and "No visit 987654." are the same answer."""
    return response.status_code, re.sub(r"\d+", "#", response.text)


def _refusals_by_id() -> list[Any]:
    """(case, persona) for every route with a record id in its path and every persona refused there."""
    found = []
    for case in CASES:
        if "{w." not in case.path:
            continue
        for persona in PERSONAS[1:]:
            if case.expect[persona] == "denied":
                found.append(pytest.param(case, persona, id=f"{case.method} {case.path}-{persona}"))
    return found


@pytest.mark.parametrize(("case", "persona"), _refusals_by_id())
def test_a_refused_persona_gets_the_answer_a_missing_id_gets(client: TestClient, world: World, world_engine: Engine,
                                                             logged_in: LoggedIn, case: Case, persona: str) -> None:
    if case.prepare is not None:
        case.prepare(world_engine, world)
    answers = [_answer(client.request(case.method, url, headers=logged_in.headers[persona],
                                      json=case.json(world) if case.json else None,
                                      data=case.form(world) if case.form else None,
                                      files=case.files(world) if case.files else None))
               for url in (case.url(world), case.missing_url())]
    assert answers[0][0] in (403, 404) and answers[0] == answers[1], answers


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_may_run_a_live_exercise_only_if_allowed(client: TestClient, world: World, world_engine: Engine,
                                                             logged_in: LoggedIn, persona: str) -> None:
    headers = logged_in.headers[persona]
    user_id = world.user_ids.get(persona)
    before = _audit_rows(world_engine, user_id)
    with client.websocket_connect(f"/visits/{world.visit_open}/training/live", headers=headers) as socket:
        if persona == "nobody":
            first = socket.receive_json()
        else:
            socket.send_json({"type": "start", "exercise": "mini-squat", "monitor": "camera-side", "side": "left",
                              "source": "simulated", "speed": 8})
            first = socket.receive_json()
            if first["type"] == "started":
                socket.send_json({"type": "stop"})
    if LIVE_EXPECT[persona] == "denied":
        assert first["type"] == "error" and SECRET_NAME not in json.dumps(first), first
        if persona != "nobody":
            assert _audit_rows(world_engine, user_id, AuditAction.DENIED) > 0
    else:
        assert first["type"] == "started", first
        assert _audit_rows(world_engine, user_id) > before


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_may_run_a_guided_home_session_only_if_its_own(client: TestClient, world: World,
                                                                   world_engine: Engine, logged_in: LoggedIn,
                                                                   persona: str) -> None:
    # issue 20, live: the patient's own prescribed exercise, posed on their device.
    from tests.web.test_live_home import prescribe

    item = prescribe(world_engine, world)
    headers = logged_in.headers[persona]
    user_id = world.user_ids.get(persona)
    before = _audit_rows(world_engine, user_id)
    with client.websocket_connect(f"/portal/today/{item}/live", headers=headers) as socket:
        if persona != "nobody":
            socket.send_json({"type": "start", "source": "device", "fps": 15})
        first = socket.receive_json()
        if first["type"] == "started":
            socket.send_json({"type": "stop"})
            assert socket.receive_json()["status"] == "ended_early"
    if HOME_LIVE_EXPECT[persona] == "denied":
        assert first["type"] == "error" and SECRET_NAME not in json.dumps(first), first
        if persona != "nobody":
            assert _audit_rows(world_engine, user_id, AuditAction.DENIED) > 0
    else:
        assert first["type"] == "started", first
        assert _audit_rows(world_engine, user_id) > before
