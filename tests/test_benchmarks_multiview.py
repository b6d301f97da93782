"""The multiview benchmark (benchmarks/multiview_accuracy.py) reads Pose2Sim's TRC (Y-up) and OpenSim's .mot
into our frame; the comparison itself, against Pose2Sim's real output, runs in `make bench`, never here."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from tests.support import load_benchmark


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return load_benchmark("multiview_accuracy.py")


def _write_reference(folder: Path, points: dict[str, np.ndarray], angles: dict[str, np.ndarray]) -> None:
    """A TRC as Pose2Sim writes it (Z-up turned Y-up: X, Y, Z = world Y, Z, X) and a .mot as OpenSim writes it."""
    (folder / "pose-3d").mkdir(parents=True)
    (folder / "kinematics").mkdir()
    names = list(points)
    n = len(next(iter(points.values())))
    lines = ["PathFileType\t4\t(X/Y/Z)\tdemo_0-9_filt_butterworth.trc",
             "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames",
             f"60\t60\t{n}\t{len(names)}\tm\t60\t0\t{n}", "Frame#\tTime\t" + "\t\t\t".join(names) + "\t\t\t",
             "\t\t" + "\t".join(f"X{i + 1}\tY{i + 1}\tZ{i + 1}" for i in range(len(names))) + "\t"]
    for f in range(n):
        values = [f"{v:.6f}" for name in names for v in points[name][f][[1, 2, 0]]]
        lines.append("\t".join([str(f), f"{f / 60:.6f}", *values]))
    (folder / "pose-3d" / "demo_0-9_filt_butterworth.trc").write_text("\n".join(lines) + "\n")
    header = ["Coordinates", "version=1", f"nRows={n}", f"nColumns={len(angles) + 1}", "inDegrees=yes", "endheader"]
    rows = ["time\t" + "\t".join(angles)]
    rows += ["\t".join([f"{f / 60:.6f}", *(f"{a[f]:.6f}" for a in angles.values())]) for f in range(n)]
    (folder / "kinematics" / "demo.mot").write_text("\n".join(header + rows) + "\n")


def test_our_own_points_and_angles_read_back_as_pose2sims_agree_exactly(bench: ModuleType, tmp_path: Path) -> None:
    from reeducate.signals.pose.landmarks import INDEX

    cameras = ("cam01", "cam04")
    result = bench.ours(cameras)
    positions = result.points.positions_m
    points = {marker: positions[:, INDEX[name]] for marker, name in bench.TRC_MARKERS.items()}
    angles = {coordinate: sign * np.nan_to_num(result.angles_deg[angle]) for angle, (coordinate, sign) in
              bench.MOT_COORDINATES.items()}
    _write_reference(tmp_path, points, angles)
    report = bench.compare(tmp_path, (cameras,))["cam01 + cam04"]
    assert report["keypoint_error_median_of_medians_mm"] < 0.01
    assert report["keypoints"]["left_knee"]["p90_mm"] < 0.01  # "Lknee", as Pose2Sim spells it
    knee = report["angles"]["right_knee_flexion"]
    assert knee["r"] > 0.999 and knee["rmse_deg"] < 0.01 and knee["n"] > 50
    other = bench.compare(tmp_path, (("cam02", "cam03"),))["cam02 + cam03"]
    assert other["keypoint_error_median_of_medians_mm"] > 1.0


def test_a_missing_reference_is_skipped_with_the_reason(bench: ModuleType, tmp_path: Path) -> None:
    assert "movement_accuracy.py makes it" in bench.compare(tmp_path)["skipped"]
