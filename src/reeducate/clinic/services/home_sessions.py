"""What the patient did at home: a session guided by their own camera (measured, counted by the same
feedback engine as in the clinic) or an exercise ticked as done (entered by the patient).

Only the patient records their own sessions. Each keeps the dose prescribed that day next to the dose
done, so the record reads alone after the programme changes. A pain report of 7 or more (the severe
band, ``feedback.safety.SEVERE_PAIN``) ends the session and flags it for the therapist, who marks the
flag reviewed (``permissions.MONITOR_REMOTELY``).

No frame of a guided session is kept unless the patient chooses to share a clip of it afterwards
(:func:`share_clip`, once a session); the clinicians of the clinic then see it (:func:`clip_file`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from reeducate.clinic import permissions
from reeducate.clinic.access import Actor, fetch_for_patient, not_found, require_role
from reeducate.clinic.audit_log import changes_between, record, snapshot
from reeducate.clinic.db import utcnow
from reeducate.clinic.errors import Conflict, InvalidInput, NotFound
from reeducate.clinic.locks import LockScope, serialise
from reeducate.clinic.models import HomeProgrammeItem, HomeSession
from reeducate.clinic.recording_store import RecordingStore
from reeducate.clinic.services import episodes, home_programmes, patients, recordings
from reeducate.clinic.services.training import apply_summary, ended_status, take_over, writable
from reeducate.clinic.uploads import check_size, safe_name
from reeducate.clinic.vocabulary import AuditAction, ExerciseStatus, HomeSessionKind
from reeducate.feedback.safety import SEVERE_PAIN
from reeducate.training.adherence import version_on
from reeducate.training.catalogue import exercise

CLIP_MAX_BYTES = 20 * 2**20
"""The largest clip a patient may share (our setting): the guided page records at most its first 60 s
at about 1 Mbit/s, some 8 MB; 20 MB leaves room for a phone whose recorder ignores the asked rate."""
ClipKind = Literal["webm", "mp4"]


def _prescribed(item: HomeProgrammeItem) -> dict[str, Any]:
    return {"sets": item.sets, "reps": item.reps, "hold_s": item.hold_s}


def _name(item: HomeProgrammeItem) -> str:
    return exercise(item.exercise_id).name


def _own_item(session: Session, actor: Actor, item_id: int, day: date) -> HomeProgrammeItem:
    """The patient's own exercise, in a version in force on ``day`` (an extra session on a rest day is welcome)."""
    require_role(actor, permissions.USE_PORTAL, "record a home exercise session (the patient records their own)")
    item = home_programmes.item(session, actor, item_id)
    if version_on(item.version.programme.versions, day) is not item.version:
        raise Conflict(f"{_name(item)} is not in your programme on {day.isoformat()}; open Today for "
                       "the exercises you have now.")
    return item


def _check_pain(score: int | None) -> None:
    if score is not None and not 0 <= score <= 10:
        raise InvalidInput("Pain is a whole number from 0 (none) to 10 (worst imaginable).", field="pain_score")


def tick_done(session: Session, actor: Actor, item_id: int, *, day: date | None = None, sets_done: int | None = None,
              repetitions: int | None = None, pain_score: int | None = None) -> HomeSession:
    """The patient says they did the exercise (entered, not measured); pain 7+ flags it."""
    day = day or episodes.clinic_today(session, actor)
    item = _own_item(session, actor, item_id, day)
    _check_pain(pain_score)
    if sets_done is not None and not 0 <= sets_done <= 50:
        raise InvalidInput("Sets done is a whole number from 0 to 50.", field="sets_done")
    if repetitions is not None and not 0 <= repetitions <= 1000:
        raise InvalidInput("Repetitions done is a whole number from 0 to 1000.", field="repetitions")
    sets = item.sets if sets_done is None else sets_done
    if repetitions is None and item.reps is not None:
        repetitions = sets * item.reps
    now = utcnow()
    row = HomeSession(patient_id=item.version.programme.patient_id, item_id=item.id, performed_on=day,
                      kind=HomeSessionKind.TICKED, status=ExerciseStatus.COMPLETED, started_at=now, ended_at=now,
                      prescribed=_prescribed(item), sets_done=sets, repetitions=repetitions or 0,
                      holds_completed=sets if item.hold_s is not None else None, summary={},
                      pain_score=pain_score, flagged=pain_score is not None and pain_score >= SEVERE_PAIN,
                      recorded_by_id=actor.user_id)
    session.add(row)
    session.flush()
    record(session, actor, AuditAction.CREATE, "home_session", row.id, patient_id=row.patient_id,
           detail=f"{item.exercise_id} ticked done on {day}: {sets} sets"
                  + ("" if pain_score is None else f", pain {pain_score}/10"))
    return row


def undo_tick(session: Session, actor: Actor, session_id: int, *, day: date | None = None) -> HomeSession:
    """The patient takes back a mistaken "I did it": their own ticked session of ``day`` (the clinic's today)
    is removed; audited. A guided session (measured), another day's, or a severe pain report the therapist
    has been flagged about stays: those are facts to keep, and the clinic corrects them."""
    require_role(actor, permissions.USE_PORTAL, "undo a home exercise ticked as done (the patient undoes their own)")
    day = day or episodes.clinic_today(session, actor)
    row = fetch_for_patient(session, actor, HomeSession, session_id, "home session",
                            patient_of=lambda r: r.patient, clinical=True)
    if row.kind is not HomeSessionKind.TICKED:
        raise Conflict(f"This session of {_name(row.item)} was guided by the camera; it cannot be undone.")
    if row.performed_on != day:
        raise Conflict(f"Only today's exercises can be undone; this one was on {row.performed_on.isoformat()}.")
    if row.flagged:
        raise Conflict("Your therapist has been told about the pain you reported, so this stays. If it was a "
                       "mistake, tell the clinic.")
    record(session, actor, AuditAction.DELETE, "home_session", row.id, patient_id=row.patient_id,
           detail=f"{row.item.exercise_id} ticked done on {day} undone by the patient"
                  + ("" if row.pain_score is None else f" (pain {row.pain_score}/10 was reported)"))
    session.delete(row)
    session.flush()
    return row


def start_guided(session: Session, actor: Actor, item_id: int, *, day: date | None = None) -> HomeSession:
    """A guided session begins (the patient's camera, pose on the device)."""
    day = day or episodes.clinic_today(session, actor)
    item = _own_item(session, actor, item_id, day)
    row = HomeSession(patient_id=item.version.programme.patient_id, item_id=item.id, performed_on=day,
                      kind=HomeSessionKind.GUIDED, status=ExerciseStatus.IN_PROGRESS, prescribed=_prescribed(item),
                      summary={}, recorded_by_id=actor.user_id)
    session.add(row)
    session.flush()
    record(session, actor, AuditAction.CREATE, "home_session", row.id, patient_id=row.patient_id,
           detail=f"{item.exercise_id} guided session started on {day}")
    return row


def _own_session(session: Session, actor: Actor, session_id: int) -> HomeSession:
    require_role(actor, permissions.USE_PORTAL, "record a home exercise session (the patient records their own)")
    return fetch_for_patient(session, actor, HomeSession, session_id, "home session",
                             patient_of=lambda r: r.patient, clinical=True)


def _in_progress(session: Session, actor: Actor, session_id: int, part: int) -> HomeSession:
    row = _own_session(session, actor, session_id)
    writable(session, row, part, f"This session of {_name(row.item)} has already ended")
    return row


def carry_on(session: Session, actor: Actor, item_id: int, session_id: int, *,
             day: date | None = None) -> tuple[HomeSession, int]:
    """Today's guided session ``session_id`` of ``item_id``, whose connection broke, carried on by a new
    one (``training.take_over``): the session and the new connection's part."""
    day = day or episodes.clinic_today(session, actor)
    row = _own_session(session, actor, session_id)
    if row.item_id != item_id or row.kind is not HomeSessionKind.GUIDED:
        raise not_found("home session", session_id)
    if row.performed_on != day:
        raise Conflict(f"This session was on {row.performed_on.isoformat()}; start today's.")
    part = take_over(session, row, f"This session of {_name(row.item)} has ended")
    record(session, actor, AuditAction.UPDATE, "home_session", row.id, patient_id=row.patient_id,
           detail=f"{row.item.exercise_id} carried on after a broken connection (part {part}): "
                  f"{row.repetitions} repetitions kept")
    return row, part


def _sets_done(row: HomeSession) -> int | None:
    """Whole sets done by the engine's count against the prescribed repetitions per set."""
    reps = row.prescribed.get("reps")
    if row.prescribed.get("hold_s") is not None:
        return row.holds_completed
    return None if not reps else row.repetitions // int(reps)


def save_progress(session: Session, actor: Actor, session_id: int, summary: dict[str, Any], *,
                  part: int = 1) -> HomeSession:
    """The summary so far (after a repetition or a hold); the start and the end are audited."""
    row = _in_progress(session, actor, session_id, part)
    apply_summary(row, summary, part)
    row.sets_done = _sets_done(row)
    return row


def report_pain(session: Session, actor: Actor, session_id: int, summary: dict[str, Any], *, score: int,
                at_s: float, part: int = 1) -> HomeSession:
    """Pain stopped the session: kept with its score and moment; 7 or more flags it for the therapist."""
    _check_pain(score)
    row = _in_progress(session, actor, session_id, part)
    apply_summary(row, summary, part)
    row.sets_done = _sets_done(row)
    row.status, row.ended_at = ExerciseStatus.STOPPED_FOR_PAIN, utcnow()
    row.pain_score, row.pain_at_s, row.flagged = score, at_s, score >= SEVERE_PAIN
    record(session, actor, AuditAction.UPDATE, "home_session", row.id, patient_id=row.patient_id,
           detail=f"{row.item.exercise_id} stopped for pain {score}/10 at {at_s:.1f} s"
                  + (" (flagged for the therapist)" if row.flagged else ""))
    return row


def finish(session: Session, actor: Actor, session_id: int, summary: dict[str, Any], *,
           status: ExerciseStatus = ExerciseStatus.COMPLETED, part: int = 1) -> HomeSession:
    """The session ended: completed (ended early when nothing was done) or interrupted."""
    row = _in_progress(session, actor, session_id, part)
    apply_summary(row, summary, part)
    row.sets_done = _sets_done(row)
    status = ended_status(row, status)
    row.status, row.ended_at = status, utcnow()
    record(session, actor, AuditAction.UPDATE, "home_session", row.id, patient_id=row.patient_id,
           detail=f"{row.item.exercise_id} {status.value}: {row.repetitions} repetitions, {row.active_s:.0f} s")
    return row


def between(session: Session, actor: Actor, patient_id: int, first: date, last: date) -> list[HomeSession]:
    """The patient's home sessions done from ``first`` to ``last`` (inclusive), oldest first; audited."""
    patient = patients.load(session, actor, patient_id, clinical=True)
    found = list(session.scalars(
        select(HomeSession).where(HomeSession.patient_id == patient.id, HomeSession.performed_on >= first,
                                  HomeSession.performed_on <= last)
        .order_by(HomeSession.performed_on, HomeSession.started_at, HomeSession.id)))
    record(session, actor, AuditAction.READ, "home_session", patient_id=patient.id, detail=f"{first} to {last}")
    return found


def review_flag(session: Session, actor: Actor, session_id: int, *, now: datetime | None = None) -> HomeSession:
    """A clinician has seen a flagged session (the pain report) and acted on it; audited."""
    require_role(actor, permissions.MONITOR_REMOTELY, "review a home session's pain flag")
    row = fetch_for_patient(session, actor, HomeSession, session_id, "home session",
                            patient_of=lambda r: r.patient, clinical=True)
    if not row.flagged:
        raise Conflict("This session has no flag to review.")
    if row.flag_reviewed_at is None:
        row.flag_reviewed_at, row.flag_reviewed_by_id = now or utcnow(), actor.user_id
        record(session, actor, AuditAction.UPDATE, "home_session", row.id, patient_id=row.patient_id,
               detail=f"pain flag ({row.pain_score}/10) reviewed")
    return row


def clip_kind(content: bytes) -> ClipKind:
    """"webm" or "mp4" from the container's first bytes (what a browser's MediaRecorder writes), or
    InvalidInput: a WebM file is an EBML document (1A 45 DF A3) whose DocType, near its start, is "webm";
    an MP4 file begins with a box whose type, bytes 4-8, is "ftyp" (ISO/IEC 14496-12)."""
    if content.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in content[:64]:
        return "webm"
    if content[4:8] == b"ftyp":
        return "mp4"
    raise InvalidInput("This file is not a video clip (WebM or MP4); share the clip the guided page recorded.",
                       field="clip")


def share_clip(session: Session, actor: Actor, session_id: int, content: bytes, store: RecordingStore
               ) -> HomeSession:
    """The patient shares the clip their phone recorded of their own guided session with their therapist:
    once a session, after it has ended; kept in the recording store by its SHA-256; audited."""
    require_role(actor, permissions.USE_PORTAL, "share a clip of a home session (the patient shares their own)")
    row = fetch_for_patient(session, actor, HomeSession, session_id, "home session",
                            patient_of=lambda r: r.patient, clinical=True)
    if row.kind is not HomeSessionKind.GUIDED:
        raise Conflict("Only a session guided by your camera has a clip to share.")
    if row.status is ExerciseStatus.IN_PROGRESS:
        raise Conflict("This session is still going; share its clip once it has ended.")
    serialise(session, LockScope.PATIENT, row.patient_id)  # two presses of Share must keep one clip:
    shared = select(HomeSession.clip_sha256).where(HomeSession.id == row.id)  # read after the lock
    if session.scalar(shared) is not None:
        raise Conflict("You have already shared a clip of this session with your therapist; one clip a session.")
    check_size("Your clip", content, CLIP_MAX_BYTES, "record a shorter clip")
    kind = clip_kind(content)
    name = safe_name(f"home-session-{row.performed_on.isoformat()}-{row.item.exercise_id}.{kind}")
    before = snapshot(row, ("clip_sha256", "clip_filename"))
    row.clip_sha256, row.clip_filename = recordings.keep_raw(session, store, content), name
    session.flush()
    record(session, actor, AuditAction.UPDATE, "home_session", row.id, patient_id=row.patient_id,
           detail=f"clip shared with the therapist ({kind}, {len(content)} bytes)",
           changes=changes_between(before, snapshot(row, ("clip_sha256", "clip_filename"))))
    return row


def clip_file(session: Session, actor: Actor, session_id: int, store: RecordingStore) -> tuple[str, bytes]:
    """The clip the patient shared of a home session, as it was uploaded (the clinic's clinicians; audited)."""
    require_role(actor, permissions.MONITOR_REMOTELY, "see a clip a patient shared of a home session")
    row = fetch_for_patient(session, actor, HomeSession, session_id, "home session",
                            patient_of=lambda r: r.patient, clinical=True)
    if row.clip_sha256 is None or row.clip_filename is None:
        raise NotFound("The patient has not shared a clip of this session.")
    record(session, actor, AuditAction.READ, "home_session_clip", row.id, patient_id=row.patient_id,
           detail=row.clip_filename)
    return row.clip_filename, store.read(row.clip_sha256)
