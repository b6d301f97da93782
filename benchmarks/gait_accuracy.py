"""IMU gait accuracy against reference systems, ours side by side with gaitmap and mobgap in one run.

    make bench        (or: .venv-bench/bin/python -W ignore benchmarks/gait_accuracy.py)

The benchmark environment holds gaitmap and gaitmap_mad 2.6.0 and mobgap 1.2.0 (pinned in
benchmarks/requirements-reference.txt); they are imported here, never by ``src/``.

**Foot sensors against motion capture.** gaitmap's example walk ``imu_sample.csv`` (204.8 Hz) with its
motion-capture reference (``stride_events_sample.csv``: 28 left and 29 right strides; ``mocap_sample.csv``:
the heel marker at 100 Hz), all from gaitmap's repository (example_data/gait/README.md). gaitmap runs its
standard pipeline as in benchmarks/gait_speed.py (Barth DTW, Rampp events, stride-level trajectory,
spatial parameters); ours runs ``read_imu`` + ``analyze_gait``.

- A mocap stride runs from the heel strike ``pre_ic`` to the next ``ic`` of the same foot. A pipeline finds
  it when one of its strides starts within ``MATCH_S`` of ``pre_ic`` (ours: ``ic_s``; gaitmap: ``pre_ic``
  of its minimum-velocity stride); "both ends" when that stride also ends within ``MATCH_S`` of ``ic``.
- Initial-contact bias: the pipeline's start heel strike minus the mocap's, mean ± SD (ms), over the
  strides it found, and over the strides both pipelines found.
- Stride length: the heel marker's horizontal displacement between the mocap stride's ``start`` and
  ``end`` (its two minimum-velocity instants, at 100 Hz); the error (cm) is over the strides both
  pipelines found with both ends, so the two are judged on the same strides.

**Lower-back sensor against INDIP.** mobgap's lab examples (HA 001, HA 002, MS 001), Test 11 (the
simulated daily-living course), with the INDIP reference's initial contacts (NaN and repeated ones
dropped, as mobgap does). mobgap runs ``MobilisedPipelineHealthy`` (HA) or ``MobilisedPipelineImpaired``
(MS) on its own ``LabExampleDataset`` read from our copies (``MOBGAP_DATA_DIR``), as in its example of
the preconfigured pipelines, and gives its ``raw_ic_list_``; ours runs ``analyze_gait(sensor="lower_back")``
on the same samples and gives the initial contact of every step and the last of every bout. A detected
initial contact within ``IC_TOLERANCE_S`` of a reference one matches it, one to one, the nearest first
(0.2 s: mobgap's example of initial-contact evaluation); detections inside the reference's walking bouts
that match nothing are "extra" (outside them INDIP says nothing). Each INDIP initial contact ours misses is
then classified by the highest peak of our heel-strike signal within ``IC_TOLERANCE_S`` of it (docs/gait.md).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from reeducate.example_data import REGISTRY, fetch  # noqa: E402
from reeducate.signals.gait import analyze_gait  # noqa: E402
from reeducate.signals.imu import ImuSensor, imu_recording  # noqa: E402
from reeducate.signals.io.imu import read_imu  # noqa: E402
from reeducate.signals.strides.lower_back import MIN_DIP_M_S2, heel_strike_signal  # noqa: E402

FS = 204.8
FS_MOCAP = 100.0
MATCH_S = 0.1
IC_TOLERANCE_S = 0.2
SIDES = ("left", "right")
LOWER_BACK = (("HA", "001"), ("HA", "002"), ("MS", "001"))


@dataclass(frozen=True)
class Strides:
    """One pipeline's strides of one foot: start and end heel strikes (s) and stride lengths (m)."""

    start_s: np.ndarray
    end_s: np.ndarray
    length_m: np.ndarray


def mocap_reference() -> dict[str, Strides]:
    """The motion-capture strides of imu_sample.csv, per foot (see the module docstring)."""
    import pandas as pd

    events = pd.read_csv(fetch("gaitmap_stride_events_sample.csv"))
    markers = pd.read_csv(fetch("gaitmap_mocap_sample.csv"), header=[0, 1], index_col=0)
    reference = {}
    for side in SIDES:
        rows = events[events["foot"] == side]
        heel = markers[f"{side[0].upper()}_FCC"][["x", "y"]].to_numpy() / 1000
        start = np.round(rows["start"].to_numpy() * FS_MOCAP / FS).astype(int)
        end = np.round(rows["end"].to_numpy() * FS_MOCAP / FS).astype(int)
        reference[side] = Strides(rows["pre_ic"].to_numpy() / FS, rows["ic"].to_numpy() / FS,
                                  np.linalg.norm(heel[end] - heel[start], axis=1))
    return reference


def ours_foot(path: Path) -> dict[str, Strides]:
    result = analyze_gait(read_imu(path, sampling_rate_hz=FS))
    return {side: Strides(np.array([s.ic_s for s in result.strides[side]]),
                          np.array([s.ic_s + s.stride_time_s for s in result.strides[side]]),
                          np.array([np.nan if s.stride_length_m is None else s.stride_length_m
                                    for s in result.strides[side]]))
            for side in SIDES}


def gaitmap_foot(path: Path) -> dict[str, Strides]:
    import pandas as pd
    from gaitmap.event_detection import RamppEventDetection
    from gaitmap.parameters import SpatialParameterCalculation
    from gaitmap.stride_segmentation import BarthDtw
    from gaitmap.trajectory_reconstruction import StrideLevelTrajectory
    from gaitmap.utils.coordinate_conversion import convert_to_fbf

    data = pd.read_csv(path, header=[0, 1], index_col=0)
    body = convert_to_fbf(data, left_like="left_", right_like="right_")
    segmented = BarthDtw().segment(data=body, sampling_rate_hz=FS)
    events = RamppEventDetection().detect(data=body, stride_list=segmented.stride_list_, sampling_rate_hz=FS)
    trajectory = StrideLevelTrajectory().estimate(data=data, stride_event_list=events.min_vel_event_list_,
                                                  sampling_rate_hz=FS)
    spatial = SpatialParameterCalculation().calculate(
        stride_event_list=events.min_vel_event_list_, positions=trajectory.position_,
        orientations=trajectory.orientation_, sampling_rate_hz=FS)
    strides = {}
    for side in SIDES:
        listed = events.min_vel_event_list_[f"{side}_sensor"]
        lengths = spatial.parameters_[f"{side}_sensor"]["stride_length"].reindex(listed.index)
        strides[side] = Strides(listed["pre_ic"].to_numpy() / FS, listed["ic"].to_numpy() / FS,
                                lengths.to_numpy(dtype=float))
    return strides


def _match(found: Strides, reference: Strides) -> tuple[np.ndarray, np.ndarray]:
    """For each reference stride, the index of the found stride starting with it (-1: none) and whether
    that stride also ends with it."""
    index = np.full(len(reference.start_s), -1)
    both = np.zeros(len(reference.start_s), dtype=bool)
    if not len(found.start_s):
        return index, both
    for k, (start, end) in enumerate(zip(reference.start_s, reference.end_s, strict=True)):
        nearest = int(np.argmin(np.abs(found.start_s - start)))
        if abs(found.start_s[nearest] - start) < MATCH_S:
            index[k] = nearest
            both[k] = abs(found.end_s[nearest] - end) < MATCH_S
    return index, both


def _ms(values: list[float]) -> str:
    if not values:
        return "-"
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{1e3 * statistics.fmean(values):+.1f} ± {1e3 * sd:.1f}"


def foot_accuracy() -> dict[str, float]:
    path = fetch("gaitmap_imu_sample.csv")
    reference = mocap_reference()
    pipelines = {"ours": ours_foot(path), "gaitmap": gaitmap_foot(path)}
    print("Foot sensors against motion capture: gaitmap's imu_sample.csv (204.8 Hz), "
          f"{sum(len(r.start_s) for r in reference.values())} mocap strides\n")
    print(f"{'side':<7}{'pipeline':<10}{'strides':>8}{'found':>9}{'both ends':>11}"
          f"{'IC bias, found (ms)':>22}{'IC bias, common (ms)':>23}{'SL error (cm)':>15}{'SL bias (cm)':>14}")
    totals: dict[str, dict[str, list[float]]] = {name: {"found": [], "n": [], "bias": [], "common": [], "err": [],
                                                       "signed": []} for name in pipelines}
    for side in SIDES:
        ref = reference[side]
        matched = {name: _match(strides[side], ref) for name, strides in pipelines.items()}
        common = np.logical_and.reduce([index >= 0 for index, _ in matched.values()])
        same_strides = np.logical_and.reduce([both for _, both in matched.values()])
        for name, strides in pipelines.items():
            index, both = matched[name]
            found = index >= 0
            bias = [float(strides[side].start_s[index[k]] - ref.start_s[k]) for k in np.flatnonzero(found)]
            bias_common = [float(strides[side].start_s[index[k]] - ref.start_s[k]) for k in np.flatnonzero(common)]
            errors = [float(strides[side].length_m[index[k]] - ref.length_m[k]) for k in np.flatnonzero(same_strides)
                      if np.isfinite(strides[side].length_m[index[k]])]
            row = totals[name]
            row["found"].append(float(found.sum()))
            row["n"].append(float(len(ref.start_s)))
            row["bias"] += bias
            row["common"] += bias_common
            row["err"] += [abs(e) for e in errors]
            row["signed"] += errors
            print(f"{side:<7}{name:<10}{len(strides[side].start_s):>8}{int(found.sum()):>5}/{len(ref.start_s):<3}"
                  f"{int(both.sum()):>7}/{len(ref.start_s):<3}{_ms(bias):>22}{_ms(bias_common):>23}"
                  f"{100 * statistics.fmean([abs(e) for e in errors]):>15.2f}"
                  f"{100 * statistics.fmean(errors):>+14.2f}   (SL on {len(errors)} strides)")
    summary = {}
    for name, row in totals.items():
        summary[f"{name}_found"] = sum(row["found"])
        summary[f"{name}_n"] = sum(row["n"])
        summary[f"{name}_bias_ms"] = 1e3 * statistics.fmean(row["common"])
        summary[f"{name}_sl_cm"] = 100 * statistics.fmean(row["err"])
    print(f"\n{'both feet':<17}{'found':>10}{'IC bias on common strides (ms)':>33}{'SL error (cm)':>16}")
    for name, row in totals.items():
        print(f"{'':<7}{name:<10}{int(sum(row['found'])):>6}/{int(sum(row['n'])):<3}{_ms(row['common']):>33}"
              f"{100 * statistics.fmean(row['err']):>16.2f}")
    return summary


def _indip(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[tuple[float, float]]]:
    """Test 11's lower-back samples (acc in g, gyr in deg/s), its reference initial contacts (s) and bouts."""
    from scipy.io import loadmat

    trial = loadmat(path, squeeze_me=True, struct_as_record=False)["data"].TimeMeasure1.Test11.Trial1
    bouts = np.atleast_1d(trial.Standards.INDIP.MicroWB)
    ic = np.concatenate([np.atleast_1d(b.InitialContact_Event).astype(float) for b in bouts])
    return (trial.SU.LowerBack.Acc, trial.SU.LowerBack.Gyr, np.unique(ic[np.isfinite(ic)]),
            [(float(b.Start), float(b.End)) for b in bouts])


def _match_ics(detected: np.ndarray, reference: np.ndarray) -> tuple[np.ndarray, list[float], np.ndarray]:
    """One-to-one matching within ``IC_TOLERANCE_S``, nearest first: which (sorted) detections matched, the offsets
    of the matches (s) and the reference initial contacts left unmatched."""
    used = np.zeros(len(detected), dtype=bool)
    offsets = []
    missed = []
    for ic in reference:
        free = np.flatnonzero(~used & (np.abs(detected - ic) <= IC_TOLERANCE_S))
        if len(free):
            nearest = free[np.argmin(np.abs(detected[free] - ic))]
            used[nearest] = True
            offsets.append(float(detected[nearest] - ic))
        else:
            missed.append(ic)
    return used, offsets, np.array(missed)


def _score(detected: np.ndarray, reference: np.ndarray, bouts: list[tuple[float, float]]) -> tuple[int, int, float]:
    """Reference initial contacts matched, extra detections inside the reference bouts, mean bias (s)."""
    detected = np.sort(detected)
    used, offsets, _ = _match_ics(detected, reference)
    inside = np.zeros(len(detected), dtype=bool)
    for start, end in bouts:
        inside |= (detected >= start) & (detected <= end)
    return len(offsets), int((inside & ~used).sum()), statistics.fmean(offsets) if offsets else float("nan")


def _why_missed(acc_m_s2: np.ndarray, fs: float, detected: np.ndarray, reference: np.ndarray) -> dict[str, int]:
    """Why our detector misses reference initial contacts: the highest peak of its heel-strike signal within
    ``IC_TOLERANCE_S`` of each missed one, against its floor ``MIN_DIP_M_S2`` (half the floor: no visible heel strike),
    and whether one of our initial contacts follows 0.2-0.35 s later (a timing mismatch, not a missed step)."""
    from scipy.signal import find_peaks

    signal = heel_strike_signal(acc_m_s2, fs)
    peaks, _ = find_peaks(signal)
    detected = np.sort(detected)
    counts = {"over the floor (matched to a neighbour, or an isolated step)": 0,
              "under the floor (half to full)": 0, "ours 0.2-0.35 s later": 0, "no heel-strike peak": 0}
    for ic in _match_ics(detected, reference)[2]:
        near = peaks[np.abs(peaks / fs - ic) <= IC_TOLERANCE_S]
        height = float(signal[near].max()) if len(near) else -np.inf
        if height >= MIN_DIP_M_S2:
            counts["over the floor (matched to a neighbour, or an isolated step)"] += 1
        elif height >= MIN_DIP_M_S2 / 2:
            counts["under the floor (half to full)"] += 1
        elif np.any((detected - ic > IC_TOLERANCE_S) & (detected - ic <= 0.35)):
            counts["ours 0.2-0.35 s later"] += 1
        else:
            counts["no heel-strike peak"] += 1
    return counts


def lower_back_accuracy() -> dict[str, float]:
    names = [n for n in REGISTRY if n.startswith("mobgap_lab_")]
    paths = {n: fetch(n) for n in names}  # checked against their SHA-256 before mobgap reads them
    root = paths["mobgap_lab_HA_001_data.mat"].parents[4]
    with tempfile.TemporaryDirectory() as cache:
        import importlib.metadata

        version = importlib.metadata.version("mobgap")
        (Path(cache) / f"v{version}").symlink_to(root, target_is_directory=True)
        os.environ["MOBGAP_DATA_DIR"] = cache  # mobgap's pooch reads its example data from there, no download
        from mobgap.data import LabExampleDataset
        from mobgap.pipeline import MobilisedPipelineHealthy, MobilisedPipelineImpaired

        dataset = LabExampleDataset(reference_system="INDIP", reference_para_level="wb")
        print(f"\nLower-back sensor against INDIP: mobgap's lab examples, Test 11 (simulated daily living), "
              f"mobgap {version}; a match within {IC_TOLERANCE_S} s\n")
        print(f"{'recording':<12}{'INDIP ICs':>10}{'ours found':>12}{'extra':>7}{'bias (ms)':>11}"
              f"{'mobgap found':>14}{'extra':>7}{'bias (ms)':>11}")
        totals = {"n": 0, "ours": 0, "mobgap": 0}
        why: dict[str, int] = {}
        for cohort, participant in LOWER_BACK:
            acc, gyr, reference, bouts = _indip(paths[f"mobgap_lab_{cohort}_{participant}_data.mat"])
            recording = imu_recording({"lower_back": ImuSensor(acc, gyr)}, sampling_rate_hz=100.0,
                                      source=f"{cohort}_{participant} Test11")
            result = analyze_gait(recording, sensor="lower_back")
            ours = np.array([s["ic_s"] for s in result.steps] + [b["end_s"] for b in result.bouts], dtype=float)
            trial = dataset.get_subset(cohort=cohort, participant_id=participant, test="Test11", trial="Trial1")
            pipeline = MobilisedPipelineHealthy() if cohort == "HA" else MobilisedPipelineImpaired()
            theirs = pipeline.safe_run(trial).raw_ic_list_["ic"].to_numpy() / trial.sampling_rate_hz
            mobgap_reference = len(trial.reference_parameters_.ic_list)
            if mobgap_reference != len(reference):
                print(f"  (mobgap's reading of the reference holds {mobgap_reference} initial contacts)")
            o_found, o_extra, o_bias = _score(ours, reference, bouts)
            m_found, m_extra, m_bias = _score(theirs, reference, bouts)
            totals["n"] += len(reference)
            totals["ours"] += o_found
            totals["mobgap"] += m_found
            print(f"{cohort}_{participant:<9}{len(reference):>10}{o_found:>8}/{len(reference):<3}{o_extra:>7}"
                  f"{1e3 * o_bias:>+11.0f}{m_found:>10}/{len(reference):<3}{m_extra:>7}{1e3 * m_bias:>+11.0f}")
            missed = _why_missed(recording.sensors["lower_back"].acc_m_s2, 100.0, ours, reference)
            for reason, count in missed.items():
                why[reason] = why.get(reason, 0) + count
        print(f"{'all':<12}{totals['n']:>10}{totals['ours']:>8}/{totals['n']:<3}{'':>18}"
              f"{totals['mobgap']:>10}/{totals['n']:<3}")
        print(f"\nWhy ours misses {totals['n'] - totals['ours']} INDIP initial contacts (its heel-strike signal's highest "
              f"peak within {IC_TOLERANCE_S} s of each, against its {MIN_DIP_M_S2} m/s² floor):")
        for reason, count in why.items():
            print(f"  {reason:<66}{count:>4}")
    return {k: float(v) for k, v in totals.items()}


def main() -> None:
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    try:
        import gaitmap  # noqa: F401
        import gaitmap_mad  # noqa: F401
        import mobgap  # noqa: F401
    except ImportError:
        sys.exit("gaitmap, gaitmap_mad and mobgap are not installed in this environment: run `make bench`, which "
                 "installs benchmarks/requirements-reference.txt into .venv-bench.")
    warnings.simplefilter("ignore")  # the peers' deprecation and pandas warnings
    foot = foot_accuracy()
    back = lower_back_accuracy()
    print("\nAgainst the references:")
    print(f"- mocap strides found: ours {foot['ours_found']:.0f}/{foot['ours_n']:.0f}, "
          f"gaitmap {foot['gaitmap_found']:.0f}/{foot['gaitmap_n']:.0f}")
    print(f"- initial contact after the mocap heel strike (common strides): ours {foot['ours_bias_ms']:+.1f} ms, "
          f"gaitmap {foot['gaitmap_bias_ms']:+.1f} ms")
    print(f"- stride length error on the same strides: ours {foot['ours_sl_cm']:.2f} cm, "
          f"gaitmap {foot['gaitmap_sl_cm']:.2f} cm")
    print(f"- lower-back initial contacts found against INDIP: ours {back['ours']:.0f}/{back['n']:.0f}, "
          f"mobgap {back['mobgap']:.0f}/{back['n']:.0f}")


if __name__ == "__main__":
    main()
