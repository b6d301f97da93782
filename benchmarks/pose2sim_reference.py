"""The multi-camera reference of the movement accuracy benchmark, made by Pose2Sim 0.10.49 itself.

Runs in its own environment (``var/bench/venv-pose2sim``; ``benchmarks/movement_accuracy.py`` builds it
and calls this script, see its docstring): opensim 4.6 needs numpy 2, the project numpy below 2. Nothing
here imports reeducate.

Pose2Sim's own pose estimation downloads RTMPose models and cannot run offline, so its input is the
MediaPipe 0.10.21 landmarks the team made from the four demo videos (BlazePose's 33 points), written as
OpenPose-style JSON in Pose2Sim's ``BLAZEPOSE`` skeleton (ids = MediaPipe's landmark indices, x and y in
the video's pixels, MediaPipe's visibility as the likelihood). Then Pose2Sim's steps, with the demo's
Config.toml and these changes: the pose model, no person association (one person is tracked per camera),
no plots, no C3D, and kinematics without marker augmentation (its LSTM is another download):

1. calibration: the demo's Qualisys ``Calib.qca.txt`` converted to Pose2Sim's TOML;
2. triangulation (weighted DLT from the best cameras; a camera excluded where the reprojection error
   passes 15 px) -> ``pose-3d/*.trc``;
3. filtering (the demo's: Hampel outlier rejection, then 4th-order 6 Hz Butterworth) -> ``*_filt_*.trc``;
4. kinematics: OpenSim 4.6 scaling and inverse kinematics on Pose2Sim's model -> ``kinematics/*.mot``.

Usage: ``var/bench/venv-pose2sim/bin/python benchmarks/pose2sim_reference.py --landmarks DIR --calibration
FILE --out DIR``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd

# The engine's BlazePose landmark order (the landmark CSVs' column prefixes), from the source tree: this script
# runs in Pose2Sim's own environment, where Reeducate is not installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from reeducate.signals.pose.landmarks import LANDMARKS  # noqa: E402

#: The videos' sizes (width, height): the CSVs hold 0-1 coordinates (cam01/02 1080 wide, cam03/04 1088).
SIZES = {"cam01": (1080, 1920), "cam02": (1080, 1920), "cam03": (1088, 1920), "cam04": (1088, 1920)}


def write_openpose_json(csv: Path, cam: str, folder: Path) -> int:
    """One OpenPose-style JSON per frame, 33 BlazePose keypoints; a frame without a person has no people."""
    table = pd.read_csv(csv)
    width, height = SIZES[cam]
    folder.mkdir(parents=True, exist_ok=True)
    for f, row in table.iterrows():
        x = row[[f"{n}_x" for n in LANDMARKS]].to_numpy(float) * width
        y = row[[f"{n}_y" for n in LANDMARKS]].to_numpy(float) * height
        v = row[[f"{n}_vis" for n in LANDMARKS]].to_numpy(float)
        people = []
        if np.isfinite(x).any():
            flat = np.column_stack([np.nan_to_num(x), np.nan_to_num(y), np.nan_to_num(v)]).ravel()
            people.append({"person_id": [-1], "pose_keypoints_2d": [round(float(a), 3) for a in flat]})
        (folder / f"{cam}_{int(f):06d}.json").write_text(json.dumps({"version": 1.3, "people": people}))
    return len(table)


def configure(project: Path) -> Path:
    """The demo's Config.toml with this run's changes, written into the project folder."""
    import rtoml
    from Pose2Sim import Pose2Sim as package

    config = rtoml.load(Path(package.__file__).parent / "Demo_SinglePerson" / "Config.toml")
    config["project"].update(frame_rate=60, frame_range="all", multi_person=False)
    config["pose"].update(pose_model="BLAZEPOSE", display_detection=False, save_video="none")
    config["calibration"].update(calibration_type="convert")
    config["calibration"]["convert"].update(convert_from="qualisys")
    config["triangulation"].update(make_c3d=False, show_interp_indices=False)
    config["filtering"].update(display_figures=False, save_filt_plots=False, make_c3d=False)
    config["markerAugmentation"].update(make_c3d=False)
    config["kinematics"].update(use_augmentation=False)
    config.setdefault("logging", {}).update(use_custom_logging=False)
    path = project / "Config.toml"
    path.write_text(rtoml.dumps(config))
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landmarks", type=Path, required=True, help="balancing_cam0N_landmarks.csv folder")
    parser.add_argument("--calibration", type=Path, required=True, help="the demo's Calib.qca.txt")
    parser.add_argument("--out", type=Path, required=True, help="the Pose2Sim project folder to make")
    parser.add_argument("--no-kinematics", action="store_true", help="stop after filtering")
    args = parser.parse_args()
    project = args.out.resolve()
    project.mkdir(parents=True, exist_ok=True)
    (project / "calibration").mkdir(exist_ok=True)
    shutil.copy(args.calibration, project / "calibration" / "Calib.qca.txt")
    for cam in SIZES:
        write_openpose_json(args.landmarks / f"balancing_{cam}_landmarks.csv", cam, project / "pose" / f"{cam}_json")
    configure(project)

    from Pose2Sim import Pose2Sim

    # Pose2Sim finds the trial's folders from the working directory when called without a config.
    os.chdir(project)
    Pose2Sim.calibration()
    Pose2Sim.triangulation()
    Pose2Sim.filtering()
    if not args.no_kinematics:
        try:
            Pose2Sim.kinematics()
        except Exception as exc:  # noqa: BLE001 - reported, and the TRC still stands as the reference
            print(f"Pose2Sim kinematics failed: {exc!r}", file=sys.stderr)
            return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
