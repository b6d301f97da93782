"""The job queue: Huey carries "run job N" from the request that stored an upload to a job worker.

Storage by ``queue_url``: Huey's SQLite storage in a file beside the database by default (no service to
run: `reeducate run` starts a worker beside the server), Redis in production (``redis://...``), or
``immediate`` (each job run at once in the process that asks, for tests). The ledger is the database's
``jobs`` table (:mod:`reeducate.clinic.services.jobs`), so the queue may lose a message, or a worker
die in the middle of a clip, and nothing is lost: every worker sweeps the ledger every few seconds and
queues again what was left behind.

A worker runs one job at a time per thread: it claims the job, beats its heart every second (with the
frames posed so far, read from the progress file the reader process writes), analyses the files in the
reader pool (:mod:`reeducate.clinic.isolation`, niced below the web server), and keeps the result in
one transaction under the job's lock, or refuses the job with the reason.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from reeducate.clinic.errors import ClinicError
from reeducate.clinic.models import Job
from reeducate.clinic.recording_store import RecordingStore
from reeducate.clinic.services import jobs
from reeducate.clinic.services.jobs import Progress
from reeducate.clinic.vocabulary import JobKind

log = logging.getLogger(__name__)

TASK_NAME = "reeducate.run_job"
#: How often a running job's heartbeat and progress are written (s).
BEAT_EVERY_S = 1.0
#: A worker idle on the SQLite queue looks for work at least this often (s): Huey backs off to it.
IDLE_POLL_S = 0.5


class Handler(Protocol):
    """What a kind of job does: ``analyse`` its stored files (no database: seconds to minutes, in the
    reader pool, ``progress`` written as it goes) and ``keep`` that analysis in the finishing transaction,
    returning what was kept (``{"type": ..., "ids": [...]}``) and the words that say so."""

    def stage(self, job: Job) -> str:
        """What the job is doing while it runs, for the page (e.g. "Finding the body in each frame")."""
        ...

    def analyse(self, job: Job, store: RecordingStore, progress: Progress) -> Any: ...

    def keep(self, session: Session, job: Job, analysed: Any, store: RecordingStore) -> tuple[dict[str, Any], str]: ...


def handlers() -> dict[JobKind, Handler]:
    """Each kind of job's handler (imported when a job runs: the engines load with them)."""
    from reeducate.clinic.services.balance import BALANCE_JOB
    from reeducate.clinic.services.emg import EMG_JOB
    from reeducate.clinic.services.movement import MOVEMENT_JOB

    return {JobKind.MOVEMENT_RECORDING: MOVEMENT_JOB, JobKind.BALANCE_TRIALS: BALANCE_JOB,
            JobKind.EMG_RECORDING: EMG_JOB}


def _huey(url: str) -> Huey:
    if url == "immediate":
        return MemoryHuey("reeducate", results=False, immediate=True)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("reeducate", results=False, url=url)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey("reeducate", results=False, filename=str(path))
    raise ValueError(f"REEDUCATE_QUEUE_URL {url!r} is not a queue: use redis://host:6379/0, sqlite:///path, "
                     "immediate, or leave it empty for the SQLite file in REEDUCATE_HOME.")


class JobQueue:
    """The queue of one process: where job messages go, and what a worker needs to run them."""

    def __init__(self, url: str, sessions: sessionmaker[Session], store: RecordingStore, lease_s: float) -> None:
        """The queue at ``url``, attached to ``sessions`` (the jobs they commit are queued)."""
        self.huey = _huey(url)
        self.sessions, self.store, self.lease_s = sessions, store, lease_s
        self._task = self.huey.task(name=TASK_NAME)(self.run)
        sessions.configure(info={jobs.JOB_QUEUE: self})

    def enqueue(self, job_id: int) -> None:
        """Send "run job ``job_id``" to the workers (run here and now when immediate)."""
        try:
            self._task(job_id)
        except Exception:  # the queue is down: the job is in the ledger, a worker's sweep queues it again
            log.exception("job %s could not be queued; the next sweep queues it again", job_id)

    def run(self, job_id: int) -> None:
        """Claim and run one job (in a worker thread); nothing if another worker has it or it is finished."""
        with self.sessions() as session:
            if not jobs.claim(session, job_id, self.lease_s):
                return
            job = session.scalars(select(Job).where(Job.id == job_id).options(selectinload(Job.files))).one()
            if job.attempts > jobs.MAX_ATTEMPTS:
                jobs.refuse(session, self.store, job_id, f"The analysis stopped {jobs.MAX_ATTEMPTS} times before "
                            "it finished (the worker was stopped or ran out of memory); upload the file again, "
                            "trimmed if it is long.")
                return
            handler = handlers()[job.kind]
            session.expunge(job)
        with tempfile.TemporaryDirectory(prefix="reeducate-job-") as folder, \
                _Heartbeat(self.sessions, job_id, Progress(Path(folder) / "progress"), handler.stage(job)) as beat:
            try:
                analysed = handler.analyse(job, self.store, beat.progress)
            except ClinicError as refusal:
                with self.sessions() as session:
                    jobs.refuse(session, self.store, job_id, refusal.message)
                return
        self._keep(handler, job_id, analysed)

    def _keep(self, handler: Handler, job_id: int, analysed: Any) -> None:
        with self.sessions() as session:
            try:
                job = jobs.lock_running(session, job_id)
                if job is None:  # another worker finished it meanwhile: kept once, by that one
                    session.rollback()
                    return
                result, text = handler.keep(session, job, analysed, self.store)
                jobs.finish(job, result, text)
                session.commit()
            except ClinicError as refusal:  # e.g. the visit was completed while the file was analysed
                session.rollback()
                jobs.refuse(session, self.store, job_id, refusal.message)

    def pending(self) -> set[int]:
        """The job ids whose message waits in the queue."""
        return {int(task.args[0]) for task in self.huey.pending() if task.name == TASK_NAME and task.args}

    def sweep(self) -> list[int]:
        """Queue again the ledger's jobs left behind (worker dead, message lost); their ids."""
        with self.sessions() as session:
            found = jobs.to_requeue(session, self.lease_s, self.pending())
        for job_id in found:
            log.warning("job %s was left behind (its worker stopped, or its message was lost): queued again", job_id)
            self.enqueue(job_id)
        return found

    def every_minute(self, name: str, task: Callable[[], None]) -> None:
        """Run ``task`` once a minute on one of the workers (Huey's periodic tasks; each worker process's
        scheduler queues it, so the task must be safe to run more than once a minute)."""
        self.huey.periodic_task(crontab(), name=name)(task)

    def work(self, threads: int = 1) -> None:
        """Run the workers until stopped (SIGINT lets a running job finish; SIGTERM stops at once, and a job
        left running is taken up by the next worker once its lease runs out): Huey's consumer, with its
        periodic tasks, and a sweeper beside it every half lease."""
        stop = threading.Event()
        sweeper = threading.Thread(target=self._sweep_until, args=(stop,), name="job-sweeper", daemon=True)
        sweeper.start()
        consumer = self.huey.create_consumer(workers=threads, worker_type="thread", max_delay=IDLE_POLL_S,
                                             periodic=True)
        try:
            consumer.run()
        finally:
            stop.set()

    def _sweep_until(self, stop: threading.Event) -> None:
        while True:
            try:
                self.sweep()
            except Exception:
                log.exception("the job sweep failed; it runs again shortly")
            if stop.wait(min(self.lease_s / 2, 10.0)):
                return


class _Heartbeat:
    """While a job runs: every second, its heartbeat with the progress read from the progress file."""

    def __init__(self, sessions: sessionmaker[Session], job_id: int, progress: Progress, stage: str) -> None:
        self.sessions, self.job_id, self.progress, self.stage = sessions, job_id, progress, stage
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"job-{job_id}-heartbeat", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._stop.wait(BEAT_EVERY_S):
            done, total = self.progress.read() or (0, 0)
            text = f"{self.stage}: {done} of {total}" if total else self.stage
            try:
                with self.sessions() as session:
                    jobs.beat(session, self.job_id, done, total, text)
            except Exception:
                log.exception("job %s: heartbeat not written; the next one tries again", self.job_id)
