"""Surface EMG in the clinic: a recording uploaded to a visit, analysed before it is kept, and read again.

The analysis is the pure EMG engine's (:mod:`reeducate.signals.emg`: channels read in mV where the file says
its units, bursts with onset and offset, the firing order, co-contraction, %MVC, median frequency and the
fatigue slope); this module decides who may do what, refuses what it can without reading the file (options,
size, an MVC recording that is not this patient's), keeps the raw file in the recording store and a job
that reads and analyses it in a reader process (:mod:`reeducate.clinic.isolation`), never in the server's.
The row is inserted in the job's finishing transaction; a file the engine refuses is taken back with its
reason.

An MVC recording is an EMG recording uploaded with ``is_mvc``; a later recording of the same patient may
name it (``mvc_recording_id``), and its raw file is read again, with the channels it was read with, for each
muscle's maximal level. The plots read the raw file again too (:func:`envelopes`), as balance does.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from reeducate.clinic.access import Actor
from reeducate.clinic.audit_log import record
from reeducate.clinic.db import utcnow
from reeducate.clinic.errors import InvalidInput
from reeducate.clinic.isolation import RECORDING, readers
from reeducate.clinic.models import EmgRecording, Job, Visit
from reeducate.clinic.recording_store import RecordingStore
from reeducate.clinic.schemas import EmgOptions
from reeducate.clinic.services import jobs, recordings, visits
from reeducate.clinic.services.jobs import Progress
from reeducate.clinic.uploads import as_file, check_size, safe_name
from reeducate.clinic.vocabulary import AuditAction, JobKind
from reeducate.signals.emg import analyze_emg, read_emg
from reeducate.signals.emg.conditioning import condition, envelope
from reeducate.signals.errors import RecordingError

#: Largest EMG file accepted (bytes): ten minutes of 16 channels at 2000 Hz as a 32-bit C3D is about 80 MB;
#: the longest session we expect on one file (a fatigue protocol of a few minutes) is well under this.
MAX_EMG_BYTES = 100 * 1024 * 1024
#: Most samples analysed in one recording (channels x samples): 16 channels of 4 minutes at 2000 Hz. The engine
#: takes about 4 s per million samples here (the 13-channel shoulder C3D, 0.15 million, in 0.6 s), so this stays
#: within the reader's time limit (60 s) with room for a machine under load.
MAX_SAMPLES = 8_000_000
#: Points per channel in the plotted envelope: a 6 Hz envelope needs no more to look right at page width.
PLOT_POINTS = 2000


@dataclass(frozen=True)
class EmgUpload:
    """One EMG file as received, and how to read and analyse it."""

    filename: str
    content: bytes
    options: EmgOptions


@dataclass(frozen=True)
class StoredFile:
    """A kept raw file and the options it is read with (an MVC recording's, for the reader process)."""

    filename: str
    sha256: str
    channels: tuple[str, ...]
    rate_hz: float | None
    units: str | None

    @classmethod
    def of(cls, recording: EmgRecording) -> StoredFile:
        options = recording.options
        return cls(recording.filename, recording.sha256, tuple(options.get("channels") or ()), options.get("rate_hz"),
                   options.get("units"))

    def to_json(self) -> dict[str, Any]:
        return {"filename": self.filename, "sha256": self.sha256, "channels": list(self.channels),
                "rate_hz": self.rate_hz, "units": self.units}


def _read(path: Path, channels: tuple[str, ...] | list[str], rate_hz: float | None, units: str | None) -> Any:
    recording = read_emg(path, channels=list(channels) or None, rate_hz=rate_hz, units=units)
    if recording.data.size > MAX_SAMPLES:
        raise RecordingError(f"{path.name}: {recording.data.shape[0]} channels of {recording.duration_s:.0f} s at "
                             f"{recording.rate_hz:g} Hz is more than one analysis takes ({MAX_SAMPLES:,} samples); "
                             "export only the contractions, or fewer channels, and upload that.")
    return recording


def _analysed(path: Path, options: EmgOptions, mvc_path: Path | None, mvc: StoredFile | None) -> dict[str, Any]:
    """In a reader process: the recording read and analysed (against the MVC's levels if one is given)."""
    recording = _read(path, options.channels, options.rate_hz, options.units)
    levels = None
    if mvc_path is not None and mvc is not None:
        try:
            levels = _read(mvc_path, mvc.channels, mvc.rate_hz, mvc.units)
        except RecordingError as error:
            raise RecordingError(f"The MVC recording could not be read again: {error}") from None
    try:
        result = analyze_emg(recording, method=options.method, rest_s=options.rest_s, triggers_s=options.triggers_s,
                             reference=options.reference, mvc=levels, pairs=options.pairs, sides=options.sides)
    except RecordingError as error:
        raise RecordingError(f"{path.name}: {error}" if not str(error).startswith(path.name) else str(error)) from None
    return plain_json(result.to_json())


def plain_json(value: Any) -> Any:
    """``value`` with numpy's scalars (a burst's flags come as numpy booleans) as Python's, for a JSON column."""
    if isinstance(value, dict):
        return {key: plain_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain_json(item) for item in value]
    return value.item() if isinstance(value, np.generic) else value


def _checked(upload: EmgUpload) -> str:
    """What can be refused without reading the file (its size); the file's safe name."""
    name = safe_name(upload.filename)
    check_size(name, upload.content, MAX_EMG_BYTES, "export only the contractions and upload that")
    return name


def analyse(upload: EmgUpload, store: RecordingStore, mvc: StoredFile | None = None) -> dict[str, Any]:
    """The engine's result for one file (the CLI's JSON); InvalidInput naming the problem when it cannot be
    analysed. ``mvc``: the MVC recording's kept file, read again beside it."""
    name = _checked(upload)
    with ExitStack() as files:
        mvc_path = files.enter_context(as_file(safe_name(mvc.filename), store.read(mvc.sha256))) if mvc else None
        return readers().read(name, upload.content, RECORDING, _analysed, upload.options, mvc_path, mvc)


def _mvc_of(session: Session, visit: Visit, options: EmgOptions) -> StoredFile | None:
    """The MVC recording ``options`` name: this patient's, marked as an MVC (one refusal for every other case,
    so that it tells nothing of other patients' recordings)."""
    if options.mvc_recording_id is None:
        return None
    found = session.scalar(select(EmgRecording).where(EmgRecording.id == options.mvc_recording_id,
                                                      EmgRecording.patient_id == visit.patient_id))
    if found is None or not found.options.get("is_mvc"):
        raise InvalidInput(f"No MVC recording {options.mvc_recording_id} of this patient: choose one of the "
                           "patient's recordings marked as an MVC, or none.")
    return StoredFile.of(found)


def _check(session: Session, actor: Actor, visit_id: int, upload: EmgUpload) -> tuple[Visit, StoredFile | None, str]:
    visit = recordings.open_visit(session, actor, visit_id, "record EMG", "the recording")
    return visit, _mvc_of(session, visit, upload.options), _checked(upload)


def upload_recording(session: Session, actor: Actor, visit_id: int, upload: EmgUpload, store: RecordingStore, *,
                     now: datetime | None = None, commit_before_analysis: bool = True) -> EmgRecording:
    """A clinician adds an EMG file to an open visit, analysed while they wait, before anything is kept (the
    demo's seed and the tests; the clinic's pages and API :func:`submit` it as a job). As for movement, the
    checks' transaction is committed (``commit_before_analysis``) before the analysis, and the row inserted
    after the visit is checked again."""
    visit, mvc, _ = _check(session, actor, visit_id, upload)
    if commit_before_analysis:
        session.commit()
    result = analyse(upload, store, mvc)
    return _keep(session, actor, visit, upload, mvc, recordings.keep_raw(session, store, upload.content), result,
                 now or utcnow())


def submit(session: Session, actor: Actor, visit_id: int, upload: EmgUpload, store: RecordingStore) -> Job:
    """A clinician adds an EMG file to an open visit: the file is kept and a job analyses it (what can be
    refused without reading it is refused now); the recording is added when the job is done."""
    visit, mvc, name = _check(session, actor, visit_id, upload)
    options = {"emg": upload.options.model_dump(mode="json"), "mvc": mvc.to_json() if mvc else None}
    return jobs.create(session, actor, visit, JobKind.EMG_RECORDING, [jobs.Upload(name, upload.content, {})],
                       options, store)


def _keep(session: Session, actor: Actor, visit: Visit, upload: EmgUpload, mvc: StoredFile | None, sha256: str,
          result: dict[str, Any], now: datetime) -> EmgRecording:
    """Insert the analysed recording (its raw file stored under ``sha256``) into ``visit``, checked again."""
    recordings.still_open(session, actor, visit, "the recording")
    recording = EmgRecording(
        patient_id=visit.patient_id, episode_id=visit.episode_id, visit_id=visit.id,
        filename=safe_name(upload.filename), sha256=sha256, size_bytes=len(upload.content),
        options=upload.options.model_dump(mode="json"), duration_s=float(result["duration_s"]),
        channel_count=len(result["channels"]), result=result, recorded_at=now, recorded_by_id=actor.user_id,
    )
    session.add(recording)
    session.flush()
    detail = f"{recording.filename}: {recording.channel_count} channels" + (" (MVC)" if upload.options.is_mvc else "")
    record(session, actor, AuditAction.CREATE, "emg_recording", recording.id, patient_id=visit.patient_id,
           detail=detail + (f", %MVC from {mvc.filename}" if mvc else ""))
    return recording


class EmgJob:
    """An EMG file's job (:class:`reeducate.clinic.queue.Handler`): read and analysed in the reader pool, then
    the recording kept in the visit by the clinician who uploaded it."""

    def stage(self, job: Job) -> str:
        return "Finding each muscle's bursts"

    def analyse(self, job: Job, store: RecordingStore, progress: Progress) -> dict[str, Any]:
        upload, mvc = self._upload(job, store)
        return analyse(upload, store, mvc)

    def keep(self, session: Session, job: Job, analysed: dict[str, Any],
             store: RecordingStore) -> tuple[dict[str, Any], str]:
        upload, mvc = self._upload(job, store)
        recording = _keep(session, jobs.requester(job), job.visit, upload, mvc, job.files[0].sha256, analysed,
                          utcnow())
        return {"type": "emg_recording", "ids": [recording.id]}, "Analysed and saved"

    @staticmethod
    def _upload(job: Job, store: RecordingStore) -> tuple[EmgUpload, StoredFile | None]:
        file, mvc = job.files[0], job.options.get("mvc")
        upload = EmgUpload(file.filename, store.read(file.sha256), EmgOptions.model_validate(job.options["emg"]))
        return upload, None if mvc is None else StoredFile(
            mvc["filename"], mvc["sha256"], tuple(mvc["channels"]), mvc["rate_hz"], mvc["units"])


EMG_JOB = EmgJob()


def for_visit(session: Session, actor: Actor, visit_id: int) -> list[EmgRecording]:
    return recordings.of_visit(session, actor, EmgRecording, visit_id, "emg_recordings")


def get(session: Session, actor: Actor, recording_id: int) -> EmgRecording:
    return recordings.one(session, actor, EmgRecording, recording_id, "emg_recording")


def raw_file(session: Session, actor: Actor, recording_id: int, store: RecordingStore) -> tuple[str, bytes]:
    """The file as uploaded (clinicians only)."""
    return recordings.raw(session, actor, EmgRecording, recording_id, "emg_recording", store)


def mvc_choices(session: Session, actor: Actor, visit_id: int) -> list[EmgRecording]:
    """The patient's EMG recordings marked as an MVC, oldest first: what a new recording may be normalised to."""
    visit = visits.clinical_visit(session, actor, visit_id)
    found = [r for r in session.scalars(select(EmgRecording).where(EmgRecording.patient_id == visit.patient_id)
                                        .order_by(EmgRecording.recorded_at, EmgRecording.id))
             if r.options.get("is_mvc")]
    record(session, actor, AuditAction.READ, "emg_recordings", visit.patient_id, patient_id=visit.patient_id,
           detail=f"MVC recordings: {len(found)}")
    return found


@dataclass(frozen=True)
class Envelopes:
    """Each channel's linear envelope (6 Hz) as plotted: times (s) and values in the recording's units."""

    time_s: np.ndarray
    values: dict[str, np.ndarray]


def _envelopes(path: Path, channels: list[str], rate_hz: float | None, units: str | None) -> Envelopes:
    """In a reader process: the file read as it was for the analysis, each channel's envelope, thinned."""
    recording = _read(path, channels, rate_hz, units)
    step = max(1, -(-recording.n_samples // PLOT_POINTS))
    values = {name: envelope(condition(raw, recording.rate_hz)[0], recording.rate_hz)[::step]
              for name, raw in zip(recording.names, recording.data, strict=True)}
    return Envelopes(np.arange(0, recording.n_samples, step) / recording.rate_hz, values)


def envelopes(recording: EmgRecording, store: RecordingStore) -> Envelopes:
    """The recording's envelopes, from its raw file read again in a reader process (for its plot)."""
    options = recording.options
    return readers().read(safe_name(recording.filename), store.read(recording.sha256), RECORDING, _envelopes,
                          options.get("channels") or [], options.get("rate_hz"), options.get("units"))
