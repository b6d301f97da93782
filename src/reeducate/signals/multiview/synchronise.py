"""Cameras that started at different times: the frame offset between two clips of the same movement.

Each camera's signal is the mean image speed of the landmarks it sees well, each landmark's speed first
divided by its own spread over the clip (so the near hand, large in one view, does not drown the rest);
the offset is the lag at which two cameras' signals correlate best, searched within ``max_lag_s``.
The idea is Pose2Sim's automatic synchronisation (Pagnon et al. 2022, J Open Source Softw, doi:10.21105/joss.04362;
``synchronization.py``: time-lagged cross-correlation of the keypoints' speeds), which correlates the
mean *vertical* speed; on the Pose2Sim demo (four synchronous cameras, 1.7 s of balancing) the vertical
speed put the cameras 33, -14 and -1 frames apart, the speed magnitude 0, 2 and 0. The code is ours.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from reeducate.signals.errors import RecordingError
from reeducate.signals.kinematics.angles import MIN_VISIBILITY
from reeducate.signals.kinematics.filtering import fill_gaps, low_pass
from reeducate.signals.pose.landmarks import PoseSeries

#: Offsets are searched within this many seconds either way (ours: a hand-started set of phones).
MAX_LAG_S = 1.0
#: Share of the shorter clip that must overlap at a searched lag (ours: on the 100-frame Pose2Sim demo, half
#: an overlap let a 46-frame lag match better than the true 0).
MIN_OVERLAP = 0.75
#: A longer lag must correlate better than a shorter one by more than this to be chosen (ours: on the Pose2Sim
#: demo's synchronous cameras, lag 2 frames beat lag 0 by 0.016 for one camera).
LAG_TIE_CORRELATION = 0.02
#: Below this correlation at the best lag the offset is reported as unsure (ours).
MIN_CORRELATION = 0.5


@dataclass(frozen=True)
class Offset:
    """How many frames a camera's clip starts after the reference camera's (``frames`` > 0: it starts
    later, so its frame 0 is the reference's frame ``frames``), and how well the clips agree there."""

    camera: str
    frames: int
    correlation: float

    @property
    def sure(self) -> bool:
        return self.correlation >= MIN_CORRELATION


def landmark_speed(series: PoseSeries) -> np.ndarray:
    """Mean image speed of the well-seen landmarks per frame, each in units of its own standard deviation;
    short gaps bridged and 6 Hz low-passed first, as the angles are."""
    xy = np.where((series.visibility >= MIN_VISIBILITY)[..., None], series.xy, np.nan)
    xy = low_pass(fill_gaps(xy, series.fps), series.fps)
    speed = np.linalg.norm(np.diff(xy, axis=0, prepend=xy[:1]), axis=-1)
    with warnings.catch_warnings():  # a landmark never seen, or a frame with none, is NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        spread = np.nanstd(speed, axis=0)
        return np.nanmean(speed / np.where(spread > 0, spread, np.nan), axis=1)


def _correlation_at(a: np.ndarray, b: np.ndarray, lag: int) -> tuple[float, int]:
    """Pearson correlation of a[t + lag] with b[t] over the frames both have, and how many frames that is."""
    if lag >= 0:
        x, y = a[lag:], b[:len(a) - lag]
    else:
        x, y = a[:lag], b[-lag:]
    n = min(len(x), len(y))
    x, y = x[:n], y[:n]
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() < 3:
        return float("nan"), int(ok.sum())
    x, y = x[ok] - x[ok].mean(), y[ok] - y[ok].mean()
    denominator = float(np.sqrt((x * x).sum() * (y * y).sum()))
    return (float((x * y).sum() / denominator) if denominator > 0 else float("nan")), int(ok.sum())


def find_offset(reference: PoseSeries, other: PoseSeries, *, camera: str = "", max_lag_s: float = MAX_LAG_S) -> Offset:
    """The lag (frames) of ``other`` against ``reference`` that best matches their landmark speeds."""
    if abs(reference.fps - other.fps) > 0.01 * reference.fps:
        raise RecordingError(f"{other.source}: {other.fps:g} fps, but {reference.source} has {reference.fps:g} fps; "
                             "film every camera at the same frame rate.")
    a, b = landmark_speed(reference), landmark_speed(other)
    # Three quarters of the shorter clip must overlap, so a lag is never chosen on a short stretch that
    # happens to match: a short clip is searched over a short range.
    min_overlap = max(3, int(np.ceil(MIN_OVERLAP * min(len(a), len(b)))))
    max_lag = min(int(round(max_lag_s * reference.fps)), min(len(a), len(b)) - min_overlap)
    best = Offset(camera or other.source, 0, float("-inf"))
    for lag in sorted(range(-max_lag, max_lag + 1), key=abs):  # shortest lags first: they win ties
        r, n = _correlation_at(a, b, lag)
        if n >= min_overlap and np.isfinite(r) and r > best.correlation + LAG_TIE_CORRELATION * (lag != 0):
            best = Offset(best.camera, lag, r)
    if not np.isfinite(best.correlation):
        raise RecordingError(f"{other.source}: too few frames overlap with {reference.source} to synchronise them.")
    return best


def synchronise(series: Sequence[PoseSeries], names: Sequence[str], *,
                max_lag_s: float = MAX_LAG_S) -> tuple[list[PoseSeries], tuple[Offset, ...]]:
    """Every clip cut to the frames all cameras share, after each is shifted by its offset against the first."""
    offsets = (Offset(names[0], 0, 1.0),
               *(find_offset(series[0], s, camera=n, max_lag_s=max_lag_s) for s, n in zip(series[1:], names[1:],
                                                                                         strict=True)))
    return align(series, [o.frames for o in offsets]), offsets


def align(series: Sequence[PoseSeries], offsets: Sequence[int]) -> list[PoseSeries]:
    """The clips cut to their common frames, ``offsets[i]`` being camera i's frame 0 in the first camera's count."""
    start = max(offsets)
    stop = min(o + s.n_frames for o, s in zip(offsets, series, strict=True))
    if stop - start < 2:
        raise RecordingError("The cameras' clips do not overlap in time once synchronised.")
    out = []
    for o, s in zip(offsets, series, strict=True):
        cut = slice(start - o, stop - o)
        out.append(PoseSeries(time_s=series[0].time_s[start:stop],  # offsets[0] is 0: stop <= its length
                              xy=s.xy[cut], visibility=s.visibility[cut], fps=s.fps, source=s.source, unit=s.unit,
                              image_size_px=s.image_size_px, warnings=s.warnings, metadata=s.metadata))
    return out
