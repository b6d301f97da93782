"""Background jobs on a real queue and real worker processes: an upload kept and queued at once, one
worker per job, a worker killed in the middle of a clip whose job the next worker finishes (the
recording kept once), a job left behind queued again, a refusal with its reason and nothing kept."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.access import Actor
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.errors import Conflict
from reeducate.clinic.models import Job, MovementRecording, User, Visit
from reeducate.clinic.queue import JobQueue
from reeducate.clinic.recording_store import RecordingStore
from reeducate.clinic.services import jobs, movement, visits
from reeducate.clinic.vocabulary import JobStatus, MovementKind, VisitStatus
from tests.support import NOW, World, imu_gait_upload, job_worker, killed, video_upload

LEASE_S = 2.0


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def therapist(session: Session, world: World) -> Actor:
    return Actor.of(session.get(User, world.user_ids["therapist"]))


@pytest.fixture
def queue(tmp_path: Path, factory: sessionmaker[Session], store: RecordingStore) -> JobQueue:
    """A real queue (Huey's SQLite storage) that no worker consumes unless the test starts one."""
    return JobQueue(f"sqlite:///{tmp_path / 'jobs.sqlite3'}", factory, store, LEASE_S)


def submitted(factory: sessionmaker[Session], world: World, store: RecordingStore,
              upload: movement.MovementUpload) -> int:
    with unit_of_work(factory) as session:
        return movement.submit(session, therapist(session, world), world.visit_open, upload, store).id


def job_of(factory: sessionmaker[Session], job_id: int) -> Job:
    with factory() as session:
        found = session.get(Job, job_id)
        assert found is not None
        return found


def clips_in_visit(factory: sessionmaker[Session], world: World, sha256: str) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(MovementRecording).where(
            MovementRecording.visit_id == world.visit_open, MovementRecording.sha256 == sha256)) or 0


def wait_for(check: Callable[[], bool], what: str, timeout_s: float = 180.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.2)


@pytest.mark.slow
@pytest.mark.databases("sqlite")  # the embedded default (PostgreSQL: test_production_layout)
def test_a_worker_killed_in_the_middle_of_a_clip_leaves_it_to_the_next_which_keeps_it_once(
        tmp_path: Path, engine: Engine, factory: sessionmaker[Session], records: World, store: RecordingStore,
        queue: JobQueue) -> None:
    upload = video_upload("walk.mp4")
    sha256 = digest(upload.content)
    before = clips_in_visit(factory, records, sha256)
    job_id = submitted(factory, records, store, upload)
    assert store.path(sha256).is_file(), "the upload is kept before any analysis"
    worker = partial(job_worker, engine.url.render_as_string(hide_password=False),
                     f"sqlite:///{tmp_path / 'jobs.sqlite3'}", store.root, tmp_path, lease_s=LEASE_S)
    with worker() as first:
        def posing() -> bool:
            job = job_of(factory, job_id)
            return job.status is JobStatus.RUNNING and 10 <= job.progress_done < job.progress_total
        wait_for(posing, "the first worker to be posing the clip's frames")
        killed(first)
    stopped = job_of(factory, job_id)
    assert stopped.status is JobStatus.RUNNING and stopped.attempts == 1 and 0 < stopped.progress_done < 100
    assert clips_in_visit(factory, records, sha256) == before
    with worker():
        wait_for(lambda: job_of(factory, job_id).status.finished, "the second worker to finish the job")
    done = job_of(factory, job_id)
    assert done.status is JobStatus.DONE, done.error
    assert done.attempts == 2 and done.progress_done == done.progress_total == 100
    assert clips_in_visit(factory, records, sha256) == before + 1
    with factory() as session:
        kept = session.scalars(select(MovementRecording).where(MovementRecording.sha256 == sha256,
                                                               MovementRecording.visit_id == records.visit_open)).one()
        assert done.result == {"type": "movement_recording", "ids": [kept.id]}
        assert kept.result["movement"]["n_frames"] == 100 and kept.recorded_by_id == records.user_ids["therapist"]


def test_one_claim_wins_and_a_running_job_is_taken_again_only_once_its_heartbeat_is_stale(
        factory: sessionmaker[Session], records: World, store: RecordingStore, queue: JobQueue) -> None:
    job_id = submitted(factory, records, store, imu_gait_upload())
    with factory() as session:
        assert jobs.claim(session, job_id, LEASE_S, now=NOW)
        assert not jobs.claim(session, job_id, LEASE_S, now=NOW + timedelta(seconds=LEASE_S / 2))
        assert jobs.claim(session, job_id, LEASE_S, now=NOW + timedelta(seconds=LEASE_S + 1))
    assert job_of(factory, job_id).attempts == 2


def test_a_job_runs_once_whoever_else_was_sent_it(factory: sessionmaker[Session], records: World,
                                                  store: RecordingStore, queue: JobQueue) -> None:
    upload = imu_gait_upload("twice.csv")
    before = clips_in_visit(factory, records, digest(upload.content))
    job_id = submitted(factory, records, store, upload)
    queue.run(job_id)
    queue.run(job_id)  # a second message for the same job (a sweep, a lost acknowledgement): nothing more
    job = job_of(factory, job_id)
    assert job.status is JobStatus.DONE and job.attempts == 1 and len(job.result["ids"]) == 1  # type: ignore[index]
    with factory() as session:
        assert jobs.lock_running(session, job_id) is None  # a late worker finds it finished and keeps nothing
    assert clips_in_visit(factory, records, digest(upload.content)) == before + 1


def test_the_sweep_queues_again_a_stale_job_and_a_lost_message_but_not_a_waiting_one(
        factory: sessionmaker[Session], records: World, store: RecordingStore, queue: JobQueue) -> None:
    waiting = submitted(factory, records, store, imu_gait_upload("a.csv"))  # its message is in the queue
    lost = submitted(factory, records, store, imu_gait_upload("b.csv"))
    stale = submitted(factory, records, store, imu_gait_upload("c.csv"))
    queue.huey.flush()  # every message lost (e.g. Redis restarted without its data)
    queue.enqueue(waiting)
    with factory() as session:
        assert jobs.claim(session, stale, LEASE_S, now=NOW)
        later = NOW + timedelta(seconds=LEASE_S + 1)
        assert jobs.to_requeue(session, LEASE_S, queue.pending(), now=later) == [lost, stale]
        assert jobs.to_requeue(session, LEASE_S, queue.pending(), now=NOW) == []


def test_a_clip_that_cannot_be_read_fails_its_job_with_the_reason_and_nothing_is_kept(
        factory: sessionmaker[Session], records: World, store: RecordingStore, queue: JobQueue) -> None:
    content = b"\x00\x00\x00\x18ftypmp42" + bytes(5000)
    job_id = submitted(factory, records, store, movement.MovementUpload("clip.mp4", content, MovementKind.VIDEO))
    queue.run(job_id)
    job = job_of(factory, job_id)
    assert job.status is JobStatus.FAILED and job.result is None
    assert job.error and "clip.mp4" in job.error
    assert not store.path(digest(content)).exists()


def test_a_visit_waits_for_its_recordings_analysis_before_it_is_completed(
        factory: sessionmaker[Session], records: World, store: RecordingStore, queue: JobQueue) -> None:
    job_id = submitted(factory, records, store, imu_gait_upload("late.csv"))
    with unit_of_work(factory) as session, pytest.raises(Conflict, match="still being analysed"):
        visits.complete(session, therapist(session, records), records.visit_open)
    queue.run(job_id)
    assert job_of(factory, job_id).status is JobStatus.DONE
    with unit_of_work(factory) as session:
        assert visits.complete(session, therapist(session, records), records.visit_open).status is VisitStatus.COMPLETED


def test_a_visit_closed_under_a_running_job_refuses_the_job(
        factory: sessionmaker[Session], records: World, store: RecordingStore, queue: JobQueue) -> None:
    job_id = submitted(factory, records, store, imu_gait_upload("late.csv"))
    with unit_of_work(factory) as session:  # closed by another way than completion (e.g. a restore)
        session.get_one(Visit, records.visit_open).status = VisitStatus.COMPLETED
    queue.run(job_id)
    job = job_of(factory, job_id)
    assert job.status is JobStatus.FAILED and "completed" in (job.error or "")
