"""Calibrated cameras: intrinsics, lens distortion and pose, read from Pose2Sim's TOML or Qualisys' .qca.txt.

A ``Camera`` maps a world point (metres) to a pixel the way OpenCV does: ``x_cam = R @ X + t``, then
the pinhole division, the lens distortion (Brown-Conrady ``k1, k2, p1, p2[, k3]``, or the fisheye
model's ``k1..k4``), then the intrinsic matrix. ``undistort`` inverts the last two steps and gives the
normalised image coordinates that triangulation works in.

File formats, as Pose2Sim (Pagnon et al. 2022, J Open Source Softw, doi:10.21105/joss.04362) writes and reads them:

* TOML: one table per camera with ``name``, ``size`` (width, height px), ``matrix`` (3x3),
  ``distortions`` (4 or 5 values), ``rotation`` (Rodrigues vector, world to camera), ``translation``
  (metres, world to camera) and ``fisheye``; tables without a ``matrix`` (``metadata``) are not cameras.
* Qualisys .qca.txt (XML): per camera a ``transform`` (the camera's position in the world, mm, and its
  orientation, whose r11..r33 Pose2Sim reads column by column) and an ``intrinsic`` whose focal lengths and
  principal point are in 1/64 pixel (Pose2Sim divides the distortion coefficients by 64 as well; so do we). Pose2Sim's converter
  (``calibration.py``, ``read_qca`` and ``calib_qca_fun``) inverts the camera's pose into a world-to-camera
  transform and turns the camera by 180 degrees about its x axis (Qualisys' camera looks along -z with y
  up; OpenCV's along +z with y down). We follow the same facts so both tools see the same cameras.
"""

from __future__ import annotations

import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.spatial.transform import Rotation

from reeducate.signals.errors import RecordingError

#: Qualisys stores intrinsics in sub-pixel units: 64 per pixel (Pose2Sim's read_qca divides by 64).
QCA_SUBPIXELS = 64.0
#: Fixed-point iterations when undistorting a point (OpenCV's cv::undistortPoints default is 5; more is exact-er).
UNDISTORT_ITERATIONS = 20


@dataclass(frozen=True)
class Camera:
    """One calibrated camera. ``rotation`` (3x3) and ``translation_m`` take world points to the camera's frame."""

    name: str
    size_px: tuple[int, int]
    matrix: np.ndarray
    distortion: np.ndarray
    rotation: np.ndarray
    translation_m: np.ndarray
    fisheye: bool = False

    @property
    def centre_m(self) -> np.ndarray:
        """The camera's optical centre in world coordinates (metres)."""
        return -self.rotation.T @ self.translation_m

    def to_camera(self, points_m: np.ndarray) -> np.ndarray:
        """World points (..., 3) in the camera's frame (z along the optical axis)."""
        return points_m @ self.rotation.T + self.translation_m

    def distort(self, normalised: np.ndarray) -> np.ndarray:
        """Ideal normalised coordinates (..., 2) to distorted ones, by the camera's lens model."""
        x, y = normalised[..., 0], normalised[..., 1]
        d = np.zeros(5)
        d[:min(5, len(self.distortion))] = self.distortion[:5]
        r2 = x * x + y * y
        if self.fisheye:
            r = np.sqrt(r2)
            theta = np.arctan(r)
            t2 = theta * theta
            theta_d = theta * (1 + d[0] * t2 + d[1] * t2**2 + d[2] * t2**3 + d[3] * t2**4)
            with np.errstate(invalid="ignore", divide="ignore"):
                scale = np.where(r > 1e-12, theta_d / r, 1.0)
            return np.stack([x * scale, y * scale], axis=-1)
        k1, k2, p1, p2, k3 = d
        radial = 1 + k1 * r2 + k2 * r2**2 + k3 * r2**3
        xd = x * radial + 2 * p1 * x * y + p2 * (r2 + 2 * x * x)
        yd = y * radial + p1 * (r2 + 2 * y * y) + 2 * p2 * x * y
        return np.stack([xd, yd], axis=-1)

    def project(self, points_m: np.ndarray) -> np.ndarray:
        """World points (..., 3) to pixels (..., 2), distortion included; NaN behind the camera."""
        cam = self.to_camera(np.asarray(points_m, dtype=float))
        with np.errstate(invalid="ignore", divide="ignore"):
            normalised = cam[..., :2] / cam[..., 2:3]
        normalised[cam[..., 2] <= 0] = np.nan
        return self._to_pixels(self.distort(normalised))

    def _to_pixels(self, normalised: np.ndarray) -> np.ndarray:
        k = self.matrix
        u = k[0, 0] * normalised[..., 0] + k[0, 1] * normalised[..., 1] + k[0, 2]
        v = k[1, 1] * normalised[..., 1] + k[1, 2]
        return np.stack([u, v], axis=-1)

    def undistort(self, pixels: np.ndarray) -> np.ndarray:
        """Pixels (..., 2) to ideal normalised image coordinates (..., 2): the lens model inverted."""
        k = self.matrix
        pixels = np.asarray(pixels, dtype=float)
        yd = (pixels[..., 1] - k[1, 2]) / k[1, 1]
        xd = (pixels[..., 0] - k[0, 2] - k[0, 1] * yd) / k[0, 0]
        distorted = np.stack([xd, yd], axis=-1)
        ideal = distorted.copy()
        for _ in range(UNDISTORT_ITERATIONS):  # fixed point: ideal = distorted - (distort(ideal) - ideal)
            ideal = ideal + (distorted - self.distort(ideal))
        return ideal


@dataclass(frozen=True)
class Calibration:
    """The cameras of one set-up, in the file's order, and where they were read from."""

    cameras: tuple[Camera, ...]
    source: str

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.cameras)

    def camera(self, name: str) -> Camera:
        for c in self.cameras:
            if c.name == name:
                return c
        raise RecordingError(f"{self.source}: no camera named {name!r}; the file has {', '.join(self.names)}.")


def rodrigues_to_matrix(vector: Sequence[float] | np.ndarray) -> np.ndarray:
    """The rotation matrix of a Rodrigues (axis times angle, radians) vector."""
    return np.asarray(Rotation.from_rotvec(np.asarray(vector, dtype=float)).as_matrix())


def matrix_to_rodrigues(rotation: np.ndarray) -> np.ndarray:
    """The Rodrigues vector of a rotation matrix (well defined up to a half turn)."""
    return np.asarray(Rotation.from_matrix(rotation).as_rotvec())


def read_calibration(path: str | Path) -> Calibration:
    """A calibration file: Pose2Sim/OpenCV TOML (``.toml``) or Qualisys XML (``.qca.txt``, ``.qca``, ``.xml``)."""
    path = Path(path)
    if not path.is_file():
        raise RecordingError(f"{path}: no such calibration file.")
    name = path.name.lower()
    if name.endswith(".toml"):
        return read_toml_calibration(path)
    if name.endswith((".qca.txt", ".qca", ".xml")):
        return read_qca_calibration(path)
    raise RecordingError(f"{path.name}: unknown calibration format; give a Pose2Sim/OpenCV .toml or a "
                         "Qualisys .qca.txt file.")


def _array(value: object, shape: tuple[int, ...] | int, where: str) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise RecordingError(f"{where} must be numbers, got {value!r}.") from None
    wanted = (shape,) if isinstance(shape, int) else shape
    if array.shape != wanted or not np.all(np.isfinite(array)):
        raise RecordingError(f"{where} must be {' x '.join(map(str, wanted))} finite numbers, got {value!r}.")
    return array


def read_toml_calibration(path: str | Path) -> Calibration:
    """Pose2Sim's calibration TOML: one table per camera (name, size, matrix, distortions, rotation,
    translation, fisheye)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RecordingError(f"{path.name}: not a TOML file ({exc}).") from exc
    cameras = []
    for key, table in data.items():
        if not isinstance(table, dict) or key in ("metadata", "capture_volume", "charuco", "checkerboard"):
            continue
        where = f"{path.name}, camera table {key!r}"
        missing = [f for f in ("size", "matrix", "distortions", "rotation", "translation") if f not in table]
        if missing:
            raise RecordingError(f"{where}: missing {', '.join(missing)} (a Pose2Sim calibration table has name, "
                                 "size, matrix, distortions, rotation, translation and fisheye).")
        size = _array(table["size"], 2, f"{where}: size")
        matrix = _array(table["matrix"], (3, 3), f"{where}: matrix")
        distortion = np.asarray(table["distortions"], dtype=float) if isinstance(table["distortions"], list) else None
        if distortion is None or distortion.ndim != 1 or len(distortion) not in (4, 5, 8) \
                or not np.all(np.isfinite(distortion)):
            raise RecordingError(f"{where}: distortions must be 4 or 5 numbers (k1, k2, p1, p2[, k3]), "
                                 f"got {table['distortions']!r}.")
        if matrix[0, 0] <= 0 or matrix[1, 1] <= 0 or np.any(size <= 0):
            raise RecordingError(f"{where}: the focal lengths (matrix[0][0], matrix[1][1]) and the size must be "
                                 "positive.")
        fisheye = table.get("fisheye", False)
        if not isinstance(fisheye, bool):
            raise RecordingError(f"{where}: fisheye must be true or false, got {fisheye!r}.")
        cameras.append(Camera(name=str(table.get("name", key)), size_px=(int(size[0]), int(size[1])),
                              matrix=matrix, distortion=distortion,
                              rotation=rodrigues_to_matrix(_array(table["rotation"], 3, f"{where}: rotation")),
                              translation_m=_array(table["translation"], 3, f"{where}: translation"),
                              fisheye=fisheye))
    if not cameras:
        raise RecordingError(f"{path.name}: no camera table found (expected [cam_name] tables with a matrix).")
    return Calibration(tuple(cameras), path.name)


def _attributes(element: ET.Element | None, names: Sequence[str], where: str) -> dict[str, float]:
    if element is None:
        raise RecordingError(f"{where} is missing.")
    values = {}
    for name in names:
        raw = element.get(name)
        try:
            values[name] = float(raw)  # type: ignore[arg-type]  # None is refused just below
        except (TypeError, ValueError):
            raise RecordingError(f"{where}: attribute {name!r} must be a number, got {raw!r}.") from None
    return values


def read_qca_calibration(path: str | Path) -> Calibration:
    """Qualisys' calibration XML (.qca.txt) as Pose2Sim converts it: pixels from 1/64 units, metres from mm,
    the camera's pose inverted and turned 180 degrees about its x axis."""
    path = Path(path)
    try:
        root = ET.fromstring(path.read_bytes())
    except ET.ParseError as exc:
        raise RecordingError(f"{path.name}: not a Qualisys .qca.txt XML file ({exc}).") from exc
    elements = root.findall("cameras/camera")
    if not elements:
        raise RecordingError(f"{path.name}: no <cameras><camera> elements; is this a Qualisys calibration?")
    cameras = []
    flip = np.diag([1.0, -1.0, -1.0])
    for i, element in enumerate(elements):
        name = element.get("serial") or f"camera {i + 1}"
        where = f"{path.name}, camera {name}"
        fov = _attributes(element.find("fov_video"), ("left", "top", "right", "bottom"), f"{where}: <fov_video>")
        intrinsic = _attributes(element.find("intrinsic"), (
            "focalLengthU", "focalLengthV", "centerPointU", "centerPointV", "radialDistortion1",
            "radialDistortion2", "tangentalDistortion1", "tangentalDistortion2"), f"{where}: <intrinsic>")
        transform = _attributes(element.find("transform"), (
            "x", "y", "z", *(f"r{r}{c}" for r in (1, 2, 3) for c in (1, 2, 3))), f"{where}: <transform>")
        s = QCA_SUBPIXELS
        fu, fv = intrinsic["focalLengthU"] / s, intrinsic["focalLengthV"] / s
        if fu <= 0 or fv <= 0:
            raise RecordingError(f"{where}: the focal lengths must be positive.")
        matrix = np.array([[fu, 0.0, intrinsic["centerPointU"] / s - fov["left"]],
                           [0.0, fv, intrinsic["centerPointV"] / s - fov["top"]], [0.0, 0.0, 1.0]])
        distortion = np.array([intrinsic["radialDistortion1"], intrinsic["radialDistortion2"],
                               intrinsic["tangentalDistortion1"], intrinsic["tangentalDistortion2"]]) / s
        oriented = np.array([[transform[f"r{r}{c}"] for c in (1, 2, 3)] for r in (1, 2, 3)])
        if not np.allclose(oriented @ oriented.T, np.eye(3), atol=1e-4):
            raise RecordingError(f"{where}: <transform> r11..r33 is not a rotation matrix.")
        position_m = np.array([transform["x"], transform["y"], transform["z"]]) / 1000.0
        rotation = flip @ oriented  # the file lists the camera's axes by column: world to camera is r_ij as read
        translation = flip @ (-oriented @ position_m)
        size = (int(fov["right"] - fov["left"] + 1), int(fov["bottom"] - fov["top"] + 1))
        cameras.append(Camera(name=name, size_px=size, matrix=matrix, distortion=distortion, rotation=rotation,
                              translation_m=translation))
    return Calibration(tuple(sorted(cameras, key=lambda c: c.name)), path.name)
