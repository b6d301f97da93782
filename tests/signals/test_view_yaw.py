"""How far the body is turned from the camera (yaw), and each plane's angles given or refused frame by frame.

Synthetic bodies: a 3-D stick figure turned by known yaws about the vertical, seen by a pinhole camera 3 m
away (focal length 1000 px); the 3-D landmarks given as MediaPipe gives them (world landmarks: metres on the
camera's axes, origin between the hips) or as image x, y with a relative depth (MediaPipe's z, here three
times the x scale, as the Pose2Sim demo's cameras showed it).
"""

from __future__ import annotations

import numpy as np
import pytest

from reeducate.signals.kinematics.views import (
    FRONTAL_MAX_YAW_DEG,
    IMAGE_DEPTH_SCALE,
    SAGITTAL_MIN_YAW_DEG,
    body_yaw_deg,
)
from reeducate.signals.movement import WALKING_REASON, analyze_pose
from reeducate.signals.pose.landmarks import INDEX, LANDMARKS, pose_series
from reeducate.signals.pose.readers import read_landmark_csv
from reeducate.signals.pose.tracking import Mark

FOCAL_PX = 1000.0
DISTANCE_M = 3.0

# The stick body in its own axes: (to the patient's right, up, forward), metres, origin between the hips.
_BODY = {
    "hip": (0.10, 0.0, 0.0), "knee": (0.10, -0.45, 0.0), "ankle": (0.10, -0.88, 0.0),
    "heel": (0.10, -0.93, -0.05), "foot_index": (0.10, -0.93, 0.15),
    "shoulder": (0.18, 0.50, 0.0), "elbow": (0.20, 0.22, 0.0), "wrist": (0.20, -0.02, 0.0),
    "ear": (0.07, 0.66, 0.0), "eye": (0.03, 0.69, 0.08),
}


def _body_points(knee_flexion_deg: float = 0.0) -> dict[str, np.ndarray]:
    """Landmark -> (right, up, forward); the knees bent by the given flexion (shank swung backwards)."""
    points: dict[str, np.ndarray] = {"nose": np.array([0.0, 0.66, 0.11])}
    bend = np.radians(knee_flexion_deg)
    for side, sign in (("right", 1.0), ("left", -1.0)):
        for name, (r, u, f) in _BODY.items():
            points[f"{side}_{name}"] = np.array([sign * r, u, f])
        knee = points[f"{side}_knee"]
        for name in ("ankle", "heel", "foot_index"):
            drop = points[f"{side}_{name}"] - knee
            points[f"{side}_{name}"] = knee + np.array([drop[0], drop[1] * np.cos(bend) - drop[2] * np.sin(bend),
                                                        drop[1] * np.sin(bend) + drop[2] * np.cos(bend)])
    return points


def _in_camera(yaw_deg: float, knee_flexion_deg: float = 0.0, shift_m: float = 0.0) -> np.ndarray:
    """(33, 3) camera coordinates (x right, y down, z away, m) of the body turned by ``yaw_deg`` from facing the
    camera (0 facing it, 90 side-on facing the picture's right), ``shift_m`` to the picture's right."""
    a = np.radians(yaw_deg)
    right = np.array([-np.cos(a), 0.0, -np.sin(a)])
    forward = np.array([np.sin(a), 0.0, -np.cos(a)])
    up = np.array([0.0, -1.0, 0.0])
    centre = np.array([shift_m, 0.0, DISTANCE_M])
    out = np.full((len(LANDMARKS), 3), np.nan)
    for name, (r, u, f) in _body_points(knee_flexion_deg).items():
        out[INDEX[name]] = centre + r * right + u * up + f * forward
    return out


def _series(cameras: list[np.ndarray], depth: str | None, fps: float = 30.0):
    """A series seen by the pinhole camera, with the 3-D landmarks as ``depth`` says ("world", "image depth")."""
    cam = np.stack(cameras)
    xy = FOCAL_PX * cam[..., :2] / cam[..., 2:3] + (960.0, 540.0)
    hips = (cam[:, INDEX["left_hip"]] + cam[:, INDEX["right_hip"]]) / 2
    xyz = None
    if depth == "world":
        xyz = cam - hips[:, None]
    elif depth == "image depth":  # MediaPipe's z: depth from the hips, in x's pixels, read three times too large
        z = (cam[..., 2] - hips[:, None, 2]) * FOCAL_PX / DISTANCE_M / IMAGE_DEPTH_SCALE
        xyz = np.concatenate([xy, z[..., None]], axis=2)
    vis = np.where(np.isfinite(xy[..., 0]), 1.0, 0.0)
    return pose_series(xy=xy, visibility=vis, fps=fps, source="synthetic", image_size_px=(1920, 1080),
                       metadata={"xyz": depth} if depth else None, xyz=xyz)


YAWS = (0.0, 15.0, 30.0, 45.0, 60.0, 75.0, 90.0)


@pytest.mark.parametrize(("depth", "tolerance_deg"), [("world", 0.5), ("image depth", 3.0), (None, 10.0)])
def test_the_yaw_of_a_body_turned_by_a_known_angle_is_read_back(depth: str | None, tolerance_deg: float) -> None:
    # World landmarks are exact geometry; image depth adds the pinhole's perspective (the near shoulder looks
    # wider); without depth the yaw comes from shoulder width over torso length against a facing ratio of 0.7
    # (this body's is 0.72, so 15 degrees reads 6), and side-on the near shoulder looks higher than the far one
    # (90 reads 80).
    series = _series([_in_camera(y) for y in YAWS for _ in range(10)], depth)
    yaw, source = body_yaw_deg(series)
    read = yaw.reshape(len(YAWS), 10)[:, 5]
    assert read == pytest.approx(YAWS, abs=tolerance_deg), (source, read)


def test_a_turn_the_other_way_reads_the_same_yaw() -> None:
    left = body_yaw_deg(_series([_in_camera(-40.0)] * 5, "world"))[0]
    right = body_yaw_deg(_series([_in_camera(40.0)] * 5, "world"))[0]
    assert left == pytest.approx(right) and left[2] == pytest.approx(40.0, abs=0.5)


def _turning(depth: str = "world") -> tuple[object, np.ndarray]:
    """A body with the knees bent 40 degrees turning from facing the camera to side-on over 91 frames."""
    yaws = np.linspace(0.0, 90.0, 91)
    return _series([_in_camera(y, knee_flexion_deg=40.0) for y in yaws], depth), yaws


def test_sagittal_angles_are_given_from_the_accepted_yaw_and_frontal_ones_up_to_theirs() -> None:
    series, yaws = _turning()
    result = analyze_pose(series)
    knee = result.angles_deg["right_knee_flexion"]
    valgus = result.angles_deg["right_knee_valgus"]
    clear_side = yaws >= SAGITTAL_MIN_YAW_DEG + 3
    clear_front = yaws < SAGITTAL_MIN_YAW_DEG - 3
    assert np.isfinite(knee[clear_side]).all() and np.isnan(knee[clear_front]).all()
    assert np.isfinite(valgus[yaws <= FRONTAL_MAX_YAW_DEG - 3]).all()
    assert np.isnan(valgus[yaws > FRONTAL_MAX_YAW_DEG + 3]).all()
    # side-on the knee reads its 40 degrees; at the edge of the range the projection shrinks it
    assert knee[-1] == pytest.approx(40.0, abs=1.0)
    assert 25.0 < knee[np.flatnonzero(clear_side)[0]] < 40.0


def test_each_run_of_refused_frames_says_why_with_its_yaw() -> None:
    series, yaws = _turning()
    data = analyze_pose(series).to_dict()
    runs = [r for r in data["refused_frames"] if r["measure"] == "right_knee_flexion"]
    assert len(runs) == 1 and runs[0]["from_frame"] == 0
    assert abs(runs[0]["to_frame"] - SAGITTAL_MIN_YAW_DEG) <= 3  # one frame per degree
    assert "turned only" in runs[0]["reason"] and "film more side-on" in runs[0]["reason"]
    valgus = [r for r in data["refused_frames"] if r["measure"] == "right_knee_valgus"]
    assert valgus[0]["to_frame"] == 90 and "film from the front" in valgus[0]["reason"]
    assert len(data["yaw_deg"]) == 91 and data["yaw_deg"][-1] == pytest.approx(90.0, abs=2)
    assert data["accepted_yaw_deg"] == {"sagittal": {"min": SAGITTAL_MIN_YAW_DEG, "max": 90.0},
                                        "frontal": {"min": 0.0, "max": FRONTAL_MAX_YAW_DEG}}
    assert set(data["error_band_deg"]) >= {"right_knee_flexion", "left_hip_flexion"}
    assert data["yaw_source"] == "MediaPipe's world landmarks"


def test_a_view_the_user_gives_keeps_only_that_views_plane() -> None:
    series, _ = _turning()
    result = analyze_pose(series, view="front")
    assert "right_knee_flexion" not in result.angles_deg
    assert "end-on" in dict(result.refused)["right_knee_flexion"]
    assert np.isfinite(result.angles_deg["right_knee_valgus"][:25]).all()


def test_a_body_facing_the_camera_throughout_refuses_the_sagittal_angles_for_the_clip() -> None:
    result = analyze_pose(_series([_in_camera(5.0, knee_flexion_deg=30.0)] * 20, "world"))
    assert result.view is not None and result.view.value == "front"
    assert "right_knee_flexion" not in result.angles_deg
    assert "turned only 5 degrees" in dict(result.refused)["right_knee_flexion"]


def test_the_oblique_pose2sim_camera_gives_the_knee_in_most_frames(example) -> None:
    # cam04 of the Pose2Sim demo: an oblique rear view, 42 degrees from facing on the 4-camera reconstruction
    # (benchmarks/movement_accuracy.py), where the old width-ratio check called every frame "front".
    series = read_landmark_csv(example("balancing_cam04_landmarks.csv"), width_px=1088, height_px=1920)
    result = analyze_pose(series)
    assert result.view is None and result.to_dict()["view"] == "oblique"
    assert result.yaw_deg is not None and 30 < float(np.nanmedian(result.yaw_deg)) < 50
    assert np.isfinite(result.angles_deg["right_knee_flexion"]).mean() > 0.5
    refused = {r.measure for r in result.refused_frames}
    assert "right_knee_flexion" in refused  # the man turns towards the camera around frames 58-84


def test_a_walkers_trunk_lean_is_refused_and_a_standing_ones_kept() -> None:
    standing = analyze_pose(_series([_in_camera(90.0)] * 40, "world"))
    assert np.isfinite(standing.angles_deg["trunk_lean"]).all()
    walking = analyze_pose(_series([_in_camera(90.0, shift_m=0.04 * k) for k in range(40)], "world"))
    assert "trunk_lean" not in walking.angles_deg
    assert dict(walking.refused)["trunk_lean"] == WALKING_REASON


def test_the_sports2d_walkers_trunk_lean_is_refused_with_the_reason(example) -> None:
    # The woman walking right to left (frames 170-200, marked at frame 185): she faces left and the engine
    # knows it, but MediaPipe puts her hips at the front of the pelvis and her shoulders at the back, so the
    # line between them leans 6-13 degrees backward although she walks upright (we looked at frames 176-188).
    series = read_landmark_csv(example("sports2d_demo_landmarks.csv"), width_px=1768, height_px=994,
                               mark=Mark(185, 181.0, 730.0))
    assert series.metadata["person"] == "the person marked in frame 185"
    result = analyze_pose(series)
    assert "trunk_lean" not in result.angles_deg
    assert "walking" in dict(result.refused)["trunk_lean"]
    # the man standing side-on on the box (frames 95-160 of the clip, not marked) keeps his lean, upright
    man = analyze_pose(read_landmark_csv(example("sports2d_demo_landmarks.csv"), width_px=1768, height_px=994))
    assert np.nanmax(np.abs(man.angles_deg["trunk_lean"][95:140])) < 8
