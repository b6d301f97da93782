"""Gait from a side-on video: a synthetic walker with known events, and the woman walking in the Sports2D clip."""

from __future__ import annotations

import numpy as np
import pytest

from reeducate.signals.errors import RecordingError
from reeducate.signals.pose.landmarks import INDEX, LANDMARKS, pose_series
from reeducate.signals.pose.video import read_video
from reeducate.signals.video_gait import analyze_video_gait

FPS = 60.0
STRIDE_S = 1.1
STANCE = 0.62
SPEED_PX_S = 300.0
SWING_PX = 90.0


def walker(direction: int = 1, *, seconds: float = 6.0, treadmill: bool = False) -> np.ndarray:
    """Side-on keypoints (px) of a walker whose heel strikes and toe offs are known in closed form.

    The right heel is farthest ahead of the pelvis at 0.3 s + k·STRIDE_S, its toe farthest behind at
    STANCE of a stride later; the left foot half a stride later.
    """
    t = np.arange(0, seconds, 1 / FPS)
    xy = np.zeros((t.size, len(LANDMARKS), 2))
    pelvis_x = 200 + (0 * t if treadmill else SPEED_PX_S * t) * direction + (1500 if direction < 0 else 0)
    xy[:, :, 0] = pelvis_x[:, None]
    for name, y in (("nose", 100), ("left_ear", 110), ("right_ear", 110), ("left_shoulder", 160),
                    ("right_shoulder", 160), ("left_hip", 400), ("right_hip", 400), ("left_knee", 550),
                    ("right_knee", 550), ("left_ankle", 700), ("right_ankle", 700), ("left_heel", 710),
                    ("right_heel", 710), ("left_foot_index", 715), ("right_foot_index", 715)):
        xy[:, INDEX[name], 1] = y
    xy[:, INDEX["nose"], 0] += 20 * direction
    for side, lag in (("right", 0.0), ("left", STRIDE_S / 2)):
        phase = 2 * np.pi * (t - 0.3 - lag) / STRIDE_S
        heel = SWING_PX * np.cos(phase)
        toe = 25 - SWING_PX * np.cos(phase - 2 * np.pi * STANCE)
        for name, offset in ((f"{side}_heel", heel), (f"{side}_ankle", heel + 5), (f"{side}_foot_index", toe),
                             (f"{side}_knee", heel / 2)):
            xy[:, INDEX[name], 0] = pelvis_x + offset * direction
    return xy


def analyse(xy: np.ndarray, **kw):
    series = pose_series(xy=xy, visibility=np.ones(xy.shape[:2]), fps=FPS, source="synthetic walker")
    return analyze_video_gait(series, **kw)


@pytest.mark.parametrize("direction", [1, -1])
def test_the_events_of_a_synthetic_walker_are_found_whichever_way_it_walks(direction: int) -> None:
    result = analyse(walker(direction), m_per_px=0.004)
    right = result.strides["right"]
    assert [s.ic_s for s in right] == pytest.approx([0.3 + k * STRIDE_S for k in range(len(right))], abs=1.5 / FPS)
    assert len(right) >= 4 and len(result.strides["left"]) >= 4
    assert result.summary["stride_time_s"] == pytest.approx(STRIDE_S, abs=1 / FPS)
    assert result.summary["stance_percent"] == pytest.approx(100 * STANCE, abs=2)
    assert result.summary["cadence_steps_per_min"] == pytest.approx(120 / STRIDE_S, rel=0.02)
    assert result.summary["stride_length_m"] == pytest.approx(SPEED_PX_S * STRIDE_S * 0.004, rel=0.02)
    assert result.summary["gait_speed_m_s"] == pytest.approx(SPEED_PX_S * 0.004, rel=0.02)
    assert result.summary["double_support_percent"] == pytest.approx(2 * (100 * STANCE - 50), abs=3)


def test_without_a_scale_lengths_are_refused_and_on_a_treadmill_too() -> None:
    unscaled = analyse(walker())
    assert unscaled.summary["stride_length_m"] is None
    assert ("stride_length_m", "needs a scale: give the patient's height (--height-cm) or a known distance") \
        in unscaled.refused
    treadmill = analyse(walker(treadmill=True), m_per_px=0.004)
    assert treadmill.summary["stride_time_s"] == pytest.approx(STRIDE_S, abs=1 / FPS)
    assert treadmill.summary["gait_speed_m_s"] is None
    assert any(m == "gait_speed_m_s" and "treadmill" in r for m, r in treadmill.refused)


def test_standing_still_has_no_stride_and_says_so() -> None:
    still = walker(treadmill=True)
    still[:, :, 0] = still[:1, :, 0]
    with pytest.raises(RecordingError, match="no complete stride was seen"):
        analyse(still)


def test_a_clip_filmed_from_the_front_is_refused() -> None:
    with pytest.raises(RecordingError, match="need a side-on camera"):
        analyse(walker(), view="front")


@pytest.mark.slow
def test_the_woman_in_the_sports2d_clip_strikes_her_heels_where_we_saw_it(example) -> None:
    # She walks right to left across the lower half of the clip (frames ~46-200); the region keeps the
    # single-person model on her instead of the man on the box. Looked at frames 54-102 (every 2nd): the
    # leading heel lands at about frames 59, 78 and 97 (+-2), one step every 19 frames at 30 fps, a stride
    # of about 1.27 s.
    woman = read_video(example("sports2d_demo.mp4"), region=(0, 450, 1768, 994))
    result = analyze_video_gait(woman, height_cm=165)
    strikes = sorted(round(s.ic_s * 30) for side in result.strides.values() for s in side)
    assert strikes[:3] == [pytest.approx(59, abs=2), pytest.approx(78, abs=2), pytest.approx(97, abs=2)]
    assert result.summary["stride_time_s"] == pytest.approx(1.27, abs=0.07)
    assert 55 < result.summary["stance_percent"] < 70
    assert 1.0 < result.summary["gait_speed_m_s"] < 1.5      # an unhurried walk, with a 165 cm scale
    assert result.to_dict()["sensor"] == "video"


def test_a_region_outside_the_picture_is_refused(example) -> None:
    with pytest.raises(RecordingError, match="not inside the 1768x994 picture"):
        read_video(example("sports2d_demo.mp4"), region=(0, 450, 2000, 994))


def test_the_methods_sentence_names_the_camera_not_the_file() -> None:
    series = pose_series(xy=walker(), visibility=np.ones(walker().shape[:2]), fps=FPS,
                         source="VID_20261202_101523.mp4 (mediapipe)", metadata={"backend": "mediapipe"})
    method = analyze_video_gait(series, m_per_px=0.004).method
    assert method.startswith("Keypoints from the camera clip (mediapipe), low-passed") and ".mp4" not in method
