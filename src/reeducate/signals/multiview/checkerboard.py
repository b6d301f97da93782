"""Calibrating cameras with a printed checkerboard (OpenCV), for a set-up without Qualisys or Pose2Sim.

Intrinsics: the board is filmed by one camera in many poses (filling the picture's corners, tilted);
OpenCV finds its inner corners to a tenth of a pixel and fits the focal lengths, principal point and
distortion (Zhang 2000, IEEE Trans Pattern Anal Mach Intell 22(11):1330-1334; ``cv2.calibrateCamera``).
Extrinsics: the board lies still where every camera sees it (on the floor: it then defines the world,
origin at its first inner corner, x along its rows, z out of its printed face, which is up when the board lies face up);
each camera's pose is solved from the corners it sees (``cv2.solvePnP``). The result is the same
``Calibration`` the readers give, and ``to_toml`` writes it in Pose2Sim's format.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from reeducate.signals.errors import RecordingError
from reeducate.signals.multiview.calibration import Calibration, Camera, matrix_to_rodrigues

#: Fewest board views an intrinsic calibration is attempted from (ours: OpenCV's tutorial uses 10 or more;
#: each view adds 6 unknowns for its pose).
MIN_VIEWS = 5


@dataclass(frozen=True)
class Board:
    """A checkerboard: its inner corners (columns x rows, as OpenCV counts them) and its square's side (metres)."""

    columns: int
    rows: int
    square_m: float

    def object_points(self) -> np.ndarray:
        """The inner corners on the board's plane (z = 0), row by row, in metres (float32, as OpenCV wants)."""
        grid = np.mgrid[0:self.columns, 0:self.rows].T.reshape(-1, 2) * self.square_m
        return np.hstack([grid, np.zeros((len(grid), 1))]).astype(np.float32)


def find_corners(image: np.ndarray, board: Board) -> np.ndarray | None:
    """The board's inner corners in an image (N, 2) px, refined to sub-pixel, or None when it is not all seen."""
    import cv2

    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    found, corners = cv2.findChessboardCorners(grey, (board.columns, board.rows),
                                               flags=cv2.CALIB_CB_ADAPTIVE_THRESH | cv2.CALIB_CB_NORMALIZE_IMAGE)
    if not found:
        return None
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 30, 0.001)
    return cv2.cornerSubPix(grey, corners, (11, 11), (-1, -1), criteria).reshape(-1, 2)


def intrinsics(name: str, images: Sequence[np.ndarray], board: Board) -> tuple[Camera, float]:
    """A camera's intrinsics from views of the board, and the calibration's RMS reprojection error (px).

    The camera's pose is left at the identity: give it with ``extrinsics``."""
    import cv2

    if not images:
        raise RecordingError(f"Camera {name}: no images of the checkerboard.")
    height, width = images[0].shape[:2]
    found = [c for c in (find_corners(image, board) for image in images) if c is not None]
    if len(found) < MIN_VIEWS:
        raise RecordingError(f"Camera {name}: the {board.columns}x{board.rows} board was found in {len(found)} of "
                             f"{len(images)} images; at least {MIN_VIEWS} are needed. Check the inner-corner count "
                             "(squares minus one each way) and film the whole board in varied poses.")
    objects = [board.object_points()] * len(found)
    rms, matrix, distortion, _, _ = cv2.calibrateCamera(objects, [c.astype(np.float32) for c in found],
                                                        (width, height), np.eye(3), np.zeros(5))
    camera = Camera(name=name, size_px=(width, height), matrix=np.asarray(matrix, dtype=float),
                    distortion=np.asarray(distortion, dtype=float).ravel()[:5], rotation=np.eye(3),
                    translation_m=np.zeros(3))
    return camera, float(rms)


def extrinsics(camera: Camera, image: np.ndarray, board: Board) -> tuple[Camera, float]:
    """The camera posed against the board lying in the scene (the board is the world), and the mean
    reprojection error (px) of the board's corners."""
    import cv2

    corners = find_corners(image, board)
    if corners is None:
        raise RecordingError(f"Camera {camera.name}: the {board.columns}x{board.rows} board is not fully seen in the "
                             "extrinsic image.")
    ok, rvec, tvec = cv2.solvePnP(board.object_points(), corners.astype(np.float32), camera.matrix,
                                  camera.distortion, flags=cv2.SOLVEPNP_ITERATIVE)
    if not ok:
        raise RecordingError(f"Camera {camera.name}: its pose could not be solved from the board.")
    rotation, _ = cv2.Rodrigues(rvec)
    posed = replace(camera, rotation=np.asarray(rotation, dtype=float), translation_m=np.asarray(tvec, float).ravel())
    error = float(np.mean(np.linalg.norm(posed.project(board.object_points().astype(float)) - corners, axis=1)))
    return posed, error


def to_toml(calibration: Calibration) -> str:
    """The calibration in Pose2Sim's TOML (one table per camera, then ``[metadata]``)."""
    tables = []
    for c in calibration.cameras:
        k = c.matrix
        tables.append("\n".join((
            f'[{c.name}]', f'name = "{c.name}"', f"size = [ {float(c.size_px[0])}, {float(c.size_px[1])}]",
            f"matrix = [ [ {k[0, 0]!r}, 0.0, {k[0, 2]!r}], [ 0.0, {k[1, 1]!r}, {k[1, 2]!r}], [ 0.0, 0.0, 1.0]]",
            f"distortions = [ {', '.join(repr(float(d)) for d in c.distortion)}]",
            f"rotation = [ {', '.join(repr(float(r)) for r in matrix_to_rodrigues(c.rotation))}]",
            f"translation = [ {', '.join(repr(float(t)) for t in c.translation_m)}]",
            f"fisheye = {'true' if c.fisheye else 'false'}", "")))
    return "\n".join(tables) + "\n[metadata]\nadjusted = false\nerror = 0.0\n"
