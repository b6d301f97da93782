"""Synthetic joint position sense recordings with known holds and errors: an angle series, a side-on body
whose knee follows it, and an IMU's samples (a head turning about the vertical, a shank tilting).

There is no real JPS recording to test against; these are built so that every hold's angle, and so every
error, is known exactly.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from reeducate.signals.pose.landmarks import INDEX, LANDMARKS, PoseSeries, pose_series

G = 9.80665


def plan_series(plan: list[float], *, fs: float = 30.0, move_s: float = 1.5, hold_s: float = 2.0
                ) -> tuple[np.ndarray, np.ndarray]:
    """Angle (deg) and time (s): each angle of ``plan`` held ``hold_s``, reached in ``move_s`` at constant speed."""
    knots = [(0.0, plan[0])]
    t = 0.0
    for i, angle in enumerate(plan):
        if i:
            t += move_s
            knots.append((t, angle))
        t += hold_s
        knots.append((t, angle))
    time = np.arange(0, t, 1 / fs)
    return np.interp(time, [k[0] for k in knots], [k[1] for k in knots]), time


#: Knee reproduction test: rest 0, targets 30, 30, 60 reproduced at 33, 28, 64 (errors +3, -2, +4 deg).
KNEE_PLAN = [0, 30, 0, 33, 0, 30, 0, 28, 0, 60, 0, 64, 0]
KNEE_ERRORS = [3.0, -2.0, 4.0]
#: Cervical relocation: neutral 0; turns to the left (positive) and right, one pause at the far end (60),
#: an examiner's slow repositioning to 0 after each return. Returns: 3 (left, short: -3), -4 (right, short: -4),
#: -3.5 (left, past neutral: +3.5), 3 (right, past neutral: +3).
NECK_PLAN = [0, 60, 3, 0, -55, -4, 0, 58, -3.5, 0, -60, 3, 0]
NECK_ERRORS = {"left": [-3.0, 3.5], "right": [-4.0, 3.0]}


def side_on_knee(knee_deg: np.ndarray, fps: float = 30.0, hidden: np.ndarray | None = None) -> PoseSeries:
    """A person seen side-on (facing image-right), standing, the right knee flexed by ``knee_deg`` per frame;
    ``hidden`` frames have the right knee's landmarks unseen."""
    n = len(knee_deg)
    xy = np.full((n, len(LANDMARKS), 2), np.nan)
    vis = np.ones((n, len(LANDMARKS)))
    hip = np.array([500.0, 500.0])
    for f, knee in enumerate(knee_deg):
        shank = np.radians(-knee)  # from straight down, positive forward: a flexed knee takes the shank back
        points = {"shoulder": hip + (0, -200), "hip": hip, "knee": hip + (0, 200),
                  "elbow": hip + (0, -100), "wrist": hip + (20, 0)}
        points["ankle"] = points["knee"] + 200 * np.array([np.sin(shank), np.cos(shank)])
        points["heel"] = points["ankle"] + (-20, 10)
        points["foot_index"] = points["ankle"] + (80, 10)
        for side, dx in (("left", 1.0), ("right", -1.0)):
            for name, p in points.items():
                xy[f, INDEX[f"{side}_{name}"]] = p + (dx, 0)
        xy[f, INDEX["nose"]] = hip + (30, -260)
        xy[f, INDEX["left_ear"]] = xy[f, INDEX["right_ear"]] = hip + (0, -260)
    if hidden is not None:
        vis[np.ix_(hidden, [INDEX["right_knee"], INDEX["right_ankle"]])] = 0.1
    return pose_series(xy=xy, visibility=vis, fps=fps, source="synthetic side-on knee")


def _rotation(axis: np.ndarray, degrees: float) -> np.ndarray:
    axis = axis / np.linalg.norm(axis)
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    a = np.radians(degrees)
    return np.eye(3) + np.sin(a) * k + (1 - np.cos(a)) * k @ k


#: How the synthetic sensors are strapped on: an arbitrary tilt, so no axis lines up with the world's.
MOUNTING = _rotation(np.array([0.3, 1.0, 0.2]), 35.0)


def head_imu_samples(yaw_deg: np.ndarray, fs: float, gyro_bias_deg_s: tuple[float, float, float] = (0.4, -0.3, 0.2)
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Accelerometer (m/s²) and gyroscope (deg/s) of a head sensor turning by ``yaw_deg`` about the vertical."""
    up_in_sensor = MOUNTING.T @ np.array([0.0, 0.0, 1.0])
    rate = np.gradient(yaw_deg, 1 / fs)
    acc = np.tile(G * up_in_sensor, (len(yaw_deg), 1))
    gyr = np.outer(rate, up_in_sensor) + np.array(gyro_bias_deg_s)
    return acc, gyr


def shank_imu_samples(tilt_deg: np.ndarray, fs: float) -> tuple[np.ndarray, np.ndarray]:
    """Accelerometer (m/s²) and gyroscope (deg/s) of a shank sensor tilting by ``tilt_deg`` about the knee's axis."""
    axis = np.array([1.0, 0.0, 0.0])
    acc = np.array([(_rotation(axis, a) @ MOUNTING).T @ np.array([0.0, 0.0, G]) for a in tilt_deg])
    gyr = np.outer(np.gradient(tilt_deg, 1 / fs), MOUNTING.T @ axis)
    return acc, gyr


def write_imu_csv(path: Path, acc: np.ndarray, gyr: np.ndarray, fs: float) -> Path:
    """A one-sensor CSV as signals/io/imu.py reads it (time_s, acc_x..acc_z in m/s², gyr_x..gyr_z in deg/s)."""
    time = np.arange(len(acc)) / fs
    table = np.column_stack([time, acc, gyr])
    header = "time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z"
    np.savetxt(path, table, delimiter=",", header=header, comments="", fmt="%.6f")
    return path
