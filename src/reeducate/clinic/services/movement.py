"""Movement in the clinic: camera clips, gait IMU files and joint position sense tests uploaded to a visit,
followed over an episode.

The analysis is the pure movement engine's (pose, joint angles, posture, gait from video or IMUs);
this module decides who may do what, refuses a bad file before anything is stored, keeps the raw file
in the recording store under its SHA-256, and audits every read and write. A clip is analysed for its
joint angles and, when it shows walking side-on, for its gait too; a clip that does not is stored with
the reason its gait was not measured. Every file is read and analysed in a reader process
(:mod:`reeducate.clinic.isolation`), and no database transaction is held open while it is; a clip is
refused once more frames are decoded than its allowed length holds, or well more than its header
announces (a header that understates a clip's length is not believed for long). A joint position sense test
is a clip (posed as any clip) or one IMU's file, whose joint angle the JPS engine turns into trials and errors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy.orm import Session

from reeducate.clinic.access import Actor
from reeducate.clinic.audit_log import record
from reeducate.clinic.db import utcnow
from reeducate.clinic.errors import InvalidInput
from reeducate.clinic.isolation import RECORDING, VIDEO, readers
from reeducate.clinic.models import Job, MovementRecording, Visit
from reeducate.clinic.recording_store import RecordingStore
from reeducate.clinic.services import jobs, recordings
from reeducate.clinic.services.jobs import Progress
from reeducate.clinic.uploads import check_size, safe_name
from reeducate.clinic.vocabulary import AuditAction, JobKind, MovementKind
from reeducate.signals.errors import RecordingError
from reeducate.signals.gait import analyze_gait
from reeducate.signals.imu import SENSORS, SIDES, Sensor, Side
from reeducate.signals.io.imu import read_imu
from reeducate.signals.jps import (
    PROTOCOLS,
    Protocol,
    check_joint,
    default_protocol,
    jps_from_imu,
    jps_from_pose,
    parse_targets,
)
from reeducate.signals.kinematics.views import View
from reeducate.signals.movement import analyze_pose
from reeducate.signals.pose.landmarks import PoseSeries
from reeducate.signals.pose.video import Region, read_video, video_properties
from reeducate.signals.video_gait import analyze_video_gait

#: Largest clip accepted (bytes): a minute of phone video at 1080p is about 100-150 MB.
MAX_VIDEO_BYTES = 200 * 1024 * 1024
#: Longest clip analysed while the clinician waits (s): pose runs at about 40 frames per second here.
MAX_VIDEO_S = 120.0
#: Most frames decoded from any clip, whatever frame rate its header states: 120 s at 60 fps.
MAX_VIDEO_FRAMES = 7200
#: A clip may hold this many times the frames its header announces, plus HEADER_SLACK_FRAMES: a count
#: estimated from the duration is off by a few per cent at most; one that understates more is damaged,
#: and is refused after a few seconds of posing instead of after the whole allowed length.
HEADER_SLACK = 1.5
HEADER_SLACK_FRAMES = 30
#: Largest picture posed (pixels): 4096x4096, above a phone's 4K (3840x2160) in either orientation.
MAX_VIDEO_PIXELS = 4096 * 4096
#: Largest IMU file accepted (bytes): an hour of two 6-axis sensors at 100 Hz as CSV is about 40 MB.
MAX_IMU_BYTES = 50 * 1024 * 1024
VIEWS = tuple(View)
#: A clip's job writes how many frames are posed every this many frames (a few times a second).
PROGRESS_EVERY_FRAMES = 10
#: Where a joint position sense test's angle comes from.
JpsSource = Literal["video", "imu"]
JPS_SOURCES: tuple[JpsSource, ...] = ("video", "imu")


@dataclass(frozen=True)
class MovementUpload:
    """One file as received, and how it was recorded (the options the engine needs)."""

    filename: str
    content: bytes
    kind: MovementKind
    view: View | None = None
    height_cm: float | None = None
    region: Region | None = None
    sensor: Sensor = "foot"
    sampling_rate_hz: float | None = None
    side: Side | None = None
    sensor_height_m: float | None = None
    joint: str | None = None
    source: JpsSource = "video"
    protocol: Protocol | None = None
    targets: tuple[float, ...] | None = None

    @property
    def from_video(self) -> bool:
        """True for a camera clip (a clip of movement, or a JPS test filmed)."""
        return self.kind is MovementKind.VIDEO or (self.kind is MovementKind.JOINT_POSITION_SENSE
                                                   and self.source == "video")

    def options(self) -> dict[str, Any]:
        """The options that apply to this kind of file, as stored with the recording."""
        if self.kind is MovementKind.JOINT_POSITION_SENSE:
            keep: tuple[str, ...] = ("joint", "side", "source", "protocol", "targets",
                                     *(("view", "region") if self.from_video else ("sampling_rate_hz",)))
        elif self.kind is MovementKind.VIDEO:
            keep = ("view", "height_cm", "region")
        else:
            keep = ("sensor", "sampling_rate_hz", "side", "sensor_height_m")
        return {k: (list(getattr(self, k)) if k in ("region", "targets") and getattr(self, k) else getattr(self, k))
                for k in keep}


def camera_view(text: str | None) -> View | None:
    """The camera view a form names (side or front); None leaves it to be inferred."""
    if text is None:
        return None
    if text not in VIEWS:
        raise InvalidInput(f"Unknown camera view {text!r}; choose side or front "
                           "(or leave it to be inferred).")
    return View(text)


def sensor_place(text: str) -> Sensor:
    """Where a form says the IMU was worn (foot or lower_back)."""
    if text not in SENSORS:
        raise InvalidInput(f"Unknown sensor place {text!r}; choose foot or lower_back.")
    return text


def sensor_side(text: str | None) -> Side | None:
    """Which foot a single foot sensor was on (left or right); None when not said."""
    if text is None:
        return None
    if text not in SIDES:
        raise InvalidInput(f"Unknown side {text!r}; choose left or right.")
    return text


def jps_source(text: str | None) -> JpsSource:
    """Where a form says a JPS test's angle comes from (video or imu; video when not said)."""
    if text in (None, "", "video"):
        return "video"
    if text != "imu":
        raise InvalidInput(f"Unknown source {text!r} for a joint position sense test; choose video "
                           "(a side-on clip) or imu (one sensor's file).")
    return "imu"


def jps_protocol(text: str | None) -> Protocol | None:
    """The JPS protocol a form names (reproduction or relocation); None leaves the joint's usual one."""
    if not text:
        return None
    if text not in PROTOCOLS:
        raise InvalidInput(f"Unknown protocol {text!r}; choose reproduction or relocation.")
    return "relocation" if text == "relocation" else "reproduction"


def jps_targets(text: str | None) -> tuple[float, ...] | None:
    """Target angles a form writes ``30,60`` (deg); None when left empty."""
    try:
        return parse_targets(text)
    except RecordingError as error:
        raise InvalidInput(str(error)) from None


def size_limit(kind: MovementKind, source: JpsSource) -> int:
    """The largest file (bytes) accepted for this kind of recording (a JPS test: by its source)."""
    video = kind is MovementKind.VIDEO or (kind is MovementKind.JOINT_POSITION_SENSE and source == "video")
    return MAX_VIDEO_BYTES if video else MAX_IMU_BYTES


def _check_options(upload: MovementUpload) -> None:
    # The fields' types are not enforced when an upload is made: the service still refuses what they rule out.
    camera_view(upload.view)
    if upload.height_cm is not None and not 50 <= upload.height_cm <= 250:
        raise InvalidInput("Enter the patient's height in centimetres (50-250).")
    sensor_place(upload.sensor)
    sensor_side(upload.side)
    if upload.kind is MovementKind.JOINT_POSITION_SENSE:
        _check_jps(upload)


def _check_jps(upload: MovementUpload) -> None:
    """A JPS test's joint, side, source, protocol and targets, refused in the clinician's words."""
    source = jps_source(upload.source)
    if not upload.joint:
        raise InvalidInput("Say which joint the position sense test is of (e.g. knee_flexion, cervical_rotation).")
    jps_protocol(upload.protocol)
    try:
        check_joint(upload.joint, upload.side, source)
    except RecordingError as error:
        raise InvalidInput(str(error)) from None
    if upload.targets is not None and (upload.protocol or default_protocol(upload.joint)) == "relocation":
        raise InvalidInput("A relocation test's target is the starting position; give targets only for the "
                           "reproduction protocol.")


def _posed(path: Path, region: Region | None, progress: Progress | None) -> PoseSeries:
    """In a reader process: the patient's keypoints in every frame of the clip, within the allowed length;
    ``progress`` hears of every tenth frame posed."""
    fps, count, _ = video_properties(path)
    if count / fps > MAX_VIDEO_S:
        raise RecordingError(f"{path.name}: the clip lasts {count / fps:.0f} s; trim it to the movement (at most "
                             f"{MAX_VIDEO_S:.0f} s) and upload that.")
    # The header's count may lie: the reader counts what it decodes, and stops past the allowed length or,
    # sooner, well past what the header announced.
    allowed = min(int(MAX_VIDEO_S * fps), MAX_VIDEO_FRAMES)
    if count > 0:
        allowed = min(allowed, int(HEADER_SLACK * count) + HEADER_SLACK_FRAMES)
    return read_video(path, region=region, max_frames=allowed, max_pixels=MAX_VIDEO_PIXELS,
                      on_frame=_reporting(progress))


def _video(path: Path, region: Region | None, view: View | None, height_cm: float | None,
           progress: Progress | None = None) -> dict[str, Any]:
    """In a reader process: the clip's pose, joint angles and (side-on walking) gait, as stored."""
    series = _posed(path, region, progress)
    movement = analyze_pose(series, view=view, height_cm=height_cm)
    try:
        gait, not_measured = analyze_video_gait(series, view=view, height_cm=height_cm).to_dict(), None
    except RecordingError as error:
        gait, not_measured = None, str(error).split(": ", 1)[-1]
    return {"movement": movement.to_dict(), "gait": gait, "gait_not_measured": not_measured}


def _reporting(progress: Progress | None) -> Callable[[int, int], None] | None:
    """``read_video``'s frame callback writing to ``progress`` every tenth frame (and the last)."""
    if progress is None:
        return None

    def on_frame(done: int, total: int) -> None:
        if done % PROGRESS_EVERY_FRAMES == 0 or done == total:
            progress.write(done, total)

    return on_frame


def _imu(path: Path, sampling_rate_hz: float | None, sensor: Sensor, side: Side | None,
         sensor_height_m: float | None) -> dict[str, Any]:
    """In a reader process: the IMU file's strides and gait summary, as stored."""
    recording = read_imu(path, sampling_rate_hz=sampling_rate_hz, sensor=sensor, side=side)
    gait = analyze_gait(recording, sensor=sensor, sensor_height_m=sensor_height_m)
    return {"gait": gait.to_dict()}


def _jps(path: Path, upload: MovementUpload, progress: Progress | None = None) -> dict[str, Any]:
    """In a reader process: a joint position sense test's trials and errors, as stored (the engine's JSON);
    ``upload`` holds the options only (its file is at ``path``)."""
    assert upload.joint is not None  # checked before the file is read
    protocol = upload.protocol or default_protocol(upload.joint)
    if upload.from_video:
        result = jps_from_pose(_posed(path, upload.region, progress), joint=upload.joint, side=upload.side,
                               protocol=protocol, targets=upload.targets, view=upload.view or View.SIDE)
    else:
        result = jps_from_imu(read_imu(path, sampling_rate_hz=upload.sampling_rate_hz), joint=upload.joint,
                              side=upload.side, protocol=protocol, targets=upload.targets)
    return {"jps": result.to_dict()}


def _checked(upload: MovementUpload) -> str:
    """What can be refused without reading the file (options, size); the file's safe name."""
    _check_options(upload)
    name = safe_name(upload.filename)
    if upload.from_video:
        check_size(name, upload.content, MAX_VIDEO_BYTES, "trim the clip to the movement and upload that")
    else:
        check_size(name, upload.content, MAX_IMU_BYTES, "export only the walk")
    return name


def analyse(upload: MovementUpload, progress: Progress | None = None) -> dict[str, Any]:
    """The engine's result for one file; InvalidInput naming the problem when it cannot be analysed."""
    name = _checked(upload)
    if upload.kind is MovementKind.JOINT_POSITION_SENSE:
        return readers().read(name, upload.content, VIDEO if upload.from_video else RECORDING, _jps,
                              replace(upload, content=b""), progress if upload.from_video else None)
    if upload.kind is MovementKind.VIDEO:
        return readers().read(name, upload.content, VIDEO, _video, upload.region, upload.view, upload.height_cm,
                              progress)
    return readers().read(name, upload.content, RECORDING, _imu, upload.sampling_rate_hz, upload.sensor,
                          upload.side, upload.sensor_height_m)


def upload_recording(session: Session, actor: Actor, visit_id: int, upload: MovementUpload, store: RecordingStore,
                     *, now: datetime | None = None, commit_before_analysis: bool = True) -> MovementRecording:
    """A clinician adds a clip or an IMU file to an open visit, analysed while they wait, before anything is
    kept (the demo's seed and the tests; the clinic's pages and API :func:`submit` it as a job).

    As for balance trials: the checks' read transaction is committed (``commit_before_analysis``) before
    the seconds of analysis, and the row is inserted in a fresh one after the visit is checked again.
    """
    visit = recordings.open_visit(session, actor, visit_id, "record movement", "the recording")
    if commit_before_analysis:
        session.commit()
    result = analyse(upload)
    return _keep(session, actor, visit, upload, recordings.keep_raw(session, store, upload.content), result,
                 now or utcnow())


def submit(session: Session, actor: Actor, visit_id: int, upload: MovementUpload, store: RecordingStore) -> Job:
    """A clinician adds a clip or an IMU file to an open visit: the file is kept and a job analyses it
    (what can be refused without reading it is refused now); the recording is added when the job is done."""
    visit = recordings.open_visit(session, actor, visit_id, "record movement", "the recording")
    name = _checked(upload)
    return jobs.create(session, actor, visit, JobKind.MOVEMENT_RECORDING, [jobs.Upload(name, upload.content, {})],
                       {"kind": upload.kind.value, **upload.options()}, store)


def _keep(session: Session, actor: Actor, visit: Visit, upload: MovementUpload, sha256: str, result: dict[str, Any],
          now: datetime) -> MovementRecording:
    """Insert the analysed recording (its raw file stored under ``sha256``) into ``visit``, checked again."""
    recordings.still_open(session, actor, visit, "the recording")
    summary = (result.get("gait") or {}).get("summary", {})
    recording = MovementRecording(
        patient_id=visit.patient_id, episode_id=visit.episode_id, visit_id=visit.id, kind=upload.kind,
        filename=safe_name(upload.filename), sha256=sha256, size_bytes=len(upload.content),
        options=upload.options(), cadence_steps_per_min=summary.get("cadence_steps_per_min"),
        gait_speed_m_s=summary.get("gait_speed_m_s"), result=result, recorded_at=now,
        recorded_by_id=actor.user_id,
    )
    session.add(recording)
    session.flush()
    record(session, actor, AuditAction.CREATE, "movement_recording", recording.id, patient_id=visit.patient_id,
           detail=f"{upload.kind.value}: {recording.filename}")
    return recording


class MovementJob:
    """A clip's or IMU file's job (:class:`reeducate.clinic.queue.Handler`): pose or strides in the reader
    pool, then the recording kept in the visit by the clinician who uploaded it."""

    def stage(self, job: Job) -> str:
        kind = job.options.get("kind")
        if kind == MovementKind.VIDEO.value or job.options.get("source") == "video":
            return "Finding the body in each frame"
        return "Finding the still holds" if kind == MovementKind.JOINT_POSITION_SENSE.value else "Finding the strides"

    def analyse(self, job: Job, store: RecordingStore, progress: Progress) -> dict[str, Any]:
        return analyse(self._upload(job, store), progress)

    def keep(self, session: Session, job: Job, analysed: dict[str, Any],
             store: RecordingStore) -> tuple[dict[str, Any], str]:
        file = job.files[0]
        recording = _keep(session, jobs.requester(job), job.visit, self._upload(job, store), file.sha256, analysed,
                          utcnow())
        return {"type": "movement_recording", "ids": [recording.id]}, "Analysed and saved"

    @staticmethod
    def _upload(job: Job, store: RecordingStore) -> MovementUpload:
        options = dict(job.options)
        kind = MovementKind(options.pop("kind"))
        for key in ("region", "targets"):
            if options.get(key) is not None:
                options[key] = tuple(options[key])
        file = job.files[0]
        return MovementUpload(file.filename, store.read(file.sha256), kind, **options)


MOVEMENT_JOB = MovementJob()


def for_visit(session: Session, actor: Actor, visit_id: int) -> list[MovementRecording]:
    return recordings.of_visit(session, actor, MovementRecording, visit_id, "movement_recordings")


def for_episode(session: Session, actor: Actor, episode_id: int) -> list[MovementRecording]:
    return recordings.of_episode(session, actor, MovementRecording, episode_id, "movement_recordings")


def get(session: Session, actor: Actor, recording_id: int) -> MovementRecording:
    return recordings.one(session, actor, MovementRecording, recording_id, "movement_recording")


def raw_file(session: Session, actor: Actor, recording_id: int, store: RecordingStore) -> tuple[str, bytes]:
    """The file as uploaded (clinicians only)."""
    return recordings.raw(session, actor, MovementRecording, recording_id, "movement_recording", store)
