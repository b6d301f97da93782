"""Keypoints produced elsewhere, read into a ``PoseSeries``: MediaPipe landmark CSV, OpenPose JSON, TRC.

Each reader maps its own landmark names onto BlazePose's 33; a landmark the format does not have
stays NaN (OpenPose has no pinky, TRC files usually no eyes). Several people in a frame (OpenPose) go
through the same person selection as a video.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from reeducate.signals.errors import RecordingError
from reeducate.signals.pose.landmarks import INDEX, LANDMARKS, PoseSeries, pose_series
from reeducate.signals.pose.tracking import Mark, select_person

# OpenPose / MMPose layouts by keypoint count: the BlazePose name of each index (None: not mapped).
_BODY_25 = ("nose", None, "right_shoulder", "right_elbow", "right_wrist", "left_shoulder", "left_elbow",
            "left_wrist", None, "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle",
            "right_eye", "left_eye", "right_ear", "left_ear", "left_foot_index", None, "left_heel",
            "right_foot_index", None, "right_heel")
_COCO_18 = _BODY_25[:8] + _BODY_25[9:19]
_COCO_17 = ("nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
            "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee",
            "right_knee", "left_ankle", "right_ankle")
_HALPE_26 = _COCO_17 + (None, None, None, "left_foot_index", "right_foot_index", None, None,
                        "left_heel", "right_heel")
LAYOUTS: dict[int, tuple[str | None, ...]] = {25: _BODY_25, 18: _COCO_18, 17: _COCO_17, 26: _HALPE_26}


def read_landmark_csv(path: str | Path, *, width_px: int, height_px: int, mark: Mark | None = None) -> PoseSeries:
    """MediaPipe landmarks as CSV (``frame, time_s, detected, <name>_x, _y, _z, _vis``; x, y in 0-1).

    The file holds normalised coordinates only, so the image size must be given; ``mark`` picks the person to
    follow where the file's person changes (as for a video). MediaPipe's relative
    depth ``_z`` (the scale of x, origin between the hips), when the file has it, is kept with x and y as
    the series' 3-D landmarks in pixels (``metadata["xyz"] == "image depth"``).
    """
    path = Path(path)
    try:
        table = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise RecordingError(f"{path.name}: not a landmark CSV ({exc}).") from exc
    missing = [c for n in LANDMARKS for c in (f"{n}_x", f"{n}_y", f"{n}_vis") if c not in table.columns]
    if missing or "time_s" not in table.columns:
        raise RecordingError(f"{path.name}: a landmark CSV needs 'time_s' and '<landmark>_x/_y/_vis' columns "
                             f"for the 33 BlazePose landmarks; missing {', '.join((missing or ['time_s'])[:4])}.")
    if width_px <= 0 or height_px <= 0:
        raise RecordingError("The image size must be positive pixels (width and height of the video).")
    norm = np.stack([table[[f"{n}_x" for n in LANDMARKS]].to_numpy(float),
                     table[[f"{n}_y" for n in LANDMARKS]].to_numpy(float)], axis=-1)
    vis = table[[f"{n}_vis" for n in LANDMARKS]].to_numpy(float)
    time_s = table["time_s"].to_numpy(float)
    fps = 1.0 / float(np.median(np.diff(time_s))) if len(time_s) > 1 else 30.0
    columns = [norm * (width_px, height_px), vis[..., None]]
    if all(f"{n}_z" in table.columns for n in LANDMARKS):
        depth = table[[f"{n}_z" for n in LANDMARKS]].to_numpy(float) * width_px
        columns += [norm * (width_px, height_px), depth[..., None]]
    rows = np.concatenate(columns, axis=2)
    candidates = [rows[f][None] if np.isfinite(norm[f]).any() else np.empty((0, len(LANDMARKS), rows.shape[2]))
                  for f in range(len(time_s))]
    return _assemble(candidates, time_s, fps, f"{path.name} (MediaPipe landmarks)", (width_px, height_px), mark,
                     xyz="image depth" if rows.shape[2] == 6 else None)


def read_openpose_json(path: str | Path, *, fps: float, width_px: int | None = None,
                       height_px: int | None = None, mark: Mark | None = None) -> PoseSeries:
    """OpenPose (or MMPose/RTMPose in OpenPose's format) JSON: one file per frame, or a folder of them.

    BODY_25, COCO-18, COCO-17 and HALPE-26 layouts are recognised by their keypoint count; pixels in,
    pixels out. Confidence 0 marks a keypoint that was not found.
    """
    path = Path(path)
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    if not files:
        raise RecordingError(f"{path}: no OpenPose .json files found.")
    candidates = []
    for file in files:
        try:
            people = json.loads(file.read_text()).get("people", [])
        except (json.JSONDecodeError, UnicodeDecodeError, AttributeError) as exc:
            raise RecordingError(f"{file.name}: not OpenPose JSON ({exc}).") from exc
        rows = [_openpose_person(p.get("pose_keypoints_2d", []), file.name) for p in people]
        candidates.append(np.stack(rows) if rows else np.empty((0, len(LANDMARKS), 3)))
    time_s = np.arange(len(files)) / fps
    size = (width_px, height_px) if width_px and height_px else None
    return _assemble(candidates, time_s, fps, f"{path.name} (OpenPose JSON)", size, mark)


def _openpose_person(flat: list[float], name: str) -> np.ndarray:
    values = np.asarray(flat, dtype=float)
    if values.size % 3 or values.size // 3 not in LAYOUTS:
        raise RecordingError(f"{name}: {values.size} numbers per person is not a known OpenPose layout "
                             f"(BODY_25, COCO-18, COCO-17 or HALPE-26 as x, y, confidence triples).")
    points = values.reshape(-1, 3)
    row = np.full((len(LANDMARKS), 3), np.nan)
    for k, landmark in enumerate(LAYOUTS[len(points)]):
        if landmark is not None and points[k, 2] > 0:
            row[INDEX[landmark]] = points[k]
    return row


def read_trc(path: str | Path, *, plane: Literal["sagittal", "frontal"] = "sagittal") -> PoseSeries:
    """A TRC marker file (OpenSim / Pose2Sim), projected on the plane a single camera would see.

    TRC axes follow OpenSim: X forward, Y up, Z to the right. The sagittal plane keeps (X, Y), the
    frontal plane (Z, Y); positions become metres with y pointing down, like an image.
    """
    path = Path(path)
    try:
        lines = path.read_text().splitlines()
        keys, values = lines[1].split("\t"), lines[2].split("\t")
        header = dict(zip(keys, values, strict=False))
        rate = float(header["DataRate"])
        scale = {"mm": 1e-3, "cm": 1e-2, "m": 1.0}[header["Units"].strip().lower()]
        names = [n for n in lines[3].split("\t")[2:] if n.strip()]
        data = np.genfromtxt(lines[5:], delimiter="\t", dtype=float)
    except (IndexError, KeyError, ValueError, UnicodeDecodeError) as exc:
        raise RecordingError(f"{path.name}: not a TRC file (a 'PathFileType' header, DataRate and Units "
                             f"in mm, cm or m, then Frame#, Time and X/Y/Z per marker): {exc}.") from exc
    data = np.atleast_2d(data)
    if data.shape[1] < 2 + 3 * len(names):
        raise RecordingError(f"{path.name}: {len(names)} markers are named but rows hold "
                             f"{(data.shape[1] - 2) // 3}; the file looks truncated.")
    n = data.shape[0]
    xy = np.full((n, len(LANDMARKS), 2), np.nan)
    axes = (0, 1) if plane == "sagittal" else (2, 1)
    for m, name in enumerate(names):
        landmark = _trc_landmark(name)
        if landmark is not None:
            block = data[:, 2 + 3 * m: 5 + 3 * m] * scale
            xy[:, INDEX[landmark], 0] = block[:, axes[0]]
            xy[:, INDEX[landmark], 1] = -block[:, axes[1]]
    vis = np.where(np.isfinite(xy[..., 0]), 1.0, np.nan)
    return pose_series(xy=xy, visibility=vis, fps=rate, source=f"{path.name} (TRC, {plane} plane)", unit="m",
                       time_s=data[:, 1] - data[0, 1], metadata={"plane": plane})


def _trc_landmark(marker: str) -> str | None:
    """'RKnee', 'R_knee', 'right_knee', 'RBigToe' ... to a BlazePose name, or None."""
    key = re.sub(r"[^a-z]", "", marker.lower())
    side = "right" if key.startswith(("right", "r")) else "left" if key.startswith(("left", "l")) else None
    for prefix in ("right", "left", "r", "l"):
        if key.startswith(prefix):
            key = key[len(prefix):]
            break
    parts = {"shoulder": "shoulder", "elbow": "elbow", "wrist": "wrist", "hip": "hip", "knee": "knee",
             "ankle": "ankle", "heel": "heel", "bigtoe": "foot_index", "ear": "ear", "eye": "eye"}
    if marker.lower() == "nose":
        return "nose"
    if side is None or key not in parts:
        return None
    return f"{side}_{parts[key]}"


def _assemble(candidates: list[np.ndarray], time_s: np.ndarray, fps: float, source: str,
              size: tuple[int, int] | None, mark: Mark | None, xyz: str | None = None) -> PoseSeries:
    if not candidates:
        raise RecordingError(f"{source}: the file holds no frames.")
    chosen = select_person(candidates, time_s, mark)
    metadata = {"person": chosen.how}
    if xyz is not None and chosen.xyz is not None:
        metadata["xyz"] = xyz
    return pose_series(xy=chosen.xy, visibility=chosen.visibility, fps=fps, source=source, unit="px",
                       image_size_px=size, time_s=time_s, warnings=chosen.warnings, metadata=metadata,
                       xyz=chosen.xyz if xyz is not None else None)
