"""Keypoints in: the landmark CSV, OpenPose JSON, TRC and video readers, and following one person."""

from __future__ import annotations

import json

import numpy as np
import pytest

from reeducate.signals.errors import RecordingError
from reeducate.signals.pose.landmarks import INDEX, LANDMARKS
from reeducate.signals.pose.readers import read_landmark_csv, read_openpose_json, read_trc
from reeducate.signals.pose.tracking import Mark, select_person
from reeducate.signals.pose.video import read_video

SPORTS2D_SIZE = {"width_px": 1768, "height_px": 994}  # example_data/video/README.md


@pytest.fixture
def sports2d(example):
    return read_landmark_csv(example("sports2d_demo_landmarks.csv"), **SPORTS2D_SIZE)


def test_it_follows_the_man_and_leaves_out_the_woman_who_walks_by(sports2d) -> None:
    # The README (and the frames we looked at) say: man 3-168, woman about 170-200, man again about 202-226.
    seen = np.flatnonzero(sports2d.detected)
    assert not sports2d.detected[170:201].any()
    assert set(range(3, 169)) <= set(seen)
    assert set(range(202, 227)) <= set(seen)
    assert "someone other than the patient" in sports2d.warnings[0]


def test_a_mark_on_the_woman_follows_her_instead(example) -> None:
    # Frame 180: her hips are near x = 0.12 * 1768, y = 0.74 * 994 in the landmark file.
    series = read_landmark_csv(example("sports2d_demo_landmarks.csv"), **SPORTS2D_SIZE)
    raw = np.genfromtxt(example("sports2d_demo_landmarks.csv"), delimiter=",", names=True)
    candidates = []
    for row in raw:
        xy = np.array([[row[f"{n}_x"] * 1768, row[f"{n}_y"] * 994, row[f"{n}_vis"]] for n in LANDMARKS])
        candidates.append(xy[None] if np.isfinite(xy[:, 0]).any() else np.empty((0, 33, 3)))
    chosen = select_person(candidates, series.time_s, Mark(180, 0.12 * 1768, 0.74 * 994))
    followed = np.flatnonzero(np.isfinite(chosen.xy[:, INDEX["left_hip"], 0]))
    assert followed.min() >= 169 and followed.max() <= 201 and len(followed) >= 29


def _person(centre_x: float, vis: float = 0.9) -> np.ndarray:
    """A standing skeleton around x = centre_x (pixels), BODY_25 layout flattened as OpenPose writes it."""
    body = np.zeros((25, 3))
    layout = {0: (0, -170), 2: (-20, -140), 5: (20, -140), 3: (-25, -100), 6: (25, -100), 4: (-25, -60),
              7: (25, -60), 9: (-10, -50), 12: (10, -50), 10: (-10, 0), 13: (10, 0), 11: (-10, 50), 14: (10, 50),
              21: (5, 55), 24: (-15, 55), 19: (25, 55), 22: (5, 55)}
    for k, (dx, dy) in layout.items():
        body[k] = (centre_x + dx, 400 + dy, vis)
    return body.ravel()


def test_openpose_json_with_two_people_keeps_the_better_seen_one(tmp_path) -> None:
    for f in range(30):
        people = [{"pose_keypoints_2d": _person(200 + 2 * f).tolist()},
                  {"pose_keypoints_2d": _person(900 - 5 * f, vis=0.4).tolist()}]
        (tmp_path / f"clip_{f:04d}_keypoints.json").write_text(json.dumps({"people": people}))
    series = read_openpose_json(tmp_path, fps=30)
    hips = series.point("right_hip")
    assert np.allclose(hips[:, 0], 190 + 2 * np.arange(30))
    assert np.isnan(series.point("right_pinky")).all()  # BODY_25 has no pinky


def test_openpose_json_with_an_unknown_layout_is_refused(tmp_path) -> None:
    (tmp_path / "a_keypoints.json").write_text(json.dumps({"people": [{"pose_keypoints_2d": [1, 2, 3, 4]}]}))
    with pytest.raises(RecordingError, match="not a known OpenPose layout"):
        read_openpose_json(tmp_path, fps=30)


def test_a_trc_file_is_read_in_metres_on_the_sagittal_plane(tmp_path) -> None:
    names = ["RShoulder", "LShoulder", "RHip", "LHip", "RKnee", "RAnkle"]
    header = ["PathFileType\t4\t(X/Y/Z)\ttest.trc",
              "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames",
              "60\t60\t3\t6\tmm\t60\t1\t3",
              "Frame#\tTime\t" + "\t\t\t".join(names),
              "\t\t" + "\t".join(f"X{i}\tY{i}\tZ{i}" for i in range(1, 7))]
    rows = [f"{f + 1}\t{f / 60:.4f}\t" + "\t".join(f"{100 * m + f}\t{1000 - 100 * m}\t{50}" for m in range(6))
            for f in range(3)]
    path = tmp_path / "test.trc"
    path.write_text("\n".join(header + rows) + "\n")
    series = read_trc(path)
    assert series.unit == "m" and series.fps == 60
    assert series.point("right_knee")[1] == pytest.approx([0.401, -0.6])


def test_a_truncated_trc_is_refused(tmp_path) -> None:
    path = tmp_path / "bad.trc"
    path.write_text("PathFileType\t4\nDataRate\tUnits\n60\tfurlongs\n")
    with pytest.raises(RecordingError, match="not a TRC file"):
        read_trc(path)


@pytest.mark.slow
def test_the_video_pipeline_gives_the_published_landmarks(example) -> None:
    # MediaPipe is deterministic on CPU: our reader must reproduce the shared landmark file.
    series = read_video(example("balancing_cam04.mp4"))
    published = read_landmark_csv(example("balancing_cam04_landmarks.csv"), width_px=1088, height_px=1920)
    assert series.n_frames == 100 and series.fps == pytest.approx(60)
    assert np.nanmax(np.abs(series.xy - published.xy)) < 1.0  # pixels


def test_a_corrupt_video_is_refused_by_name(tmp_path, example) -> None:
    broken = tmp_path / "clip.mp4"
    broken.write_bytes(example("balancing_cam04.mp4").read_bytes()[:2000])
    with pytest.raises(RecordingError, match="clip.mp4"):
        read_video(broken)


@pytest.mark.slow
def test_a_clip_with_nobody_in_it_is_refused(tmp_path) -> None:
    import cv2

    path = tmp_path / "empty_room.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30, (320, 240))
    for i in range(20):
        writer.write(np.full((240, 320, 3), 60 + i, dtype=np.uint8))
    writer.release()
    with pytest.raises(RecordingError, match="nobody was detected"):
        read_video(path)


class _Nobody:
    """A pose backend that sees no one, instantly: for tests about decoding, not about pose."""

    name = "nobody"

    def detect(self, frame_rgb: np.ndarray) -> np.ndarray:
        return np.empty((0, len(LANDMARKS), 3))

    def close(self) -> None:
        pass


@pytest.mark.parametrize(("announced", "message"), [
    (10, r"lying.avi: the clip holds more than 20 frames but its header announces 10; the file is damaged"),
    (40, r"lying.avi: the clip holds more than 20 frames \(4 s at 5 fps\); trim it to the movement"),
], ids=["header-understates", "header-honest"])
def test_a_clip_is_refused_once_its_decoded_frames_pass_the_cap(tmp_path, announced: int, message: str) -> None:
    from tests.fuzz.mutations import lying_avi

    path = tmp_path / "lying.avi"
    path.write_bytes(lying_avi([np.full((64, 48, 3), 90, np.uint8)], held=40, announced=announced, fps=5))
    with pytest.raises(RecordingError, match=message):
        read_video(path, backend=_Nobody(), max_frames=20)


def test_a_clip_larger_than_the_pixel_cap_is_refused_before_pose(tmp_path) -> None:
    import cv2

    path = tmp_path / "wide.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 5, (64, 48))
    for _ in range(3):
        writer.write(np.full((48, 64, 3), 90, np.uint8))
    writer.release()
    with pytest.raises(RecordingError, match="64x48 pixels is larger than pose needs"):
        read_video(path, backend=_Nobody(), max_pixels=64 * 47)
