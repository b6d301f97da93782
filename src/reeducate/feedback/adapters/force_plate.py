"""A force plate as a stream of samples: the centre of pressure (COP) against a target centre.

The target is where the patient stands at the start: the mean COP over the first ``CENTRE_S`` seconds
(ours: long enough to average out quiet-stance sway, short enough not to delay the exercise). Until
then the offsets are NaN, so no hold starts and no cue fires. Signals, in millimetres:
``cop_offset_mm`` (distance from the centre), ``cop_ml_mm`` (towards the patient's right positive) and
``cop_ap_mm`` (forward positive).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from reeducate.feedback.adapters.base import Sample
from reeducate.signals.recording import CopRecording

#: Seconds of stance averaged for the target's centre (ours).
CENTRE_S = 1.0


class ForcePlateAdapter:
    """COP positions (metres) at ``sampling_rate_hz`` to samples."""

    def __init__(self, *, sampling_rate_hz: float) -> None:
        self.sampling_rate_hz = sampling_rate_hz
        self._index = -1
        self._settle = max(1, int(round(CENTRE_S * sampling_rate_hz)))
        self._sum = np.zeros(2)
        self._seen = 0
        self._centre: np.ndarray | None = None

    def sample(self, ml_m: float, ap_m: float) -> Sample:
        self._index += 1
        time_s = self._index / self.sampling_rate_hz
        point = np.array([ml_m, ap_m]) * 1000.0
        nothing = {"cop_offset_mm": np.nan, "cop_ml_mm": np.nan, "cop_ap_mm": np.nan}
        if not np.isfinite(point).all():
            return Sample(self._index, time_s, nothing)
        if self._centre is None:
            self._sum += point
            self._seen += 1
            if self._seen >= self._settle:
                self._centre = self._sum / self._seen
            return Sample(self._index, time_s, nothing)
        ml, ap = point - self._centre
        return Sample(self._index, time_s, {"cop_offset_mm": float(np.hypot(ml, ap)), "cop_ml_mm": float(ml),
                                            "cop_ap_mm": float(ap)}, cop_mm=(round(float(ml), 2), round(float(ap), 2)))


def cop_samples(recording: CopRecording) -> Iterator[Sample]:
    """A recorded force-plate trial, sample by sample."""
    adapter = ForcePlateAdapter(sampling_rate_hz=recording.sampling_rate_hz)
    for ml, ap in zip(recording.ml_m, recording.ap_m, strict=True):
        yield adapter.sample(float(ml), float(ap))
