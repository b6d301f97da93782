"""Movement recordings in the clinic: a clip or a gait IMU file uploaded to a visit, analysed before
anything is kept, the raw file kept by SHA-256, and a bad file refused with nothing stored."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.access import Actor
from reeducate.clinic.db import unit_of_work
from reeducate.clinic.errors import Conflict, InvalidInput
from reeducate.clinic.models import User
from reeducate.clinic.recording_store import RecordingStore
from reeducate.clinic.services import movement
from reeducate.clinic.vocabulary import MovementKind
from reeducate.example_data import fetch
from reeducate.signals.gait import analyze_gait
from reeducate.signals.io.imu import read_imu
from reeducate.signals.kinematics.views import View
from tests.clinic.conftest import row_counts
from tests.fuzz.mutations import lying_avi
from tests.support import World, imu_gait_upload, video_upload


def actor(session: Session, world: World, persona: str) -> Actor:
    return Actor.of(session.get(User, world.user_ids[persona]))


def test_a_gait_imu_file_is_kept_with_its_strides_and_its_raw_bytes(
        factory: sessionmaker[Session], records: World, store: RecordingStore) -> None:
    with unit_of_work(factory) as session:
        stored = movement.get(session, actor(session, records, "therapist"), records.gait_recording)
        raw = imu_gait_upload().content
        assert stored.sha256 == hashlib.sha256(raw).hexdigest() and store.read(stored.sha256) == raw
        sides = stored.result["gait"]["sides"]
        engine = analyze_gait(read_imu(fetch("gaitmap_imu_sample.csv"), sampling_rate_hz=204.8))
        assert (sides["left"]["summary"]["n_strides"], sides["right"]["summary"]["n_strides"]) == (
            len(engine.strides["left"]), len(engine.strides["right"]))
        assert 100 < stored.cadence_steps_per_min < 120 and 1.1 < stored.gait_speed_m_s < 1.4
        assert stored.options == {"sensor": "foot", "sampling_rate_hz": 204.8, "side": None, "sensor_height_m": None}
        by_episode = movement.for_episode(session, actor(session, records, "patient"), records.episode)
        assert [r.id for r in by_episode] == [records.gait_recording]


@pytest.mark.slow
def test_a_clip_is_kept_with_its_angles_and_the_reason_it_shows_no_gait(
        factory: sessionmaker[Session], records: World, store: RecordingStore) -> None:
    with unit_of_work(factory) as session:
        clip = movement.upload_recording(session, actor(session, records, "therapist"), records.visit_open,
                                         video_upload("../../etc/balance.mp4"), store)
        assert clip.filename == "balance.mp4" and clip.kind is MovementKind.VIDEO
        result = clip.result["movement"]
        # the oblique rear camera of the Pose2Sim demo: its yaw from MediaPipe's world landmarks, the knee's
        # flexion given where the man is turned far enough from the camera (docs/movement.md)
        assert result["n_frames"] == 100 and result["view"] == "oblique"
        assert result["yaw_source"] == "MediaPipe's world landmarks" and len(result["yaw_deg"]) == 100
        knee = result["angles_deg"]["right_knee_flexion"]
        assert len(knee) == 100 and sum(v is not None for v in knee) > 50
        assert result["rom_deg"]["right_knee_flexion"]["range"] > 0
        assert clip.result["gait"] is None and "side-on camera" in clip.result["gait_not_measured"]
        assert clip.cadence_steps_per_min is None


def _unreadable_clip() -> movement.MovementUpload:
    return movement.MovementUpload("clip.mp4", b"\x00\x00\x00\x18ftypmp42" + bytes(5000), MovementKind.VIDEO)


def _empty_scene(tmp_path: Path) -> movement.MovementUpload:
    import cv2

    path = tmp_path / "empty-room.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30, (320, 240))
    for k in range(30):
        writer.write(np.full((240, 320, 3), 90 + k, dtype=np.uint8))
    writer.release()
    return movement.MovementUpload(path.name, path.read_bytes(), MovementKind.VIDEO)


def _wrong_rate() -> movement.MovementUpload:
    return movement.MovementUpload("walk.csv", imu_gait_upload().content, MovementKind.IMU_GAIT, sampling_rate_hz=40)


@pytest.mark.parametrize(("make", "message"), [
    (lambda tmp: _unreadable_clip(), "not a video OpenCV can open"),
    pytest.param(_empty_scene, "nobody was detected", marks=pytest.mark.slow),
    (lambda tmp: _wrong_rate(), "sampling rate is probably wrong"),
    (lambda tmp: movement.MovementUpload("walk.csv", b"", MovementKind.IMU_GAIT), "the file is empty"),
    (lambda tmp: movement.MovementUpload("walk.csv", b"acc_x,acc_y\n1,2\n", MovementKind.IMU_GAIT,
                                         sampling_rate_hz=100), "acc_x"),
    (lambda tmp: movement.MovementUpload("clip.mp4", b"x", MovementKind.VIDEO, view="top"), "Unknown camera view"),
    (lambda tmp: movement.MovementUpload("clip.mp4", b"x", MovementKind.VIDEO, height_cm=5.9), "centimetres"),
])
def test_a_bad_recording_is_refused_by_name_and_nothing_is_stored(
        factory: sessionmaker[Session], records: World, store: RecordingStore, tmp_path: Path, make,
        message: str) -> None:
    before = row_counts(factory)
    stored_files = sorted(p.name for p in store.root.rglob("*") if p.is_file())
    with pytest.raises(InvalidInput, match=message), unit_of_work(factory) as session:
        movement.upload_recording(session, actor(session, records, "therapist"), records.visit_open, make(tmp_path),
                                  store)
    assert row_counts(factory) == before
    assert sorted(p.name for p in store.root.rglob("*") if p.is_file()) == stored_files


def test_a_clip_whose_header_understates_its_length_is_refused_soon_after_the_frames_it_announces() -> None:
    # 30 fps: 120 s allowed would be 3,600 frames; the header announces 20, so decoding stops past 1.5 x 20 + 30
    clip = lying_avi([np.full((64, 48, 3), 90 + k, np.uint8) for k in range(10)], held=100, announced=20, fps=30)
    with pytest.raises(InvalidInput, match=r"^clip.avi: the clip holds more than 60 frames but its header "
                                           r"announces 20; the file is damaged or mislabelled"):
        movement.analyse(movement.MovementUpload("clip.avi", clip, MovementKind.VIDEO))


def test_a_completed_visit_takes_no_new_recording(factory: sessionmaker[Session], records: World,
                                                  store: RecordingStore) -> None:
    with pytest.raises(Conflict, match="completed"), unit_of_work(factory) as session:
        movement.upload_recording(session, actor(session, records, "therapist"), records.visit_done,
                                  imu_gait_upload(), store)


def test_a_form_s_text_becomes_the_view_sensor_and_side_the_engines_take() -> None:
    assert movement.camera_view("side") is View.SIDE and movement.camera_view(None) is None
    assert movement.sensor_place("lower_back") == "lower_back" and movement.sensor_side("left") == "left"
    assert movement.sensor_side(None) is None
    for read, text, message in [(movement.camera_view, "top", "Unknown camera view"),
                                (movement.sensor_place, "wrist", "Unknown sensor place"),
                                (movement.sensor_side, "both", "choose left or right")]:
        with pytest.raises(InvalidInput, match=message):
            read(text)
