"""Our 3-D reconstruction and angles from the Pose2Sim demo's cameras against Pose2Sim 0.10.49's own result.

Both start from the same 2-D input: the MediaPipe 0.10.21 landmarks of the four synchronous demo videos
(example data) and the demo's Qualisys calibration. The reference is Pose2Sim's triangulated, filtered
``pose-3d/*_filt_*.trc`` and its OpenSim inverse kinematics ``kinematics/*.mot``, made by
``benchmarks/pose2sim_reference.py`` (run by ``benchmarks/movement_accuracy.py``) under
``var/bench/pose2sim/``. Pose2Sim's TRC is Y-up (its ``zup2yup``: TRC X, Y, Z = world Y, Z, X); it is
turned back into the calibration's Z-up frame before comparing.

Reported: per landmark the distance between our 3-D point and Pose2Sim's (mm; median and 90th percentile
over frames), and per joint the Pearson r, RMSE and mean bias (ours minus Pose2Sim's, deg) of our angle
against the nearest OpenSim coordinate. The joint definitions differ (ours: segment angles in the trunk
frame, the same names as one camera; OpenSim's: a scaled skeleton's joint coordinates, the hip against the
pelvis, not the trunk), so r says whether the two follow the same movement, bias how far the definitions
sit apart. Cameras: all four, and two pairs (two front views; a front and a rear view).

Usage: ``python benchmarks/multiview_accuracy.py [--reference var/bench/pose2sim] [--json OUT]``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from reeducate.example_data import fetch
from reeducate.signals.multiview.analysis import analyze_multiview
from reeducate.signals.multiview.calibration import read_calibration
from reeducate.signals.pose.landmarks import INDEX
from reeducate.signals.pose.readers import read_landmark_csv

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REFERENCE = ROOT / "var" / "bench" / "pose2sim"
CAMERA_SETS = (("cam01", "cam02", "cam03", "cam04"), ("cam01", "cam02"), ("cam02", "cam04"))
#: Pose2Sim's BLAZEPOSE marker names (skeletons.py; "Lknee" is spelt so there) -> our landmark names.
TRC_MARKERS = {
    "Nose": "nose", "LEye": "left_eye", "REye": "right_eye",
    **{f"{s[0].upper()}{part}": f"{s}_{name}" for s in ("left", "right") for part, name in (
        ("Shoulder", "shoulder"), ("Elbow", "elbow"), ("Wrist", "wrist"), ("Hip", "hip"), ("Knee", "knee"),
        ("Ankle", "ankle"), ("Heel", "heel"), ("BigToe", "foot_index"))},
    "Lknee": "left_knee",
}
#: Our angle -> (OpenSim coordinate of Pose2Sim's model, its sign against ours).
MOT_COORDINATES = {
    **{f"{s}_hip_flexion": (f"hip_flexion_{s[0]}", 1.0) for s in ("left", "right")},
    **{f"{s}_knee_flexion": (f"knee_angle_{s[0]}", 1.0) for s in ("left", "right")},
    **{f"{s}_ankle_dorsiflexion": (f"ankle_angle_{s[0]}", 1.0) for s in ("left", "right")},
    **{f"{s}_shoulder_flexion": (f"arm_flex_{s[0]}", 1.0) for s in ("left", "right")},
    **{f"{s}_shoulder_abduction": (f"arm_add_{s[0]}", -1.0) for s in ("left", "right")},
    **{f"{s}_elbow_flexion": (f"elbow_flex_{s[0]}", 1.0) for s in ("left", "right")},
}


def read_trc(path: Path) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Frame numbers and each marker's positions (frames, 3) in the calibration's Z-up frame (metres)."""
    lines = path.read_text().splitlines()
    names = [n for n in lines[3].split("\t")[2:] if n.strip()]
    table = pd.read_csv(path, sep="\t", skiprows=5, header=None).dropna(axis=1, how="all")
    frames = table.iloc[:, 0].to_numpy(int)
    values = table.iloc[:, 2:2 + 3 * len(names)].to_numpy(float).reshape(len(table), len(names), 3)
    z_up = values[..., [2, 0, 1]]  # TRC (X, Y, Z) = world (Y, Z, X)
    return frames, {n: z_up[:, i] for i, n in enumerate(names)}


def read_mot(path: Path) -> pd.DataFrame:
    lines = path.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().lower() == "endheader") + 1
    return pd.read_csv(path, sep=r"\s+", skiprows=start)


def _find(reference: Path, pattern: str) -> Path | None:
    found = sorted(reference.rglob(pattern))
    return found[-1] if found else None


def ours(cameras: tuple[str, ...]):  # noqa: ANN201 - a MultiviewResult
    calibration = read_calibration(fetch("balancing_calib.qca.txt"))
    chosen = [calibration.camera(c) for c in cameras]
    clips = [read_landmark_csv(fetch(f"balancing_{c.name}_landmarks.csv"), width_px=c.size_px[0],
                               height_px=c.size_px[1]) for c in chosen]
    return analyze_multiview(clips, chosen, find_offsets=False)


def _agreement(a: np.ndarray, b: np.ndarray) -> dict[str, float | int]:
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 10:
        return {"n": int(ok.sum())}
    d = a[ok] - b[ok]
    return {"n": int(ok.sum()), "r": round(float(np.corrcoef(a[ok], b[ok])[0, 1]), 3),
            "rmse_deg": round(float(np.sqrt(np.mean(d ** 2))), 1), "bias_deg": round(float(d.mean()), 1)}


def compare(reference: Path, camera_sets: tuple[tuple[str, ...], ...] = CAMERA_SETS) -> dict[str, object]:
    trc = _find(reference, "pose-3d/*_filt_*.trc") or _find(reference, "pose-3d/*.trc")
    mot = _find(reference, "kinematics/*.mot")
    if trc is None:
        return {"skipped": f"no Pose2Sim pose-3d/*.trc under {reference}: benchmarks/movement_accuracy.py makes it"}
    frames, markers = read_trc(trc)
    kinematics = read_mot(mot) if mot else None
    report: dict[str, object] = {"reference_trc": str(trc), "reference_mot": str(mot) if mot else None}
    for cameras in camera_sets:
        result = ours(cameras)
        assert result.points is not None
        positions = result.points.positions_m[frames]
        errors = {}
        for marker, name in TRC_MARKERS.items():
            if marker in markers:
                distance_mm = 1000 * np.linalg.norm(positions[:, INDEX[name]] - markers[marker], axis=1)
                finite = distance_mm[np.isfinite(distance_mm)]
                if finite.size:
                    errors[name] = {"median_mm": round(float(np.median(finite)), 1),
                                    "p90_mm": round(float(np.percentile(finite, 90)), 1)}
        all_mm = [v["median_mm"] for v in errors.values()]
        angles = {}
        if kinematics is not None:
            time_s = kinematics["time"].to_numpy(float)
            ours_time = result.series.time_s
            for angle, (coordinate, sign) in MOT_COORDINATES.items():
                if coordinate in kinematics.columns:
                    theirs = np.interp(ours_time, time_s, sign * kinematics[coordinate].to_numpy(float),
                                       left=np.nan, right=np.nan)
                    angles[angle] = {"opensim": coordinate, **_agreement(result.angles_deg[angle], theirs)}
        report[" + ".join(cameras)] = {
            "reprojection_median_px": round(result.points.median_reprojection_px, 2),
            "keypoint_error_median_of_medians_mm": round(float(np.median(all_mm)), 1) if all_mm else None,
            "keypoints": errors, "angles": angles}
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    parser.add_argument("--json", type=Path, help="also write the report here")
    args = parser.parse_args()
    report = compare(args.reference)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    for key, value in report.items():
        if not isinstance(value, dict):
            print(f"{key}: {value}")
            continue
        print(f"\n== {key}: reprojection {value['reprojection_median_px']} px median; keypoints vs Pose2Sim "
              f"{value['keypoint_error_median_of_medians_mm']} mm (median over landmarks of the median over frames)")
        for name, e in value["keypoints"].items():
            print(f"  {name:22s} {e['median_mm']:7.1f} mm median, {e['p90_mm']:7.1f} mm p90")
        for name, a in value["angles"].items():
            print(f"  {name:26s} vs {a['opensim']:16s} r {a.get('r', '-')}, RMSE {a.get('rmse_deg', '-')} deg, "
                  f"bias {a.get('bias_deg', '-')} deg (n {a['n']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
