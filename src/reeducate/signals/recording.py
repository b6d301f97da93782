"""The typed centre-of-pressure recording that every reader produces and the balance engine takes.

SI inside: positions in metres, forces in newtons, time in seconds. The anterior-posterior (AP) axis
points forward from the patient, the medio-lateral (ML) axis to the patient's side; which plate
axis is which is decided once, by the reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from reeducate.signals.errors import RecordingError

#: A time base is uniform when every interval is within this fraction of the nominal interval.
UNIFORM_TOLERANCE = 0.01


@dataclass(frozen=True)
class FootLoads:
    """Vertical force under each foot (N), from a dual plate, sample by sample with the COP."""

    left_n: np.ndarray
    right_n: np.ndarray


@dataclass(frozen=True)
class CopRecording:
    """A centre-of-pressure time series: positions in metres, on a time base in seconds.

    ``time_s`` starts where the recording starts; a sample whose COP is unknown (a dropout: nobody
    on the plate, a NaN in the export) is NaN in both axes. ``warnings`` are sentences about what the
    reader changed or noticed (trimmed dropouts, a rate inferred from the time column).
    """

    time_s: np.ndarray
    ap_m: np.ndarray
    ml_m: np.ndarray
    sampling_rate_hz: float
    source: str
    feet: FootLoads | None = None
    warnings: tuple[str, ...] = ()
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def n_samples(self) -> int:
        return len(self.time_s)

    @property
    def duration_s(self) -> float:
        return float(self.time_s[-1] - self.time_s[0]) + 1.0 / self.sampling_rate_hz if self.n_samples else 0.0

    @property
    def dropouts(self) -> np.ndarray:
        """Boolean mask of samples whose COP is unknown."""
        return ~(np.isfinite(self.ap_m) & np.isfinite(self.ml_m))

    @property
    def is_uniform(self) -> bool:
        """True when samples are evenly spaced at ``sampling_rate_hz`` (within 1 %)."""
        steps = np.diff(self.time_s)
        nominal = 1.0 / self.sampling_rate_hz
        return bool(np.all(np.abs(steps - nominal) <= UNIFORM_TOLERANCE * nominal))


def cop_recording(
    *,
    ap_m: np.ndarray,
    ml_m: np.ndarray,
    source: str,
    sampling_rate_hz: float | None = None,
    time_s: np.ndarray | None = None,
    feet: FootLoads | None = None,
    warnings: tuple[str, ...] = (),
    metadata: dict[str, str] | None = None,
) -> CopRecording:
    """Check and assemble a recording; a rate or a time column is needed, the other is derived.

    Leading and trailing dropouts are trimmed (with a warning); dropouts inside the trial stay NaN
    for the analysis to bridge or refuse. Raises RecordingError for anything that would give a
    silently wrong number: no samples, all dropouts, a time column that goes backwards, no rate.
    """
    ap = np.asarray(ap_m, dtype=float)
    ml = np.asarray(ml_m, dtype=float)
    notes = list(warnings)
    if ap.ndim != 1 or ml.ndim != 1 or len(ap) != len(ml):
        raise RecordingError(f"{source}: the AP and ML columns must be two series of the same length.")
    if len(ap) == 0:
        raise RecordingError(f"{source}: the recording has no samples. Export the trial again.")
    if time_s is None:
        if sampling_rate_hz is None:
            raise RecordingError(
                f"{source}: no time column and no sampling rate; give the rate (--sampling-rate-hz)."
            )
        time = np.arange(len(ap)) / sampling_rate_hz
    else:
        time = np.asarray(time_s, dtype=float)
        if len(time) != len(ap) or not np.all(np.isfinite(time)):
            raise RecordingError(f"{source}: the time column has missing or non-numeric values.")
        if np.any(np.diff(time) <= 0):
            where = int(np.argmax(np.diff(time) <= 0)) + 1
            raise RecordingError(
                f"{source}: time does not increase at sample {where} (t = {time[where]:g} s); "
                "the export is out of order or has duplicated rows."
            )
        if sampling_rate_hz is None:
            if len(time) < 2:
                raise RecordingError(f"{source}: one sample is not a recording.")
            sampling_rate_hz = float(np.round(1.0 / np.median(np.diff(time)), 6))
    if not sampling_rate_hz or sampling_rate_hz <= 0 or not np.isfinite(sampling_rate_hz):
        raise RecordingError(f"{source}: the sampling rate must be a positive number of hertz.")
    valid = np.isfinite(ap) & np.isfinite(ml)
    if not valid.any():
        raise RecordingError(
            f"{source}: every sample is missing (NaN or no load on the plate); nothing to analyse."
        )
    first, last = int(np.argmax(valid)), len(valid) - int(np.argmax(valid[::-1]))
    if first > 0 or last < len(valid):
        notes.append(
            f"{first + len(valid) - last} dropout samples at the start or end of the trial were trimmed."
        )
        keep = slice(first, last)
        ap, ml, time = ap[keep], ml[keep], time[keep]
        if feet is not None:
            feet = FootLoads(left_n=feet.left_n[keep], right_n=feet.right_n[keep])
    return CopRecording(
        time_s=time, ap_m=ap, ml_m=ml, sampling_rate_hz=float(sampling_rate_hz), source=source,
        feet=feet, warnings=tuple(notes), metadata=dict(metadata or {}),
    )
