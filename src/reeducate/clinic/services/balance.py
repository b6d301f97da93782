"""Posturography in the clinic: force-plate trials uploaded to a visit, and followed over an episode.

The analysis is the pure balance engine's; this module decides who may do what, refuses a bad file
before anything is stored (a batch of uploads is all or nothing), keeps the raw file in the
recording store under its SHA-256, and audits every read and write. Every file is read in a reader
process (:mod:`reeducate.clinic.isolation`), and no database transaction is held open while it is.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from reeducate.clinic.access import Actor
from reeducate.clinic.audit_log import record
from reeducate.clinic.db import utcnow
from reeducate.clinic.errors import InvalidInput
from reeducate.clinic.isolation import RECORDING, readers
from reeducate.clinic.models import BalanceTrial, Job, Visit
from reeducate.clinic.recording_store import RecordingStore
from reeducate.clinic.services import jobs, recordings
from reeducate.clinic.services.jobs import Progress
from reeducate.clinic.uploads import check_size, safe_name
from reeducate.clinic.vocabulary import AuditAction, JobKind
from reeducate.signals.balance import PRESETS, BalanceResult, Preset, analyze_cop, prepare
from reeducate.signals.io import read_cop
from reeducate.signals.posturography.clinical import (
    Condition,
    SensoryInteraction,
    Stance,
    Surface,
    Vision,
    sensory_interaction,
)
from reeducate.signals.posturography.trial import PreparedTrial

#: Largest upload accepted (bytes): a 60-s, 1 kHz, 12-channel text export is about 10 MB.
MAX_UPLOAD_BYTES = 25 * 1024 * 1024
MAX_TRIALS_PER_UPLOAD = 12


@dataclass(frozen=True)
class TrialUpload:
    """One file as received, with the condition it was recorded in."""

    filename: str
    content: bytes
    condition: Condition


def _analysed(path: Path, preset: Preset, condition: Condition, height_cm: float | None) -> BalanceResult:
    """In a reader process: the trial's file read and analysed."""
    return analyze_cop(read_cop(path), preset, condition=condition, height_cm=height_cm)


def _prepared(path: Path, preset: Preset) -> PreparedTrial:
    """In a reader process: a stored trial's COP read again and preprocessed (for its plots)."""
    return prepare(read_cop(path), preset)[0]


def analyse(upload: TrialUpload, preset: Preset = "quijoux2021", height_cm: float | None = None) -> BalanceResult:
    """The engine's result for one file; InvalidInput naming the problem when it cannot be analysed."""
    name = safe_name(upload.filename)
    check_size(name, upload.content, MAX_UPLOAD_BYTES, "export only the trial")
    return readers().read(name, upload.content, RECORDING, _analysed, preset, upload.condition, height_cm)


def named_preset(text: str) -> Preset:
    """The preprocessing preset a form names."""
    if text not in PRESETS:
        raise InvalidInput(f"Unknown preset {text!r}; choose {' or '.join(PRESETS)}.")
    return text


def _check(session: Session, actor: Actor, visit_id: int, uploads: list[TrialUpload], preset: Preset,
           height_cm: float | None) -> Visit:
    """What can be refused without reading the files; the open visit they are added to."""
    visit = recordings.open_visit(session, actor, visit_id, "record balance trials", "the trials")
    named_preset(preset)  # the type is not enforced when called: still refused here
    if not uploads:
        raise InvalidInput("Choose at least one recording to upload.")
    if len(uploads) > MAX_TRIALS_PER_UPLOAD:
        raise InvalidInput(f"Upload at most {MAX_TRIALS_PER_UPLOAD} trials at a time.")
    if height_cm is not None and not 50 <= height_cm <= 250:
        raise InvalidInput("Enter the patient's height in centimetres (50-250).")
    for upload in uploads:
        check_size(safe_name(upload.filename), upload.content, MAX_UPLOAD_BYTES, "export only the trial")
    return visit


def upload_trials(
    session: Session, actor: Actor, visit_id: int, uploads: list[TrialUpload], store: RecordingStore, *,
    preset: Preset = "quijoux2021", height_cm: float | None = None, now: datetime | None = None,
    commit_before_analysis: bool = True,
) -> list[BalanceTrial]:
    """A clinician adds force-plate trials to an open visit, analysed while they wait; every file is analysed
    before any is kept (the demo's seed and the tests; the clinic's pages and API :func:`submit` a job).

    The checks are made, then (``commit_before_analysis``) their read transaction is committed so that
    no lock is held while the files are analysed; the trials are inserted in a fresh transaction, where
    the visit is checked again. A caller that must stay one transaction (the demo's seed) passes False.
    """
    visit = _check(session, actor, visit_id, uploads, preset, height_cm)
    if commit_before_analysis:
        session.commit()
    results = [analyse(upload, preset, height_cm) for upload in uploads]
    digests = [recordings.keep_raw(session, store, upload.content) for upload in uploads]
    return _keep(session, actor, visit, uploads, digests, results, preset, height_cm, now or utcnow())


def submit(session: Session, actor: Actor, visit_id: int, uploads: list[TrialUpload], store: RecordingStore, *,
           preset: Preset = "quijoux2021", height_cm: float | None = None) -> Job:
    """A clinician adds force-plate trials to an open visit: the files are kept and a job analyses them, all
    or nothing (what can be refused without reading them is refused now)."""
    visit = _check(session, actor, visit_id, uploads, preset, height_cm)
    files = [jobs.Upload(safe_name(u.filename), u.content, dataclasses.asdict(u.condition)) for u in uploads]
    return jobs.create(session, actor, visit, JobKind.BALANCE_TRIALS, files,
                       {"preset": preset, "height_cm": height_cm}, store)


def _keep(session: Session, actor: Actor, visit: Visit, uploads: list[TrialUpload], digests: list[str],
          results: list[BalanceResult], preset: Preset, height_cm: float | None,
          now: datetime) -> list[BalanceTrial]:
    """Insert the analysed trials (raw files stored under ``digests``) into ``visit``, checked again."""
    recordings.still_open(session, actor, visit, "the trials")
    trials = []
    for upload, digest, result in zip(uploads, digests, results, strict=True):
        trial = BalanceTrial(
            patient_id=visit.patient_id, episode_id=visit.episode_id, visit_id=visit.id,
            filename=safe_name(upload.filename), sha256=digest, size_bytes=len(upload.content),
            vision=upload.condition.vision, surface=upload.condition.surface, stance=upload.condition.stance,
            preset=preset, height_cm=height_cm, mean_velocity_cm_s=result.sway.mean_velocity_cm_s,
            ellipse_area_cm2=result.sway.ellipse_area_95_cm2, equilibrium_score=result.equilibrium_score,
            result=result.to_dict(), recorded_at=now, recorded_by_id=actor.user_id,
        )
        session.add(trial)
        session.flush()
        record(session, actor, AuditAction.CREATE, "balance_trial", trial.id, patient_id=visit.patient_id,
               detail=f"{upload.condition.label}: {result.sway.mean_velocity_cm_s:.2f} cm/s")
        trials.append(trial)
    return trials


class BalanceJob:
    """A set of force-plate trials' job (:class:`reeducate.clinic.queue.Handler`): each file read and
    analysed in the reader pool, then all of them kept, or none (the first refusal refuses the job)."""

    def stage(self, job: Job) -> str:
        return "Analysing the trials"

    def analyse(self, job: Job, store: RecordingStore, progress: Progress) -> list[BalanceResult]:
        results = []
        for done, upload in enumerate(self._uploads(job, store)):
            progress.write(done, len(job.files))
            results.append(analyse(upload, job.options["preset"], job.options["height_cm"]))
        progress.write(len(job.files), len(job.files))
        return results

    def keep(self, session: Session, job: Job, analysed: list[BalanceResult],
             store: RecordingStore) -> tuple[dict[str, Any], str]:
        trials = _keep(session, jobs.requester(job), job.visit, self._uploads(job, store),
                       [f.sha256 for f in job.files], analysed, job.options["preset"], job.options["height_cm"],
                       utcnow())
        return {"type": "balance_trials", "ids": [t.id for t in trials]}, "Analysed and saved"

    @staticmethod
    def _uploads(job: Job, store: RecordingStore) -> list[TrialUpload]:
        return [TrialUpload(f.filename, store.read(f.sha256), _condition(f.details)) for f in job.files]


def _condition(details: dict[str, str]) -> Condition:
    """A trial's condition as a job's file keeps it (the enums' values)."""
    return Condition(Vision(details["vision"]), Surface(details["surface"]), Stance(details["stance"]))


BALANCE_JOB = BalanceJob()


def for_visit(session: Session, actor: Actor, visit_id: int) -> list[BalanceTrial]:
    return recordings.of_visit(session, actor, BalanceTrial, visit_id, "balance_trials")


def for_episode(session: Session, actor: Actor, episode_id: int) -> list[BalanceTrial]:
    return recordings.of_episode(session, actor, BalanceTrial, episode_id, "balance_trials")


def get(session: Session, actor: Actor, trial_id: int) -> BalanceTrial:
    return recordings.one(session, actor, BalanceTrial, trial_id, "balance_trial")


def raw_file(session: Session, actor: Actor, trial_id: int, store: RecordingStore) -> tuple[str, bytes]:
    """The file as uploaded (clinicians only)."""
    return recordings.raw(session, actor, BalanceTrial, trial_id, "balance_trial", store)


def prepared_cop(trial: BalanceTrial, store: RecordingStore) -> PreparedTrial:
    """A trial's preprocessed COP, recomputed from its stored raw file (for its plots); ``trial`` as
    :func:`get` gave it, access checked and audited."""
    return readers().read(safe_name(trial.filename), store.read(trial.sha256), RECORDING, _prepared, trial.preset)


def sensory_comparison(trials: list[BalanceTrial]) -> SensoryInteraction | None:
    """The mCTSIB comparison of a visit's bipedal trials on mean sway velocity; None if one condition."""
    velocity: dict[tuple[Vision, Surface], list[float]] = defaultdict(list)
    scores: dict[tuple[Vision, Surface], list[float]] = defaultdict(list)
    for trial in trials:
        if trial.stance is not Stance.BIPEDAL:
            continue
        velocity[(trial.vision, trial.surface)].append(trial.mean_velocity_cm_s)
        if trial.equilibrium_score is not None:
            scores[(trial.vision, trial.surface)].append(trial.equilibrium_score)
    if len(velocity) < 2:
        return None
    return sensory_interaction("mean sway velocity (cm/s)", velocity, scores)


def velocity_by_condition(trials: list[BalanceTrial]) -> dict[str, list[tuple[date, float]]]:
    """Each condition's mean sway velocity (cm/s) by day, averaging a day's repeated trials."""
    by_day: dict[str, dict[date, list[float]]] = defaultdict(lambda: defaultdict(list))
    for trial in trials:
        label = Condition(trial.vision, trial.surface, trial.stance).label
        by_day[label][trial.recorded_at.date()].append(trial.mean_velocity_cm_s)
    return {label: sorted((day, sum(v) / len(v)) for day, v in days.items()) for label, days in by_day.items()}
