"""Live training in the clinic: an exercise started in a visit, its progress kept as it happens, the
pain stop and the severe-pain lock that only a therapist lifts.

The feedback itself is the pure engine's (``feedback``); this module decides who may do what, keeps
each exercise's summary on the visit (rewritten after every repetition or hold, so a broken connection
loses nothing already counted) and audits the start, the end, pain reports and resumptions.

An exercise whose connection broke (interrupted, or still in progress because the server process running
it died) is carried on by the page that ran it, on whichever server process takes the new connection:
the same record, the count kept (:func:`carry_on`). The summary's ``parts`` counts the connections that
carried it; only the newest writes the record, so an old connection that notices its break late cannot
end an exercise carried on elsewhere. Home sessions do the same (``home_sessions.carry_on``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reeducate.clinic.access import Actor, fetch_for_patient, not_found, require_role
from reeducate.clinic.audit_log import record
from reeducate.clinic.db import utcnow
from reeducate.clinic.errors import Conflict, InvalidInput
from reeducate.clinic.models import (
    BalanceTrial,
    EmgRecording,
    ExerciseRecord,
    HomeSession,
    MovementRecording,
    Visit,
)
from reeducate.clinic.note_draft import exercise_name
from reeducate.clinic.recording_store import RecordingStore
from reeducate.clinic.services import emg as emg_recordings
from reeducate.clinic.services import recordings, visits
from reeducate.clinic.uploads import as_file, safe_name
from reeducate.clinic.vocabulary import (
    CLINICIANS,
    EVALUATING_CLINICIANS,
    AuditAction,
    ExerciseSource,
    ExerciseStatus,
    MovementKind,
    VisitStatus,
)
from reeducate.feedback.adapters.base import Device, DeviceError
from reeducate.feedback.engine import LiveExercise
from reeducate.feedback.replay import emg_labels, emg_muscles, recording_samples, replay
from reeducate.feedback.safety import SEVERE_PAIN
from reeducate.training.catalogue import UnknownExercise, exercise
from reeducate.training.live import SIDES, live_exercise
from reeducate.training.models import Monitor

SOURCES = tuple(ExerciseSource)
#: Where an exercise stands when its page may carry it on: interrupted (the connection broke) or still in
#: progress (the server process running it died before it could mark the break).
CARRIED_ON_FROM = (ExerciseStatus.IN_PROGRESS, ExerciseStatus.INTERRUPTED)


class CarriedElsewhere(Conflict):
    """An old connection may no longer write the exercise: a newer one has carried it on."""

    def __init__(self) -> None:
        super().__init__("This exercise has been carried on by a newer connection; this one no longer writes it.")


def severe_pain_lock(session: Session, visit_id: int) -> ExerciseRecord | None:
    """The latest severe pain report of the visit that no therapist has resumed from, if any."""
    return session.scalars(
        select(ExerciseRecord).where(ExerciseRecord.visit_id == visit_id, ExerciseRecord.pain_score >= SEVERE_PAIN,
                                     ExerciseRecord.resumed_at.is_(None))
        .order_by(ExerciseRecord.id.desc())).first()


def _lock_message(lock: ExerciseRecord) -> str:
    return (f"Live exercises are stopped for this visit: pain {lock.pain_score}/10 was reported during "
            f"{exercise_name(lock)}. A physical therapist or chiropractor must check the patient and resume them.")


def _open_visit(session: Session, actor: Actor, visit_id: int) -> Visit:
    visit = visits.clinical_visit(session, actor, visit_id)
    if visit.status is VisitStatus.COMPLETED:
        raise Conflict("This visit is completed; start exercises in the patient's next visit.")
    return visit


def start(session: Session, actor: Actor, visit_id: int, *, exercise_id: str, monitor: str | None,
          side: str | None, source: str) -> ExerciseRecord:
    """A new exercise in the visit (refused while a severe pain report is unresolved)."""
    require_role(actor, CLINICIANS, "run live exercises")
    visit = _open_visit(session, actor, visit_id)
    if (lock := severe_pain_lock(session, visit.id)) is not None:
        raise Conflict(_lock_message(lock))
    try:
        chosen = exercise(exercise_id)
        watched = chosen.monitor(monitor)
    except (UnknownExercise, KeyError) as exc:
        raise InvalidInput(str(exc.args[0])) from None
    if chosen.sided and side not in SIDES:
        raise InvalidInput(f"{chosen.name} trains one side: choose left or right.")
    if source not in SOURCES:
        raise InvalidInput(f"Unknown source {source!r}; choose {', '.join(SOURCES)}.")
    visits.record_into(session, actor, visit, f"the exercise {chosen.name}")
    row = ExerciseRecord(patient_id=visit.patient_id, visit_id=visit.id, exercise_id=chosen.id, monitor=watched.key,
                         side=side if chosen.sided else None, source=source, status=ExerciseStatus.IN_PROGRESS,
                         summary={}, started_by_id=actor.user_id)
    session.add(row)
    session.flush()
    record(session, actor, AuditAction.CREATE, "exercise_record", row.id, patient_id=visit.patient_id,
           detail=f"visit {visit.id}: {chosen.id} ({watched.key}, {source})")
    return row


def part_of(row: ExerciseRecord | HomeSession) -> int:
    """Which connection carries the exercise: 1 the first, one more each time it was carried on."""
    return int((row.summary or {}).get("parts") or 1)


def _locked(session: Session, row: ExerciseRecord | HomeSession) -> None:
    """``row`` read again under its row lock (this transaction's own changes written first, so the read
    keeps them): another connection's write committed meanwhile is seen, and the next waits for this one."""
    session.flush()
    session.refresh(row, with_for_update=True)


def writable(session: Session, row: ExerciseRecord | HomeSession, part: int, ended: str) -> None:
    """Hold ``row`` until the transaction ends (FOR UPDATE; SQLite's writers take turns already) and refuse
    a write unless it is in progress and ``part`` is the connection carrying it. ``ended``: the refusal's
    words for an exercise that has ended."""
    _locked(session, row)
    if row.status is not ExerciseStatus.IN_PROGRESS:
        raise Conflict(f"{ended} ({row.status.value.replace('_', ' ')}).")
    if part_of(row) != part:
        raise CarriedElsewhere


def take_over(session: Session, row: ExerciseRecord | HomeSession, ended: str) -> int:
    """``row`` carried on by a new connection: in progress again, its summary kept; returns the new
    connection's part. Refused (``ended`` and its status) once it ended otherwise (done, pain)."""
    _locked(session, row)
    if row.status not in CARRIED_ON_FROM:
        raise Conflict(f"{ended} ({row.status.value.replace('_', ' ')}); start it again.")
    part = part_of(row) + 1
    row.summary = {**row.summary, "parts": part}
    row.status, row.ended_at = ExerciseStatus.IN_PROGRESS, None
    return part


def apply_summary(row: ExerciseRecord | HomeSession, summary: dict[str, Any], part: int = 1) -> None:
    """The engine's summary so far onto an exercise's record, in the clinic or at home; ``part`` is the
    connection writing it (kept in the summary from the second on)."""
    row.summary = summary if part == 1 else {**summary, "parts": part}
    row.repetitions = int(summary.get("repetitions") or 0)
    row.holds_completed = summary.get("holds_completed")
    row.mean_score = summary.get("mean_score")
    row.active_s = float(summary.get("active_s") or 0.0)


def _record(session: Session, actor: Actor, record_id: int) -> ExerciseRecord:
    require_role(actor, CLINICIANS, "run live exercises")
    return fetch_for_patient(session, actor, ExerciseRecord, record_id, "exercise record",
                             patient_of=lambda r: r.patient, clinical=True)


def _in_progress(session: Session, actor: Actor, record_id: int, part: int) -> ExerciseRecord:
    row = _record(session, actor, record_id)
    writable(session, row, part, f"This run of {exercise_name(row)} has already ended")
    return row


def carry_on(session: Session, actor: Actor, visit_id: int, record_id: int) -> tuple[ExerciseRecord, int]:
    """The visit's exercise ``record_id``, whose connection broke, carried on by a new one: the record and
    the new connection's part. Refused once it ended otherwise, or while severe pain locks the visit."""
    visit = _open_visit(session, actor, visit_id)
    row = _record(session, actor, record_id)
    if row.visit_id != visit.id:
        raise not_found("exercise record", record_id)
    if (lock := severe_pain_lock(session, visit.id)) is not None:
        raise Conflict(_lock_message(lock))
    part = take_over(session, row, f"This run of {exercise_name(row)} has ended")
    record(session, actor, AuditAction.UPDATE, "exercise_record", row.id, patient_id=row.patient_id,
           detail=f"{row.exercise_id} carried on after a broken connection (part {part}): "
                  f"{row.repetitions} repetitions kept")
    return row, part


def save_progress(session: Session, actor: Actor, record_id: int, summary: dict[str, Any], *,
                  part: int = 1) -> ExerciseRecord:
    """The summary so far (after a repetition or a hold); not audited row by row, the start and end are."""
    row = _in_progress(session, actor, record_id, part)
    apply_summary(row, summary, part)
    return row


def ended_status(row: ExerciseRecord | HomeSession, asked: ExerciseStatus) -> ExerciseStatus:
    """What an ending is stored as: an exercise ended with no repetition and no hold done ended early,
    whoever asked for "completed" (a broken connection stays interrupted)."""
    if asked is ExerciseStatus.COMPLETED and not row.repetitions and not row.holds_completed:
        return ExerciseStatus.ENDED_EARLY
    return asked


def finish(session: Session, actor: Actor, record_id: int, summary: dict[str, Any], *,
           status: ExerciseStatus = ExerciseStatus.COMPLETED, part: int = 1) -> ExerciseRecord:
    """The exercise ended: completed by the therapist (or ended early, :func:`ended_status`), or
    interrupted by a broken connection."""
    row = _in_progress(session, actor, record_id, part)
    apply_summary(row, summary, part)
    status = ended_status(row, status)
    row.status, row.ended_at = status, utcnow()
    record(session, actor, AuditAction.UPDATE, "exercise_record", row.id, patient_id=row.patient_id,
           detail=f"{row.exercise_id} {status.value}: {row.repetitions} repetitions, {row.active_s:.0f} s")
    return row


def report_pain(session: Session, actor: Actor, record_id: int, summary: dict[str, Any], *, score: int,
                at_s: float, reported_by: str, part: int = 1) -> ExerciseRecord:
    """Pain stopped the exercise: kept with its score, moment and reporter, marked for regression."""
    row = _in_progress(session, actor, record_id, part)
    apply_summary(row, summary, part)
    row.status, row.ended_at = ExerciseStatus.STOPPED_FOR_PAIN, utcnow()
    row.pain_score, row.pain_at_s, row.pain_reported_by, row.regress = score, at_s, reported_by, True
    record(session, actor, AuditAction.UPDATE, "exercise_record", row.id, patient_id=row.patient_id,
           detail=f"{row.exercise_id} stopped for pain {score}/10 at {at_s:.1f} s (reported by {reported_by})")
    return row


def resume(session: Session, actor: Actor, visit_id: int, *, now: datetime | None = None) -> int:
    """A therapist lifts the severe-pain lock of the visit; returns how many reports it resolved."""
    require_role(actor, EVALUATING_CLINICIANS, "resume exercises after severe pain")
    visit = _open_visit(session, actor, visit_id)
    locked = list(session.scalars(select(ExerciseRecord).where(
        ExerciseRecord.visit_id == visit.id, ExerciseRecord.pain_score >= SEVERE_PAIN,
        ExerciseRecord.resumed_at.is_(None))))
    if not locked:
        record(session, actor, AuditAction.READ, "visit", visit.id, patient_id=visit.patient_id,
               detail="resume asked: no severe pain report to resume from")
        return 0
    for row in locked:
        row.resumed_at, row.resumed_by_id = now or utcnow(), actor.user_id
    record(session, actor, AuditAction.UPDATE, "visit", visit.id, patient_id=visit.patient_id,
           detail=f"live exercises resumed after severe pain ({len(locked)} report(s))")
    return len(locked)


def of_visit(session: Session, actor: Actor, visit_id: int) -> list[ExerciseRecord]:
    """The visit's live exercises, oldest first."""
    visit = visits.clinical_visit(session, actor, visit_id)
    found = list(session.scalars(select(ExerciseRecord).where(ExerciseRecord.visit_id == visit.id)
                                 .order_by(ExerciseRecord.id)))
    record(session, actor, AuditAction.READ, "exercise_records", visit.id, patient_id=visit.patient_id,
           detail=f"visit {visit.id}: {len(found)} exercise records")
    return found


def active_minutes(records: list[ExerciseRecord]) -> float:
    """Minutes of the patient's own active training in the visit's exercises (a simulated patient's runs
    left out: they are nobody's training)."""
    return round(sum(r.active_s for r in records if ExerciseSource(r.source).is_the_patients) / 60.0, 1)


@dataclass(frozen=True)
class StoredRecording:
    """A recording of the visit to replay as if live: its raw file and what the readers need."""

    filename: str
    content: bytes
    device: Device
    sampling_rate_hz: float | None = None
    channels: tuple[str, ...] = ()
    mvc_mv: dict[str, float] | None = None
    units: str | None = None

    def emg(self, exercise: LiveExercise) -> dict[str, Any]:
        """What ``recording_samples`` needs of an EMG recording beyond the file (none for other devices)."""
        if self.device is not Device.EMG:
            return {}
        return {"channels": list(self.channels) or None, "muscles": emg_muscles(exercise), "mvc_mv": self.mvc_mv,
                "units": self.units}

    @property
    def labels(self) -> dict[str, str] | None:
        """What the replay's numbers are measured against (an EMG amplitude's reference), for its record."""
        return emg_labels(self.mvc_mv) if self.device is Device.EMG else None


#: The recordings a live exercise can replay, by the kind in their reference (``kind:ID``).
REPLAYABLE: dict[str, tuple[type[MovementRecording] | type[BalanceTrial] | type[EmgRecording], str]] = {
    "movement": (MovementRecording, "movement_recording"), "balance": (BalanceTrial, "balance_trial"),
    "emg": (EmgRecording, "emg_recording")}


def recording_to_replay(session: Session, actor: Actor, visit_id: int, ref: str,
                        store: RecordingStore) -> StoredRecording:
    """``movement:ID``, ``balance:ID`` or ``emg:ID`` of this visit, read from the store (audited as a raw read).
    An EMG recording is read with the channels it was uploaded with, and each muscle's MVC level where its
    analysis had one."""
    kind, _, number = ref.partition(":")
    if kind not in REPLAYABLE or not number.isdigit():
        raise InvalidInput("Choose one of this visit's recordings to replay.")
    model, noun = REPLAYABLE[kind]
    row = recordings.one(session, actor, model, int(number), noun)
    if row.visit_id != visit_id:
        raise InvalidInput("That recording belongs to another visit; choose one of this visit's recordings to replay.")
    filename, content = recordings.raw(session, actor, model, row.id, noun, store)
    if isinstance(row, EmgRecording):
        levels = {c["name"]: float(c["mvc"]) for c in (row.result or {}).get("channels", []) if c.get("mvc")}
        return StoredRecording(filename, content, Device.EMG, row.options.get("rate_hz"),
                               tuple(row.options.get("channels") or ()), levels or None, row.options.get("units"))
    if isinstance(row, BalanceTrial):
        return StoredRecording(filename, content, Device.FORCE_PLATE)
    if row.kind is MovementKind.VIDEO:
        return StoredRecording(filename, content, Device.CAMERA)
    return StoredRecording(filename, content, Device.IMU, row.options.get("sampling_rate_hz"))


DEVICE_WORDS = {Device.CAMERA: "a camera", Device.FORCE_PLATE: "a force plate", Device.IMU: "motion sensors (IMUs)",
                Device.EMG: "surface EMG"}
"""A device as a sentence names it."""


def replay_sensor(stored: StoredRecording, name: str, watched: Monitor, side: str | None) -> str | None:
    """The sensor a replay of ``stored`` reads (an IMU file's foot on ``side``); InvalidInput when the
    recording comes from another device than the one watching the exercise ``name``."""
    if stored.device is not watched.device:
        raise InvalidInput(f"{name} is watched by {DEVICE_WORDS[watched.device]}; "
                           f"the chosen recording comes from {DEVICE_WORDS[stored.device]}.")
    return f"{side}_foot" if stored.device is Device.IMU and side else None


def replay_whole(session: Session, actor: Actor, visit_id: int, *, exercise_id: str, monitor: str | None,
                 side: str | None, ref: str, store: RecordingStore) -> ExerciseRecord:
    """Run an exercise over one of the visit's recordings at once (not paced) and keep it as a replay.

    The record is labelled with the source ``recording``, as a replay started on the live page is, so
    the note says it was replayed; it is made only once the recording is known to suit the exercise."""
    stored = recording_to_replay(session, actor, visit_id, ref, store)
    try:
        chosen = exercise(exercise_id)
        watched = chosen.monitor(monitor)
    except (UnknownExercise, KeyError) as exc:
        raise InvalidInput(str(exc.args[0])) from None
    sensor = replay_sensor(stored, chosen.name, watched, side)
    try:
        with as_file(safe_name(stored.filename), stored.content) as path:
            muscles = stored.emg(live_exercise(chosen, monitor=watched, side=side, sampling_rate_hz=1.0))
            rate, samples = recording_samples(stored.device, path, sensor=sensor,
                                              sampling_rate_hz=stored.sampling_rate_hz, **muscles)
            result = replay(live_exercise(chosen, monitor=watched, side=side, sampling_rate_hz=rate), samples,
                            sampling_rate_hz=rate, labels=stored.labels)
    except (DeviceError, ValueError) as exc:
        raise InvalidInput(str(exc)) from None
    row = start(session, actor, visit_id, exercise_id=chosen.id, monitor=watched.key, side=side,
                source=ExerciseSource.RECORDING)
    return finish(session, actor, row.id, result["summary"])


def replayable(session: Session, actor: Actor, visit_id: int) -> list[tuple[str, str, Device]]:
    """The visit's recordings a live exercise can replay: (ref, label, device), the label saying what the
    recording is and when it was made, never its file's name (a phone's random name tells nobody anything)."""
    found: list[tuple[str, str, Device]] = []
    zone = visits.zone_of(session, visits.clinical_visit(session, actor, visit_id))
    for row in recordings.of_visit(session, actor, MovementRecording, visit_id, "movement_recordings"):
        video = row.kind is MovementKind.VIDEO
        found.append((f"movement:{row.id}", f"{'Camera clip' if video else 'Walk on foot sensors'} recorded at "
                      f"{row.recorded_at.astimezone(zone):%H:%M}", Device.CAMERA if video else Device.IMU))
    for trial in recordings.of_visit(session, actor, BalanceTrial, visit_id, "balance_trials"):
        found.append((f"balance:{trial.id}", f"Force-plate trial recorded at {trial.recorded_at.astimezone(zone):%H:%M}",
                      Device.FORCE_PLATE))
    for emg in emg_recordings.for_visit(session, actor, visit_id):
        found.append((f"emg:{emg.id}", f"EMG of {emg.channel_count} muscle{'s' if emg.channel_count != 1 else ''} "
                      f"recorded at {emg.recorded_at.astimezone(zone):%H:%M}", Device.EMG))
    return found
