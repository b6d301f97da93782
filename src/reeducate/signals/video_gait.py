"""Gait from one side-on camera: the IMU gait parameters that a video can support.

``analyze_video_gait(series, height_cm=...)`` cleans the keypoints (as for joint angles), finds heel
strikes and toe offs by Zeni et al. (2008; see ``strides/video.py``), and summarises the strides as
the IMU engine does, so the result has the same JSON shape (docs/gait.md). Stride length and gait
speed need a scale (the patient's height or a known distance) and an overground walk: the heel's
travel between two strikes of the same foot, which assumes the patient walks square to the camera.
"""

from __future__ import annotations

from reeducate.signals.errors import RecordingError
from reeducate.signals.gait import GaitResult, Stride, bouts_of, summarise_strides
from reeducate.signals.kinematics.filtering import CUTOFF_HZ, clean
from reeducate.signals.kinematics.scale import metres_per_unit
from reeducate.signals.kinematics.views import View, infer_view
from reeducate.signals.pose.landmarks import PoseSeries
from reeducate.signals.strides.video import SIDES, VideoGaitEvents, detect_events, strides_of

NO_SCALE = "needs a scale: give the patient's height (--height-cm) or a known distance"
TREADMILL = "needs the patient to walk across the picture; on a treadmill the heel's travel is the belt's"


def _strides(events: VideoGaitEvents, series: PoseSeries, side: str, scale: float | None) -> list[Stride]:
    fps = series.fps
    heel_x = series.point(f"{side}_heel")[:, 0]
    strides = []
    for strike, toe_off, next_strike, walk in strides_of(events, side, fps):
        length = None
        if scale is not None and walk.overground:
            length = abs(float(heel_x[next_strike] - heel_x[strike])) * scale
        strides.append(Stride(strike / fps, toe_off / fps, (next_strike - strike) / fps, (toe_off - strike) / fps,
                              (next_strike - toe_off) / fps, length, None, False))
    return strides


def analyze_video_gait(series: PoseSeries, *, view: View | str | None = None, height_cm: float | None = None,
                       m_per_px: float | None = None) -> GaitResult:
    """Strides, stance and swing, cadence, variability, symmetry (and lengths with a scale) from a side view."""
    cleaned = clean(series, cutoff_hz=CUTOFF_HZ)
    chosen = View(view) if view is not None else infer_view(cleaned)
    if chosen is View.FRONT:
        raise RecordingError(f"{series.source}: gait events from video need a side-on camera (the patient "
                             "walking across the picture); this clip films the patient from the front.")
    events = detect_events(cleaned)
    scale = metres_per_unit(cleaned, height_cm=height_cm, m_per_px=m_per_px)
    strides = {side: _strides(events, cleaned, side, scale) for side in SIDES}
    if not any(strides.values()):
        raise RecordingError(f"{series.source}: no complete stride was seen (heel strike to heel strike of one "
                             "foot). Film at least three steps side-on, the feet in the picture throughout.")
    sides, summary, refused = summarise_strides(strides, synchronised=True)
    if scale is None:
        refused += [("stride_length_m", NO_SCALE), ("gait_speed_m_s", NO_SCALE)]
    elif not any(p.overground for p in events.passes):
        refused += [("stride_length_m", TREADMILL), ("gait_speed_m_s", TREADMILL)]
    refused.append(("turns", "one side-on camera sees straight passes only"))
    warnings = list(series.warnings)
    if chosen is None:
        warnings.append("The camera sees the patient obliquely; events hold, lengths are foreshortened.")
    method = (f"Keypoints from {series.origin}, low-passed at {CUTOFF_HZ:g} Hz; heel strike and toe off where the heel "
              "is farthest ahead of and the toe farthest behind the pelvis in the walking direction (Zeni et al. "
              "2008); symmetry index of Robinson et al. 1987 on swing time.")
    return GaitResult(sensor="video", sampling_rate_hz=series.fps, duration_s=series.n_frames / series.fps,
                      source=series.source, strides=strides, steps=[], bouts=bouts_of(strides), turns=[],
                      summary=summary, side_summaries=sides, refused=tuple(refused), warnings=tuple(warnings),
                      method=method)
