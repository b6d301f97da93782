"""The demo clinic shows the whole product on real recordings, seeding it again changes nothing, and a
recording missing from the example data stops the seed instead of leaving a part out."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reeducate import example_data
from reeducate.billing.x12.validation import x12_errors
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.demo import demo_logins, seed_demo
from reeducate.clinic.models import (
    Appointment,
    BalanceTrial,
    CareTeamMember,
    Claim,
    Episode,
    ExerciseRecord,
    MovementRecording,
    NoteAddendum,
    Patient,
    Visit,
    VisitNote,
)
from reeducate.clinic.recording_store import RecordingStore
from reeducate.clinic.services.notes import verify
from reeducate.clinic.vocabulary import AppointmentStatus, Condition, MovementKind, Role
from reeducate.example_data import ExampleDataMissing
from tests.clinic.conftest import row_counts

FRIDAY = date(2026, 11, 20)


def _count(session: Session, model: type, *where: object) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _assert_a_real_clinics_week(session: Session) -> None:
    assert _count(session, Patient) == 12
    conditions = set(session.scalars(select(Episode.condition)))
    assert len(conditions) == 12 and Condition.WHIPLASH in conditions and Condition.STROKE in conditions
    assert _count(session, Visit) > 50
    booked = list(session.scalars(select(Appointment).where(Appointment.status == AppointmentStatus.BOOKED)))
    assert {a.starts_at.date() for a in booked} >= {FRIDAY}
    shared = session.execute(
        select(CareTeamMember.episode_id).group_by(CareTeamMember.episode_id).having(func.count() > 1)
    ).all()
    assert shared, "a PT and a chiropractor share at least one patient"


def _assert_dorothy_shows_every_capability(session: Session) -> None:
    dorothy = session.scalar(select(Patient).where(Patient.last_name == "Brown"))
    assert dorothy is not None
    mine = (BalanceTrial.patient_id == dorothy.id)
    retests = session.scalars(select(BalanceTrial.visit_id).where(mine).distinct()).all()
    assert len(retests) >= 2 and _count(session, BalanceTrial, mine) == 4 * len(retests)
    showcase = max(retests)
    clips = session.scalars(select(MovementRecording).where(MovementRecording.visit_id == showcase)).all()
    assert {c.kind for c in clips} == {MovementKind.VIDEO, MovementKind.IMU_GAIT}
    video = next(c for c in clips if c.kind is MovementKind.VIDEO)
    assert video.result["movement"]["detected_fraction"] > 0.9
    walk = next(c for c in clips if c.kind is MovementKind.IMU_GAIT)
    assert walk.cadence_steps_per_min and 80 < walk.cadence_steps_per_min < 140
    exercises = session.scalars(select(ExerciseRecord).where(ExerciseRecord.visit_id == showcase)).all()
    assert {(e.exercise_id, e.source) for e in exercises} == {("gait-training-imu", "recording"),
                                                             ("two-foot-stance", "recording")}
    assert all(e.active_s > 0 for e in exercises)
    note = session.scalar(select(VisitNote).where(VisitNote.visit_id == showcase))
    assert note is not None and verify(note), "a signed note whose hash still matches"
    assert "replayed from a recorded file" in note.content["objective"]
    assert note.content["nmr"]["minutes"] == 23 and {line["code"] for line in note.billing["lines"]} == {"97112", "97116"}
    assert _count(session, NoteAddendum, NoteAddendum.note_id == note.id) == 1
    claim = session.scalar(select(Claim).where(Claim.visit_id == showcase))
    assert claim is not None and claim.total_charge > 0
    assert x12_errors(claim.x12) == []


@pytest.mark.slow  # the showcase visit's clip goes through MediaPipe
def test_the_demo_shows_the_whole_product_and_seeding_twice_changes_nothing(factory, tmp_path: Path) -> None:
    store = RecordingStore(tmp_path / "recordings")
    with unit_of_work(factory) as session:
        assert seed_demo(session, store, today=FRIDAY) is True
    first = row_counts(factory)
    with factory() as session:
        _assert_a_real_clinics_week(session)
        _assert_dorothy_shows_every_capability(session)
    with unit_of_work(factory) as session:
        assert seed_demo(session, store, today=FRIDAY) is False
    assert row_counts(factory) == first
    roles = {login.role for login in demo_logins()}
    assert {Role.PHYSICAL_THERAPIST, Role.CHIROPRACTOR, Role.FRONT_DESK, Role.PATIENT} <= roles


def test_a_missing_recording_stops_the_seed_and_keeps_nothing(factory, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REEDUCATE_DATA_DIR", raising=False)
    monkeypatch.setattr(example_data, "REPOSITORY_FOLDER", tmp_path / "no-example-data")
    with pytest.raises(ExampleDataMissing, match=r"(?s)needs these.*BDS00160.txt is not in.*balancing_cam04.mp4"):
        with unit_of_work(factory) as session:
            seed_demo(session, RecordingStore(tmp_path / "recordings"), today=FRIDAY)
    assert not any(row_counts(factory).values())
