"""The clip again, with the followed person's skeleton and joint angles drawn on every frame.

Written with OpenCV as MP4 (MPEG-4 Part 2, 'mp4v': the codec every OpenCV wheel can write); frames
where the patient is not seen are copied unchanged.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from reeducate.signals.movement import MovementResult
from reeducate.signals.pose.landmarks import INDEX, SKELETON
from reeducate.signals.pose.video import frames

#: Which joint each drawn angle is written next to.
_LABEL_AT = {"knee_flexion": "knee", "hip_flexion": "hip", "elbow_flexion": "elbow",
             "shoulder_flexion": "shoulder", "shoulder_abduction": "shoulder", "knee_valgus": "knee",
             "ankle_dorsiflexion": "ankle"}
_BONE = (80, 220, 255)   # BGR
_JOINT = (40, 40, 230)
_TEXT = (255, 255, 255)


def write_annotated(video: Path, result: MovementResult, out: Path) -> int:
    """Draw skeleton and angles over ``video`` into ``out``; returns the number of frames written."""
    import cv2

    series = result.series
    width, height = series.image_size_px or (0, 0)
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter.fourcc(*"mp4v"), series.fps, (width, height))
    if not writer.isOpened():
        raise OSError(f"cannot write a video to {out}")
    scale = max(width, height) / 1000
    written = 0
    try:
        for f, rgb in enumerate(frames(video)):
            image = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
            if f < series.n_frames and series.detected[f]:
                _draw(cv2, image, result, f, scale)
            writer.write(image)
            written += 1
    finally:
        writer.release()
    return written


def _draw(cv2, image: np.ndarray, result: MovementResult, f: int, scale: float) -> None:
    xy = result.series.xy[f]
    thick = max(2, int(3 * scale))

    def at(name: str) -> tuple[int, int] | None:
        p = xy[INDEX[name]]
        return (int(p[0]), int(p[1])) if np.all(np.isfinite(p)) else None

    for a, b in SKELETON:
        pa, pb = at(a), at(b)
        if pa and pb:
            cv2.line(image, pa, pb, _BONE, thick, cv2.LINE_AA)
    for name in INDEX:
        p = at(name)
        if p and not name.startswith(("left_eye", "right_eye", "mouth")):
            cv2.circle(image, p, thick + 1, _JOINT, -1, cv2.LINE_AA)
    for angle, values in result.angles_deg.items():
        value = values[f]
        for suffix, joint in _LABEL_AT.items():
            if angle.endswith(suffix) and np.isfinite(value):
                side = angle.split("_", 1)[0]
                p = at(f"{side}_{joint}")
                if p:
                    text = f"{value:.0f}"
                    org = (p[0] + int(12 * scale), p[1] - int(8 * scale))
                    cv2.putText(image, text, org, cv2.FONT_HERSHEY_SIMPLEX, 0.7 * scale, (0, 0, 0), thick + 2,
                                cv2.LINE_AA)
                    cv2.putText(image, text, org, cv2.FONT_HERSHEY_SIMPLEX, 0.7 * scale, _TEXT, thick - 1,
                                cv2.LINE_AA)
    label = f"t = {result.series.time_s[f]:.2f} s   view: {result.view.value if result.view else 'oblique'}"
    if result.yaw_deg is not None and np.isfinite(result.yaw_deg[f]):
        label += f"   yaw {result.yaw_deg[f]:.0f} deg"
    cv2.putText(image, label, (int(20 * scale), int(40 * scale)), cv2.FONT_HERSHEY_SIMPLEX, 0.8 * scale, _TEXT,
                thick - 1, cv2.LINE_AA)
