"""Joint angles, views, posture and range of motion: synthetic bodies with known angles, and real frames."""

from __future__ import annotations

import numpy as np
import pytest

from reeducate.signals.kinematics.angles import joint_angles
from reeducate.signals.kinematics.views import View
from reeducate.signals.movement import analyze_pose
from reeducate.signals.pose.landmarks import INDEX, LANDMARKS, pose_series
from reeducate.signals.pose.readers import read_landmark_csv


def _side_body(hip_deg: float, knee_deg: float, trunk_deg: float, arm_deg: float, facing: int = 1,
               frames: int = 1) -> np.ndarray:
    """Side view, image pixels (y down): segments 100 px, angles in degrees, facing +1 right / -1 left."""
    xy = np.full((frames, len(LANDMARKS), 2), np.nan)
    hip = np.array([500.0, 500.0])

    def towards(start, angle_from_down_deg):
        a = np.radians(angle_from_down_deg)
        return start + 100 * np.array([facing * np.sin(a), np.cos(a)])

    for f in range(frames):
        shoulder = hip + 100 * np.array([facing * np.sin(np.radians(trunk_deg)), -np.cos(np.radians(trunk_deg))])
        knee = towards(hip, hip_deg - trunk_deg)
        ankle = towards(knee, hip_deg - trunk_deg - knee_deg)
        elbow = towards(shoulder, arm_deg - trunk_deg if np.isscalar(arm_deg) else arm_deg[f] - trunk_deg)
        points = {"hip": hip, "knee": knee, "ankle": ankle, "shoulder": shoulder, "elbow": elbow,
                  "wrist": towards(elbow, 0), "heel": ankle + (-facing * 20, 10), "foot_index": ankle + (facing * 80, 10)}
        for side, dx in (("left", 1.0), ("right", -1.0)):
            for name, p in points.items():
                xy[f, INDEX[f"{side}_{name}"]] = p + (dx, 0)
        xy[f, INDEX["nose"]] = shoulder + (facing * 30, -60)
        xy[f, INDEX["left_ear"]] = xy[f, INDEX["right_ear"]] = shoulder + (0, -60)
    return xy


def _series(xy: np.ndarray, **kw):
    return pose_series(xy=xy, visibility=np.ones(xy.shape[:2]), fps=30, source="synthetic", **kw)


@pytest.mark.parametrize("facing", [1, -1])
def test_sagittal_angles_are_the_ones_drawn_whichever_way_the_patient_faces(facing: int) -> None:
    angles = joint_angles(_series(_side_body(45, 30, 10, 90, facing)), View.SIDE)
    assert angles["right_hip_flexion"][0] == pytest.approx(45)
    assert angles["right_knee_flexion"][0] == pytest.approx(30)
    assert angles["trunk_lean"][0] == pytest.approx(10)
    assert angles["left_shoulder_flexion"][0] == pytest.approx(90)
    # shank 5 deg forward of vertical (45 - 10 - 30) under a level foot: 5 deg of plantarflexion
    assert angles["right_ankle_dorsiflexion"][0] == pytest.approx(-5)


def test_an_arm_going_overhead_does_not_jump_at_180_degrees() -> None:
    sweep = np.linspace(150, 210, 31)
    angles = joint_angles(_series(_side_body(0, 0, 0, sweep, frames=31)), View.SIDE)
    assert np.allclose(angles["right_shoulder_flexion"], sweep)
    assert np.all(np.abs(np.diff(angles["right_shoulder_flexion"])) < 5)


def _front_body(valgus_deg: float, right_shoulder_up_px: float = 0.0, mirrored: bool = False) -> np.ndarray:
    """Facing the camera: the patient's right is on image left (or right when seen from behind)."""
    xy = np.full((1, len(LANDMARKS), 2), np.nan)
    s = 1 if mirrored else -1  # x direction of the patient's right side
    for side, sign in (("right", s), ("left", -s)):
        hip = np.array([500 + sign * 40, 500.0])
        knee = hip + (0, 200)
        # valgus: the shank goes out (laterally) from a knee that sits inside the hip-ankle line
        a = np.radians(valgus_deg)
        ankle = knee + (sign * 200 * np.sin(a), 200 * np.cos(a))
        xy[0, INDEX[f"{side}_hip"]] = hip
        xy[0, INDEX[f"{side}_knee"]] = knee
        xy[0, INDEX[f"{side}_ankle"]] = ankle
        up = right_shoulder_up_px if side == "right" else 0
        xy[0, INDEX[f"{side}_shoulder"]] = (500 + sign * 80, 200 - up)
        xy[0, INDEX[f"{side}_elbow"]] = (500 + sign * 80, 330)
        xy[0, INDEX[f"{side}_ear"]] = (500 + sign * 20, 120)
        xy[0, INDEX[f"{side}_heel"]] = ankle + (0, 20)
        xy[0, INDEX[f"{side}_foot_index"]] = ankle + (0, 30)
    xy[0, INDEX["nose"]] = (500, 130)
    return xy


@pytest.mark.parametrize("mirrored", [False, True])
def test_knee_valgus_has_the_same_sign_from_the_front_and_from_behind(mirrored: bool) -> None:
    angles = joint_angles(_series(_front_body(12, mirrored=mirrored)), View.FRONT)
    assert angles["left_knee_valgus"][0] == pytest.approx(12)
    assert angles["right_knee_valgus"][0] == pytest.approx(12)
    varus = joint_angles(_series(_front_body(-8, mirrored=mirrored)), View.FRONT)
    assert varus["right_knee_valgus"][0] == pytest.approx(-8)


def test_shoulder_obliquity_reads_the_tilt_of_the_shoulders() -> None:
    xy = np.repeat(_front_body(0, right_shoulder_up_px=160 * np.tan(np.radians(5))), 20, axis=0)
    result = analyze_pose(_series(xy), view="front")
    assert result.posture["shoulder_obliquity_deg"] == pytest.approx(5, abs=0.01)
    assert result.posture["pelvic_obliquity_deg"] == pytest.approx(0, abs=0.01)


def test_posture_is_read_through_keypoint_jitter_but_not_from_a_clip_without_a_still_moment(example) -> None:
    rng = np.random.default_rng(0)
    still = np.repeat(_front_body(0), 30, axis=0) + rng.normal(0, 2, size=(30, len(LANDMARKS), 2))
    assert analyze_pose(_series(still), view="front").posture["pelvic_obliquity_deg"] == pytest.approx(0, abs=2)
    # The man of the Pose2Sim clip balances on one leg swinging his arms throughout (we watched it).
    moving = analyze_pose(read_landmark_csv(example("balancing_cam04_landmarks.csv"), width_px=1088,
                                            height_px=1920), view="front")
    assert moving.posture == {}
    assert "does not stand still" in dict(moving.refused)["shoulder_obliquity_deg"]
    picked = analyze_pose(read_landmark_csv(example("balancing_cam04_landmarks.csv"), width_px=1088,
                                            height_px=1920), view="front", posture_frame=0)
    assert picked.posture["frame"] == 0 and picked.posture["shoulder_obliquity_deg"] is not None


def test_a_side_view_refuses_valgus_with_the_reason() -> None:
    result = analyze_pose(_series(np.repeat(_side_body(10, 10, 0, 0), 20, axis=0)))
    assert result.view is View.SIDE
    refused = dict(result.refused)
    assert "edge-on" in refused["right_knee_valgus"] and "right_knee_valgus" not in result.angles_deg
    assert "right_knee_flexion" in result.angles_deg


def test_metric_lengths_need_a_scale() -> None:
    xy = np.repeat(_front_body(0), 20, axis=0)
    assert analyze_pose(_series(xy), view="front").posture["trunk_lateral_shift_cm"] is None
    scaled = analyze_pose(_series(xy), view="front", m_per_px=0.005)
    assert scaled.posture["trunk_lateral_shift_cm"] == pytest.approx(0, abs=1e-6)


def test_knee_flexion_of_a_real_frame_matches_the_law_of_cosines(example) -> None:
    # Frame 216 of the Sports2D demo: the man runs off to the right, his right knee deeply bent
    # (we looked at the annotated frame). Independent check: the interior angle at the knee from the
    # raw landmark pixels by the law of cosines; our value is low-passed, so within 3 degrees.
    series = read_landmark_csv(example("sports2d_demo_landmarks.csv"), width_px=1768, height_px=994)
    hip, knee, ankle = (series.xy[216, INDEX[f"right_{n}"]] for n in ("hip", "knee", "ankle"))
    a, b, c = np.linalg.norm(hip - knee), np.linalg.norm(ankle - knee), np.linalg.norm(hip - ankle)
    by_hand = 180 - np.degrees(np.arccos((a * a + b * b - c * c) / (2 * a * b)))
    result = analyze_pose(series)
    assert by_hand > 90
    assert result.angles_deg["right_knee_flexion"][216] == pytest.approx(by_hand, abs=3)


def test_the_json_has_the_documented_shape(example) -> None:
    series = read_landmark_csv(example("sports2d_demo_landmarks.csv"), width_px=1768, height_px=994)
    data = analyze_pose(series).to_dict()
    assert {"fps", "n_frames", "detected_fraction", "view", "time_s", "angles_deg", "rom_deg", "posture",
            "refused"} <= set(data)
    assert data["view"] == "side" and data["n_frames"] == 230
    assert all(len(v) == 230 for v in data["angles_deg"].values())
    assert data["angles_deg"]["right_knee_flexion"][185] is None  # the passer-by's frames
    assert all(-90 <= v < 270 for v in data["angles_deg"]["right_shoulder_flexion"] if v is not None)


def test_the_methods_sentence_names_what_made_the_keypoints_not_the_file(example) -> None:
    series = read_landmark_csv(example("balancing_cam04_landmarks.csv"), width_px=1088, height_px=1920)
    method = analyze_pose(series, view="front").method
    assert method.startswith("Keypoints from the camera clip;") and "balancing_cam04" not in method
    markers = _series(np.repeat(_front_body(0), 20, axis=0) / 1000, unit="m")
    assert analyze_pose(markers, view="front").method.startswith("Keypoints from the motion-capture markers;")
