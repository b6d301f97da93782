"""IMU gait engine against gaitmap 2.6.0's standard pipeline, side by side on the same files.

    make bench        (the benchmark environment installs gaitmap and gaitmap_mad 2.6.0)

gaitmap's segmentation (``gaitmap_mad``) is AGPL: it is imported here, as the peer we measure
against, and never by ``src/``. Both pipelines go from the file on disk to stride parameters:

- ours: ``read_imu`` + ``analyze_gait`` (events, stride length, turns, bouts, summary);
- gaitmap: ``pd.read_csv``, ``convert_to_fbf``, ``BarthDtw``, ``RamppEventDetection``,
  ``StrideLevelTrajectory``, ``TemporalParameterCalculation``, ``SpatialParameterCalculation``,
  as in gaitmap's own example pipeline, after one warm-up run (numba compiles on first use).

Each side is timed best of 5 on the same file in the same process, and the ratio printed. Strides are
compared per foot: counts (ours against gaitmap's DTW strides), then stride times on the strides both
found, matched by initial contact (gaitmap's ``pre_ic`` to ``ic`` against our ``ic_s`` to the next).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import best_of  # noqa: E402

from reeducate.example_data import fetch  # noqa: E402
from reeducate.signals.gait import analyze_gait  # noqa: E402
from reeducate.signals.io.imu import read_imu  # noqa: E402

#: (registry name, sampling rate Hz, sides in the file, gaitmap's CSV layout, aligned to gaitmap's sensor frame)
#: imu_sample_ic_stride.csv is not (acc_x is about -6 m/s² at rest): gaitmap aligns it to gravity first, as
#: its documentation asks; ours needs no alignment (it finds the foot's axis from the gyroscope).
FILES = [
    ("gaitmap_imu_sample.csv", 204.8, ("left", "right"), "two-level", True),
    ("gaitmap_imu_sample_ic_stride.csv", 102.4, ("left", "right"), "two-level", False),
    ("gaitmap_imu_sample_ms_left.csv", 102.4, ("left",), "single", True),
    ("gaitmap_imu_sample_ms_right.csv", 102.4, ("right",), "single", True),
]
#: Strides of imu_sample.csv in its held-out motion-capture reference (example_data/gait/README.md).
MOCAP_STRIDES = {"gaitmap_imu_sample.csv": {"left": 28, "right": 29}}
MATCH_S = 0.1  # two initial contacts this close are the same event


def _gaitmap_pipeline(path: Path, fs: float, sides: tuple[str, ...], layout: str, aligned: bool):
    import pandas as pd
    from gaitmap.event_detection import RamppEventDetection
    from gaitmap.parameters import SpatialParameterCalculation, TemporalParameterCalculation
    from gaitmap.preprocessing.sensor_alignment import align_dataset_to_gravity
    from gaitmap.stride_segmentation import BarthDtw
    from gaitmap.trajectory_reconstruction import StrideLevelTrajectory
    from gaitmap.utils.coordinate_conversion import convert_to_fbf

    if layout == "two-level":
        data = pd.read_csv(path, header=[0, 1], index_col=0)
    else:
        data = {f"{sides[0]}_sensor": pd.read_csv(path, header=0, index_col=0)}
    if not aligned:
        data = align_dataset_to_gravity(data, sampling_rate_hz=fs)
    body = convert_to_fbf(data, left_like="left_", right_like="right_")
    segmented = BarthDtw().segment(data=body, sampling_rate_hz=fs)
    events = RamppEventDetection().detect(data=body, stride_list=segmented.stride_list_, sampling_rate_hz=fs)
    trajectory = StrideLevelTrajectory().estimate(data=data, stride_event_list=events.min_vel_event_list_,
                                                  sampling_rate_hz=fs)
    temporal = TemporalParameterCalculation().calculate(stride_event_list=events.min_vel_event_list_,
                                                        sampling_rate_hz=fs)
    SpatialParameterCalculation().calculate(stride_event_list=events.min_vel_event_list_,
                                            positions=trajectory.position_, orientations=trajectory.orientation_,
                                            sampling_rate_hz=fs)
    return events, temporal


def _ours(path: Path, fs: float, sides: tuple[str, ...]):
    side = sides[0] if len(sides) == 1 else None
    return analyze_gait(read_imu(path, sampling_rate_hz=fs, side=side))


def compare() -> list[dict[str, float]]:
    try:
        import gaitmap
        import gaitmap_mad  # noqa: F401 (BarthDtw and RamppEventDetection live there)
    except ImportError:
        sys.exit("gaitmap and gaitmap_mad 2.6.0 are not installed in this environment: run `make bench`, which "
                 "installs benchmarks/requirements-reference.txt into .venv-bench.")
    print(f"Peer: gaitmap {gaitmap.__version__} standard pipeline (Barth DTW, Rampp events, stride-level "
          "trajectory, temporal and spatial parameters)\n")
    print(f"{'recording':<32}{'side':<7}{'ours':>6}{'gaitmap':>9}{'mocap':>7}{'matched':>9}"
          f"{'mean stride time ours/gaitmap (s)':>35}{'diff':>8}{'median diff':>13}")
    rows = []
    for name, fs, sides, layout, aligned in FILES:
        path = fetch(name)
        _gaitmap_pipeline(path, fs, sides, layout, aligned)  # warm-up: numba compiles the DTW on first use
        theirs_s = best_of(5, lambda: _gaitmap_pipeline(path, fs, sides, layout, aligned))  # noqa: B023
        ours_s = best_of(5, lambda: _ours(path, fs, sides))  # noqa: B023
        events, temporal = _gaitmap_pipeline(path, fs, sides, layout, aligned)
        result = _ours(path, fs, sides)
        for side in sides:
            ours = result.strides[side]
            segmented = events.segmented_event_list_[f"{side}_sensor"]
            params = temporal.parameters_[f"{side}_sensor"]
            listed = events.min_vel_event_list_[f"{side}_sensor"].loc[params.index]
            our_ic = np.array([s.ic_s for s in ours])
            pairs = []
            for pre_ic, stride_time in zip(listed["pre_ic"] / fs, params["stride_time"], strict=True):
                nearest = int(np.argmin(np.abs(our_ic - pre_ic)))
                if abs(our_ic[nearest] - pre_ic) < MATCH_S:
                    pairs.append((ours[nearest].stride_time_s, float(stride_time)))
            ours_mean = statistics.fmean(p[0] for p in pairs)
            theirs_mean = statistics.fmean(p[1] for p in pairs)
            diff = 100 * (ours_mean - theirs_mean) / theirs_mean
            median_diff = 100 * (statistics.median(p[0] for p in pairs) / statistics.median(p[1] for p in pairs) - 1)
            mocap = MOCAP_STRIDES.get(name, {}).get(side, "")
            print(f"{name.removeprefix('gaitmap_'):<32}{side:<7}{len(ours):>6}{len(segmented):>9}{mocap!s:>7}"
                  f"{len(pairs):>5}/{len(params):<3}{ours_mean:>22.4f} / {theirs_mean:.4f}{diff:>+7.2f}%"
                  f"{median_diff:>+12.2f}%")
            rows.append({"count_diff_pct": 100 * (len(ours) - len(segmented)) / len(segmented),
                         "time_diff_pct": diff})
        print(f"{'':<32}time   ours {1e3 * ours_s:7.1f} ms   gaitmap {1e3 * theirs_s:7.1f} ms   "
              f"ours {theirs_s / ours_s:5.1f}x faster")
        rows[-1]["ratio"] = theirs_s / ours_s
    return rows


def main() -> None:
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    rows = compare()
    ratios = [r["ratio"] for r in rows if "ratio" in r]
    print(f"\nSpeed: ours is {min(ratios):.1f}x to {max(ratios):.1f}x faster than gaitmap (target: at least 10x).")
    print(f"Stride counts differ from gaitmap's by {min(r['count_diff_pct'] for r in rows):+.1f}% to "
          f"{max(r['count_diff_pct'] for r in rows):+.1f}%; mean stride times of the common strides by "
          f"{min(r['time_diff_pct'] for r in rows):+.2f}% to {max(r['time_diff_pct'] for r in rows):+.2f}%.")


if __name__ == "__main__":
    main()
