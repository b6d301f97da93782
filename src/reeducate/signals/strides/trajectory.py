"""Stride length by zero-velocity integration of a foot IMU, all strides at once.

Between two mid-stances the foot is still at both ends. For each stride we take the orientation at
the first mid-stance from gravity alone (the accelerometer, yaw arbitrary), carry it forward with the
gyroscope (quaternion integration), turn the accelerations into that world frame, remove gravity,
integrate to velocity, remove the linear drift that makes the end velocity non-zero (the
zero-velocity update), and integrate again to position. The stride length is the horizontal distance
between the two mid-stances (Mariani et al. 2010, J Biomech 43(15):2999-3006; Rampp et al. 2015,
IEEE Trans Biomed Eng 62(4):1089-1097, the same principle for foot-worn sensors).

The orientation of every sample of every stride comes from one prefix scan of the per-sample
rotations, so the work is a handful of array operations whatever the number of strides.
"""

from __future__ import annotations

import numpy as np

from reeducate.signals.imu import STANDARD_GRAVITY


def _gravity_to_z(acc: np.ndarray) -> np.ndarray:
    """Quaternions (w, x, y, z) rotating each measured gravity vector (k, 3) onto +z."""
    a = acc / np.linalg.norm(acc, axis=1, keepdims=True)
    z = np.array([0.0, 0.0, 1.0])
    axis = np.cross(a, z)
    s = np.linalg.norm(axis, axis=1)
    c = a @ z
    angle = np.arctan2(s, c)
    axis = np.where(s[:, None] > 1e-9, axis / np.maximum(s, 1e-12)[:, None], np.array([1.0, 0.0, 0.0]))
    half = angle / 2
    return np.column_stack([np.cos(half), axis * np.sin(half)[:, None]])


def _multiply(q: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Quaternion products q r over the last axis (w, x, y, z), any leading shape."""
    w1, x1, y1, z1 = np.moveaxis(q, -1, 0)
    w2, x2, y2, z2 = np.moveaxis(r, -1, 0)
    return np.stack([w1 * w2 - x1 * x2 - y1 * y2 - z1 * z2, w1 * x2 + x1 * w2 + y1 * z2 - z1 * y2,
                     w1 * y2 - x1 * z2 + y1 * w2 + z1 * x2, w1 * z2 + x1 * y2 - y1 * x2 + z1 * w2], axis=-1)


def _rotate(q: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Rotate vectors v (..., 3) by unit quaternions q (..., 4)."""
    u, w = q[..., 1:], q[..., :1]
    t = 2 * np.cross(u, v)
    return v + w * t + np.cross(u, t)


def _running_product(dq: np.ndarray) -> np.ndarray:
    """dq[:, 0] dq[:, 1] ... dq[:, i] for every i along axis 1: a prefix scan (Hillis & Steele 1986) in
    log2(span) vectorised steps instead of one Python step per sample."""
    product = dq.copy()
    offset = 1
    while offset < product.shape[1]:
        product[:, offset:] = _multiply(product[:, :-offset], product[:, offset:])
        offset *= 2
    return product


def stride_displacements(acc_m_s2: np.ndarray, gyr_deg_s: np.ndarray, starts: np.ndarray, ends: np.ndarray,
                         sampling_rate_hz: float) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal length (m) and heading change (deg) of the foot between each start and end sample."""
    k = len(starts)
    if k == 0:
        return np.empty(0), np.empty(0)
    dt = 1.0 / sampling_rate_hz
    lengths = ends - starts
    span = int(lengths.max()) + 1
    index = np.minimum(starts[:, None] + np.arange(span)[None, :], len(acc_m_s2) - 1)
    acc = acc_m_s2[index]                     # (k, span, 3)
    omega = np.radians(gyr_deg_s[index])      # (k, span, 3)
    # Rotation over each sample step (trapezoidal rate), identity at the first sample.
    w = np.concatenate([np.zeros((k, 1, 3)), (omega[:, 1:] + omega[:, :-1]) * 0.5 * dt], axis=1)
    angle = np.linalg.norm(w, axis=2, keepdims=True)
    dq = np.concatenate([np.cos(angle / 2), w / np.maximum(angle, 1e-12) * np.sin(angle / 2)], axis=2)
    q_start = _gravity_to_z(acc[:, 0])
    q = _multiply(q_start[:, None, :], _running_product(dq))
    world = _rotate(q, acc)
    q_end = q[np.arange(k), lengths]
    world[..., 2] -= STANDARD_GRAVITY
    inside = np.arange(span)[None, :] <= lengths[:, None]
    world[~inside] = 0.0
    velocity = np.concatenate([np.zeros((k, 1, 3)), np.cumsum((world[:, 1:] + world[:, :-1]) * 0.5 * dt, axis=1)],
                              axis=1)
    end_velocity = velocity[np.arange(k), lengths]
    ramp = np.clip(np.arange(span)[None, :] / lengths[:, None], 0, 1)[..., None]
    velocity = velocity - ramp * end_velocity[:, None, :]
    velocity[~inside] = 0.0
    position = np.sum((velocity[:, 1:] + velocity[:, :-1]) * 0.5 * dt, axis=1)
    heading = _heading_change(q_start, q_end)
    return np.hypot(position[:, 0], position[:, 1]), heading


def _heading_change(q_start: np.ndarray, q_end: np.ndarray) -> np.ndarray:
    """Rotation about the vertical between start and end (deg), seen on the sensor axis most level at rest."""
    axes = np.eye(3)
    tilt = np.stack([np.abs(_rotate(q_start, np.tile(a, (len(q_start), 1)))[:, 2]) for a in axes], axis=1)
    level = axes[np.argmin(tilt, axis=1)]
    a, b = _rotate(q_start, level), _rotate(q_end, level)
    change = np.arctan2(b[:, 1], b[:, 0]) - np.arctan2(a[:, 1], a[:, 0])
    return np.degrees(np.angle(np.exp(1j * change)))
