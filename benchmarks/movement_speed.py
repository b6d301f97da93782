"""The video pipeline's speed on the Sports2D demo clip, against pose inference alone (its floor).

    make bench

Three runs over the same 230 frames, one after the other on this machine:

1. decode alone: OpenCV reading the VP9 clip;
2. pose alone: the time spent inside MediaPipe's BlazePose (model_complexity=1), frame by frame;
3. end to end: ``read_video`` (decode on a second thread, pose, following the patient) and then our
   analysis: joint angles, range of motion and posture (``analyze_pose``), gait from video and the
   repetitions of one angle.

It prints frames per second for each, and our own analysis (following the patient included) as a
percentage of the pose time. Targets from the issue: end to end at least 30 fps, our analysis under 5%.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from reeducate.example_data import fetch
from reeducate.signals.errors import RecordingError
from reeducate.signals.movement import analyze_pose
from reeducate.signals.pose.backends import MediaPipePose
from reeducate.signals.pose.tracking import select_person
from reeducate.signals.pose.video import frames, read_video, video_properties
from reeducate.signals.reps import segment_repetitions
from reeducate.signals.video_gait import analyze_video_gait


def _analysis(series) -> None:
    """Everything we run on the keypoints once pose is done."""
    result = analyze_pose(series)
    try:
        analyze_video_gait(series)
    except RecordingError:
        pass  # the clip's patient does not walk side-on: refused, as it should be
    segment_repetitions(result.angles_deg["left_shoulder_elevation"], sampling_rate_hz=series.fps)


def main() -> None:
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    path = fetch("sports2d_demo.mp4")
    fps, count, size = video_properties(path)
    print(f"Clip: {path.name}, {count} frames, {size[0]}x{size[1]} at {fps:g} fps")

    start = time.perf_counter()
    decoded = sum(1 for _ in frames(path))
    decode_s = time.perf_counter() - start

    backend = MediaPipePose()
    candidates, pose_s = [], 0.0
    for frame in frames(path):
        start = time.perf_counter()
        candidates.append(backend.detect(frame))
        pose_s += time.perf_counter() - start
    backend.close()

    start = time.perf_counter()
    series = read_video(path)
    _analysis(series)
    end_to_end_s = time.perf_counter() - start

    time_s = np.arange(len(candidates)) / fps
    ours_s = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        select_person(candidates, time_s, None)
        _analysis(series)
        ours_s = min(ours_s, time.perf_counter() - start)

    print(f"decode alone       {decoded / decode_s:7.1f} fps")
    print(f"pose alone         {len(candidates) / pose_s:7.1f} fps   (the floor)")
    print(f"end to end         {series.n_frames / end_to_end_s:7.1f} fps   (target: at least 30)   "
          f"{pose_s / end_to_end_s:.0%} of pose-alone speed")
    print(f"our analysis       {1e3 * ours_s:7.1f} ms for the clip = {100 * ours_s / pose_s:.2f}% of the pose time "
          "(target: under 5%)")


if __name__ == "__main__":
    main()
