"""The demo's home programmes: what Dorothy Brown practises between visits (with her e-mail reminder and
the remote monitoring her therapists log and bill), and a programme Ana Alvarez has not started yet.

Everything goes through the services a clinic uses. Dorothy's programme has two versions (the tandem
holds lengthened after two weeks, with the reason); over its three weeks she ticks her tandem stance and
sit-to-stand as done on most of their days and does her overhead reach guided by the camera, one such
session stopped by pain 7/10 three days ago (flagged for her therapist). Her guided sessions are the
Sports2D clip's real landmarks (a man reaching overhead twice with bent elbows, frames 0-84) run through
the live engine, the two repetitions looped five times to a set of ten: a recording of another person
standing in for the demo patient, as in the showcase visit; the engine's counts, scores and cues are its
own. Which days are missed is drawn from the demo's seeded random generator. Her remote monitoring was set
up the day the programme began; the minutes logged are demo data, a review each week and a call.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from reeducate.clinic.access import Actor
from reeducate.clinic.models import HomeProgrammeItem, HomeSession, User
from reeducate.clinic.services import home_programmes, home_sessions, reminders, rtm
from reeducate.clinic.services.home_programmes import HomeItemInput, HomeProgrammeInput
from reeducate.clinic.vocabulary import RtmActivity
from reeducate.example_data import fetch
from reeducate.feedback.adapters.camera import pose_samples
from reeducate.feedback.replay import replay
from reeducate.signals.pose.readers import read_landmark_csv
from reeducate.training.catalogue import exercise
from reeducate.training.live import live_exercise

REACH_LANDMARKS = "sports2d_demo_landmarks.csv"
REACH_IMAGE_PX = (1768, 994)  # the Sports2D clip's frame size (example_data/video/README.md)
REACH_FRAMES = 85
"""Frames 0-84 of the clip: arms down, overhead (frame 24), down (42), overhead (57-60), down (84)."""
REACH_LOOPS = 5
PROGRAMME_WEEKS = 3
MISSED_SHARE = 0.2
"""Demo data only: about one exercise day in five left undone."""
PAIN_DAYS_AGO = 3
MON_WED_FRI = [1, 3, 5]
EVERY_DAY = [1, 2, 3, 4, 5, 6, 7]
MONITORING = ((15, "pt", 8, RtmActivity.DATA_REVIEW), (8, "pta", 6, RtmActivity.DATA_REVIEW),
              (2, "pt", 12, RtmActivity.INTERACTIVE), (1, "pta", 5, RtmActivity.DATA_REVIEW))
"""Demo data only: (days ago, who, minutes, on what) of the monitoring time logged for Dorothy."""


def _items(tandem_hold_s: float) -> list[HomeItemInput]:
    return [
        HomeItemInput(exercise_id="overhead-reach", monitor="camera-front", side="left", sets=1, reps=10,
                      weekdays=MON_WED_FRI, notes="Stand by the kitchen counter. Stop if your shoulder hurts."),
        HomeItemInput(exercise_id="tandem-stance", sets=3, hold_s=tandem_hold_s, weekdays=EVERY_DAY,
                      notes="One hand on the counter until you feel steady."),
        HomeItemInput(exercise_id="sit-to-stand", monitor="camera-side", side="right", sets=1, reps=10,
                      weekdays=MON_WED_FRI, notes="Use a firm chair without wheels."),
    ]


@cache
def _guided_reach() -> dict[str, Any]:
    """The engine's summary of the looped clip (see the module docstring), computed once."""
    chosen = exercise("overhead-reach")
    watched = chosen.monitor("camera-front")
    series = read_landmark_csv(fetch(REACH_LANDMARKS), width_px=REACH_IMAGE_PX[0], height_px=REACH_IMAGE_PX[1])
    window = replace(series, time_s=series.time_s[:REACH_FRAMES], xy=series.xy[:REACH_FRAMES],
                     visibility=series.visibility[:REACH_FRAMES])
    samples = [sample for _ in range(REACH_LOOPS) for sample in pose_samples(window)]
    live = live_exercise(chosen, monitor=watched, side="left", sampling_rate_hz=series.fps)
    return replay(live, samples, sampling_rate_hz=series.fps)["summary"]


def patient_email(session: Session, patient_id: int) -> str:
    """The address the patient's reminder goes to: their portal log-in."""
    return session.scalars(select(User.email).where(User.patient_id == patient_id)).one()


def _patient_actor(session: Session, patient_id: int) -> Actor:
    user = session.scalars(select(User).where(User.patient_id == patient_id)).one()
    return Actor.of(user, user_agent="demo seed")


def _at_the_visit(day: date, zone: ZoneInfo) -> datetime:
    """When a version is written: late morning of its first day, in the clinic."""
    return datetime.combine(day, time(11, 15), zone)


def _evening(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(18, 30), zone)


def _done(row: HomeSession, day: date, zone: ZoneInfo, minutes: int) -> None:
    """The session's moments on its own day (the services stamp the seeding time)."""
    row.started_at = _evening(day, zone)
    row.ended_at = row.started_at + timedelta(minutes=minutes)


def seed_dorothy(session: Session, rng: random.Random, therapist: Actor, assistant: Actor, patient_id: int,
                 episode_id: int, today: date, zone: ZoneInfo) -> None:
    """Dorothy's two versions, three weeks of sessions, her reminder and her remote monitoring (module docstring)."""
    start = today - timedelta(weeks=PROGRAMME_WEEKS)
    progressed = today - timedelta(weeks=1)
    home_programmes.prescribe(session, therapist, episode_id, HomeProgrammeInput(
        starts_on=start, items=_items(10.0),
        notes_for_patient="Do these in the late afternoon, when you are not tired. Wear your walking shoes."),
        now=_at_the_visit(start, zone))
    home_programmes.prescribe(session, therapist, episode_id, HomeProgrammeInput(
        starts_on=progressed, items=_items(20.0),
        change_reason="Tandem stance progressed from 10-second to 20-second holds: held 10 s steadily at the visit.",
        notes_for_patient="Do these in the late afternoon, when you are not tired. Wear your walking shoes."),
        now=_at_the_visit(progressed, zone))
    patient = _patient_actor(session, patient_id)
    summary = _guided_reach()
    day = start
    while day < today:
        for item in home_programmes.items_due(session, patient_id, day):
            if rng.random() < MISSED_SHARE:
                continue
            _session_of(session, patient, item, day, summary, pain=(today - day).days == PAIN_DAYS_AGO, zone=zone)
        day += timedelta(days=1)
    email = patient_email(session, patient_id)
    reminders.choose(session, patient, reminders.ReminderChoice(email=email, at_local="16:30"),
                     now=_evening(start, zone))
    rtm.record_setup(session, therapist, patient_id, episode_id, rtm.RtmSetupInput(
        performed_on=start, note="Showed the camera set-up by the kitchen counter; she did one guided reach."))
    for days_ago, who, minutes, activity in MONITORING:
        rtm.log_time(session, therapist if who == "pt" else assistant, patient_id, episode_id, rtm.RtmTimeInput(
            performed_on=today - timedelta(days=days_ago), minutes=minutes, activity=activity))


def _session_of(session: Session, patient: Actor, item: HomeProgrammeItem, day: date, summary: dict[str, Any],
                *, pain: bool, zone: ZoneInfo) -> None:
    if item.monitor == "camera-front":
        row = home_sessions.start_guided(session, patient, item.id, day=day)
        if pain:
            home_sessions.report_pain(session, patient, row.id, summary, score=7, at_s=summary["active_s"])
        else:
            home_sessions.finish(session, patient, row.id, summary)
        _done(row, day, zone, minutes=6)
    else:
        row = home_sessions.tick_done(session, patient, item.id, day=day)
        _done(row, day, zone, minutes=5)


def seed_not_started(session: Session, therapist: Actor, episode_id: int, today: date, zone: ZoneInfo) -> None:
    """A programme begun four days ago with nothing done yet (the therapist's panel shows it)."""
    begun = today - timedelta(days=4)
    home_programmes.prescribe(session, therapist, episode_id, HomeProgrammeInput(
        starts_on=begun, notes_for_patient="Little and often: twice a day if you can.",
        items=[HomeItemInput(exercise_id="mini-squat", monitor="camera-side", side="right", sets=2, reps=10,
                             weekdays=EVERY_DAY),
               HomeItemInput(exercise_id="step-up", monitor="camera-side", side="right", sets=2, reps=10,
                             weekdays=MON_WED_FRI)]), now=_at_the_visit(begun, zone))
