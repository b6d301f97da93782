"""Joint position sense tests in the clinic: an IMU file uploaded to a visit is kept, analysed by the movement
job into the engine's JSON (the CLI's), and written into the note draft with its source; options a test cannot
use, and a file the engine refuses, leave nothing behind."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.access import Actor
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.errors import InvalidInput
from reeducate.clinic.models import Job, MovementRecording, User
from reeducate.clinic.note_draft import draft
from reeducate.clinic.queue import JobQueue
from reeducate.clinic.recording_store import RecordingStore
from reeducate.clinic.services import movement
from reeducate.clinic.vocabulary import MovementKind
from reeducate.signals.io.imu import read_imu
from reeducate.signals.jps import jps_from_imu
from reeducate.signals.kinematics.views import View
from tests.clinic.conftest import row_counts
from tests.signals.jps_data import NECK_PLAN, head_imu_samples, plan_series, write_imu_csv
from tests.support import World

FS = 100.0


def therapist(session: Session, world: World) -> Actor:
    return Actor.of(session.get(User, world.user_ids["therapist"]))


def head_test(tmp_path: Path, plan: list[float] = NECK_PLAN) -> Path:
    """A head sensor's CSV of a cervical relocation test (tests/signals/jps_data.py: errors known)."""
    yaw, _ = plan_series(plan, fs=FS)
    return write_imu_csv(tmp_path / "head.csv", *head_imu_samples(yaw, FS), FS)


def jps_upload(path: Path, **options: object) -> movement.MovementUpload:
    chosen: dict[str, object] = {"joint": "cervical_rotation", "source": "imu", **options}
    return movement.MovementUpload(path.name, path.read_bytes(), MovementKind.JOINT_POSITION_SENSE,
                                   **chosen)  # type: ignore[arg-type]  # the options as a form gives them


@pytest.fixture
def queue(factory: sessionmaker[Session], store: RecordingStore) -> JobQueue:
    """A queue that runs each job at once, in this process, when its upload is committed."""
    return JobQueue("immediate", factory, store, 60.0)


def test_a_head_sensor_test_is_analysed_by_the_job_and_kept_with_the_clis_json(
        factory: sessionmaker[Session], records: World, store: RecordingStore, queue: JobQueue, tmp_path: Path) -> None:
    path = head_test(tmp_path)
    with unit_of_work(factory) as session:
        job_id = movement.submit(session, therapist(session, records), records.visit_open, jps_upload(path), store).id
    with factory() as session:
        job = session.get(Job, job_id)
        assert job is not None and job.status.value == "done", job.error if job else None
        kept = session.scalars(select(MovementRecording).where(
            MovementRecording.kind == MovementKind.JOINT_POSITION_SENSE)).one()
        assert kept.options == {"joint": "cervical_rotation", "side": None, "source": "imu", "protocol": None,
                                "targets": None, "sampling_rate_hz": None}
        assert kept.cadence_steps_per_min is None
        cli = jps_from_imu(read_imu(path), joint="cervical_rotation", side=None).to_dict()
        assert kept.result == {"jps": cli}
        assert [t["side"] for t in kept.result["jps"]["trials"]] == ["left", "right", "left", "right"]
        note = draft(administrations=[], progress=[], trials=[], recordings=[kept], exercises=[], minutes_97112=0)
    assert note["objective"] == (
        "Joint position sense (cervical rotation; relocation to the start position; measured from IMU): "
        "left 2 trials, AE 3.2°, CE +0.2°, VE 3.2°; right 2 trials, AE 3.5°, CE -0.5°, VE 3.5°. "
        "Error positive past the target, negative short of it; no published cut-off applied.")


def test_a_test_uploaded_while_the_clinician_waits_is_kept_too(
        factory: sessionmaker[Session], records: World, store: RecordingStore, tmp_path: Path) -> None:
    with unit_of_work(factory) as session:
        kept = movement.upload_recording(session, therapist(session, records), records.visit_open,
                                         jps_upload(head_test(tmp_path)), store)
        assert kept.kind is MovementKind.JOINT_POSITION_SENSE
        assert kept.result["jps"]["overall"]["n_trials"] == 4
        assert kept.result["jps"]["source_label"] == "measured from IMU"


@pytest.mark.parametrize(("options", "reason"), [
    ({"joint": "knee_flexion"}, "Say which side the knee flexion was tested on"),
    ({"source": "laser"}, "choose video (a side-on clip) or imu"),
    ({"joint": None}, "Say which joint the position sense test is of"),
    ({"joint": "wrist_flexion"}, "cannot be measured from an IMU"),
    ({"targets": (10.0,)}, "give targets only for the reproduction protocol"),
    ({"protocol": "mirror"}, "choose reproduction or relocation"),
])
def test_options_a_test_cannot_use_are_refused_before_anything_is_kept(
        factory: sessionmaker[Session], records: World, store: RecordingStore, tmp_path: Path,
        options: dict[str, object], reason: str) -> None:
    before = row_counts(factory)
    with pytest.raises(InvalidInput, match=re.escape(reason)), unit_of_work(factory) as session:
        movement.submit(session, therapist(session, records), records.visit_open,
                        jps_upload(head_test(tmp_path), **options), store)
    assert row_counts(factory) == before


def test_a_file_without_holds_fails_its_job_with_the_reason_and_is_not_kept(
        factory: sessionmaker[Session], records: World, store: RecordingStore, queue: JobQueue, tmp_path: Path) -> None:
    time = np.arange(0, 20, 1 / FS)
    path = write_imu_csv(tmp_path / "restless.csv", *head_imu_samples(40 * np.sin(time), FS), FS)
    with unit_of_work(factory) as session:
        job_id = movement.submit(session, therapist(session, records), records.visit_open, jps_upload(path), store).id
    with factory() as session:
        job = session.get(Job, job_id)
        assert job is not None and job.status.value == "failed"
        assert "no still hold found" in (job.error or "")
        assert session.scalars(select(MovementRecording).where(
            MovementRecording.kind == MovementKind.JOINT_POSITION_SENSE)).first() is None


def test_a_filmed_test_keeps_its_view_and_region_for_the_job(
        factory: sessionmaker[Session], records: World, store: RecordingStore, tmp_path: Path) -> None:
    JobQueue(f"sqlite:///{tmp_path / 'jobs.sqlite3'}", factory, store, 60.0)  # queued, never run here
    clip = movement.MovementUpload("knee.mp4", b"\x00\x00\x00\x18ftypmp42" + bytes(500), MovementKind.JOINT_POSITION_SENSE,
                                   joint="knee_flexion", side="right", source="video", view=View.SIDE,
                                   region=(0, 100, 640, 480), targets=(30.0, 60.0))
    with unit_of_work(factory) as session:
        job_id = movement.submit(session, therapist(session, records), records.visit_open, clip, store).id
    with factory() as session:
        job = session.get(Job, job_id)
        assert job is not None
        assert job.options == {"kind": "joint_position_sense", "joint": "knee_flexion", "side": "right",
                               "source": "video", "protocol": None, "targets": [30.0, 60.0], "view": "side",
                               "region": [0, 100, 640, 480]}
        again = movement.MOVEMENT_JOB._upload(job, store)
        assert (again.region, again.targets, again.view, again.from_video) == ((0, 100, 640, 480), (30.0, 60.0),
                                                                               "side", True)
        assert movement.MOVEMENT_JOB.stage(job) == "Finding the body in each frame"
