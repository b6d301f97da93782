"""Posturography: the descriptors of a centre-of-pressure trial, under a named preprocessing preset.

``analyze_cop(recording, preset="quijoux2021")`` is the everyday entry point. Presets:

- ``quijoux2021`` reproduces the pipeline of Quijoux et al. 2021 (Physiol Rep 9:e15067) and its
  open code exactly (centring, its spike removal, SWARII resampling to 25 Hz, 10 Hz 4th-order
  zero-phase Butterworth low-pass), so that every descriptor equals that code's on the same input.
- ``native`` analyses at the recording's own rate: centring and the same low-pass only.

Each descriptor carries the reference code's key (``quijoux_name``), its value and unit; the
reference's quirks are kept in those values and named in their definitions. ``sway`` holds the
clinically named summary with physically correct definitions (e.g. power integrated over
frequency, mean velocity over the trial's true duration).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np

from reeducate.signals.errors import RecordingError
from reeducate.signals.posturography.catalogue import DescriptorInfo, describe
from reeducate.signals.posturography.clinical import (
    Condition,
    WeightBearing,
    equilibrium_score,
    weight_bearing,
)
from reeducate.signals.posturography.diffusion import diffusion
from reeducate.signals.posturography.dynamic import SWAY_DENSITY_RADIUS_CM, dynamic
from reeducate.signals.posturography.positional import positional
from reeducate.signals.posturography.preprocess import ArtefactPurge, SwariiResampler, ZeroPhaseLowPass
from reeducate.signals.posturography.spectral import SEGMENT_S, spectral
from reeducate.signals.posturography.trial import AP, ML, PreparedTrial
from reeducate.signals.recording import CopRecording

ENGINE_VERSION = "1.0"
Preset = Literal["quijoux2021", "native"]
PRESETS: tuple[Preset, ...] = ("quijoux2021", "native")

#: Shortest trial (s) the descriptors are defined for: one Welch segment of the spectrum.
MIN_DURATION_S = SEGMENT_S
#: Longest stretch of missing samples (s) that is bridged (with a warning) rather than refused.
MAX_GAP_S = 0.25
#: Plausibility of the units: a standing COP range above 1 m exceeds any force plate; below
#: 0.01 mm nobody is standing (or the values are metres read as centimetres).
MAX_PLAUSIBLE_RANGE_CM, MIN_PLAUSIBLE_RANGE_CM = 100.0, 0.001

_METHODS = {
    "quijoux2021": (
        "COP descriptors computed as in Quijoux et al. 2021 (Physiol Rep 9:e15067): centred, resampled "
        "to 25 Hz (SWARII), low-pass filtered at 10 Hz (4th-order zero-phase Butterworth); spectrum by "
        "Welch (10 s Hann windows), diffusion analysis after Collins & De Luca 1993."
    ),
    "native": (
        "COP descriptors as defined by Quijoux et al. 2021 (Physiol Rep 9:e15067), computed at the "
        "recording's own rate after centring and a 10 Hz 4th-order zero-phase Butterworth low-pass."
    ),
}


@dataclass(frozen=True)
class Descriptor:
    """One descriptor's value, with its name here, the reference code's name, unit and domain."""

    name: str
    quijoux_name: str
    domain: str
    value: float
    unit: str


@dataclass(frozen=True)
class SwaySummary:
    """Clinically named sway measures with physically correct definitions (cm, s)."""

    duration_s: float
    path_length_cm: float
    mean_velocity_cm_s: float
    mean_velocity_ap_cm_s: float
    mean_velocity_ml_cm_s: float
    ellipse_area_95_cm2: float
    rms_ap_cm: float
    rms_ml_cm: float
    range_ap_cm: float
    range_ml_cm: float
    total_power_ap_cm2: float
    total_power_ml_cm2: float


@dataclass(frozen=True)
class BalanceResult:
    """Everything a trial's analysis gives, serialisable as the CLI's and the API's JSON."""

    preset: Preset
    source: str
    recording_rate_hz: float
    sampling_rate_hz: float
    n_samples: int
    descriptors: tuple[Descriptor, ...]
    sway: SwaySummary
    warnings: tuple[str, ...]
    methods: str
    condition: Condition | None = None
    equilibrium_score: float | None = None
    weight_bearing: WeightBearing | None = None
    engine_version: str = ENGINE_VERSION
    sway_density_radius_cm: float = SWAY_DENSITY_RADIUS_CM

    def value(self, name: str) -> float:
        """A descriptor's value by our name or the reference's name."""
        for d in self.descriptors:
            if name in (d.name, d.quijoux_name):
                return d.value
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON; an undefined value (NaN) becomes None, as JSON has no NaN."""
        return _finite(asdict(self))


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _bridge_gaps(recording: CopRecording, preset: Preset) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Time (s) and COP (n x 2, ML then AP, cm) with dropouts removed (quijoux2021) or linearly
    filled (native); a dropout longer than MAX_GAP_S is refused."""
    xy = np.column_stack([recording.ml_m, recording.ap_m]) * 100.0
    if recording.is_uniform:  # the sample index over the rate, as the reference builds its time base
        time = np.arange(len(xy)) / recording.sampling_rate_hz
    else:
        time = recording.time_s - recording.time_s[0]
    missing = recording.dropouts
    notes: list[str] = []
    if missing.any():
        edges = np.flatnonzero(np.diff(np.concatenate([[0], missing.astype(int), [0]])))
        runs = edges.reshape(-1, 2)
        longest = max(time[min(e, len(time) - 1)] - time[max(s - 1, 0)] for s, e in runs)
        where = time[runs[0][0]]
        if longest > MAX_GAP_S:
            raise RecordingError(
                f"{recording.source}: a dropout of {longest:.2f} s (first one at t = {where:.2f} s) is longer "
                f"than the {MAX_GAP_S} s that can be bridged; re-record or trim the trial around it."
            )
        notes.append(f"{int(missing.sum())} missing samples in {len(runs)} dropouts (longest {longest:.2f} s) "
                     f"were {'skipped by the resampling' if preset == 'quijoux2021' else 'filled linearly'}.")
        if preset == "quijoux2021":
            time, xy = time[~missing], xy[~missing]
        else:
            for axis in (ML, AP):
                xy[missing, axis] = np.interp(time[missing], time[~missing], xy[~missing, axis])
    return time, xy, notes


def _check_plausible(xy_cm: np.ndarray, source: str) -> None:
    spread = float(np.max(xy_cm.max(axis=0) - xy_cm.min(axis=0)))
    if spread > MAX_PLAUSIBLE_RANGE_CM:
        raise RecordingError(
            f"{source}: the COP moves over {spread:.0f} cm, more than any force plate is wide; the units "
            "are probably wrong (millimetres read as centimetres?): say them with --units mm|cm|m."
        )
    if spread < MIN_PLAUSIBLE_RANGE_CM:
        raise RecordingError(
            f"{source}: the COP moves less than {spread * 10:.4f} mm in the whole trial: either nobody "
            "stood on the plate or the units are wrong (metres read as centimetres?): check --units."
        )
    for direction, axis in (("medio-laterally", ML), ("antero-posteriorly", AP)):
        if np.ptp(xy_cm[:, axis]) == 0:  # a sway ratio would divide by it
            raise RecordingError(
                f"{source}: the COP never moves {direction}: that channel is flat (a plate channel "
                "disconnected, or a damaged file). Check the plate and record the trial again."
            )


def prepare(recording: CopRecording, preset: Preset = "quijoux2021") -> tuple[PreparedTrial, list[str]]:
    """The preset's preprocessing: a uniform, centred, filtered trial in cm, and what was noticed."""
    if preset not in PRESETS:
        raise RecordingError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}.")
    lowest = 2 * ZeroPhaseLowPass().cutoff_hz
    if recording.sampling_rate_hz <= lowest:
        raise RecordingError(
            f"{recording.source}: sampled at {recording.sampling_rate_hz:g} Hz; the 10 Hz low-pass of both presets "
            f"needs more than {lowest:g} Hz. Check --sampling-rate-hz, or record faster."
        )
    time, xy, notes = _bridge_gaps(recording, preset)
    _check_plausible(xy, recording.source)
    if preset == "native" and not recording.is_uniform:
        raise RecordingError(
            f"{recording.source}: the time base is not uniform (sampling jitters or jumps); the native "
            "preset needs evenly spaced samples. Use --preset quijoux2021, which resamples."
        )
    mean = np.mean(xy, axis=0, keepdims=True)
    centred = xy - mean
    if preset == "quijoux2021":
        kept_t, kept, spikes = ArtefactPurge().apply(time, centred)
        if spikes:
            notes.append(f"{spikes} one- or two-sample spikes over 2 cm were removed (reference rule).")
        if len(kept) < 2:
            raise RecordingError(f"{recording.source}: too few samples to analyse.")
        resampler = SwariiResampler()
        resampled, empty = resampler.resample(kept_t, kept)
        if empty:
            notes.append(f"{empty} empty 25 Hz windows were filled by linear interpolation.")
        rate = resampler.target_rate_hz
    else:
        resampled, rate = centred, recording.sampling_rate_hz
    duration = len(resampled) / rate
    if duration < MIN_DURATION_S:
        after = f" ({duration:.1f} s after preprocessing)" if abs(duration - recording.duration_s) >= 0.05 else ""
        raise RecordingError(
            f"{recording.source}: the trial lasts {recording.duration_s:.1f} s{after}; the descriptors need at "
            f"least {MIN_DURATION_S:.0f} s (the spectrum uses {SEGMENT_S:.0f} s windows). Record a longer trial."
        )
    filtered = ZeroPhaseLowPass().apply(resampled, rate)
    return PreparedTrial(xy_cm=filtered, rate_hz=float(rate), mean_cm=(float(mean[0, ML]), float(mean[0, AP]))), notes


def quijoux_values(trial: PreparedTrial, *, sway_density_radius_cm: float = SWAY_DENSITY_RADIUS_CM
                   ) -> dict[str, float]:
    """Every descriptor of a prepared trial, keyed by the reference code's names."""
    return {**positional(trial), **dynamic(trial, radius_cm=sway_density_radius_cm),
            **spectral(trial), **diffusion(trial)}


def sway_summary(trial: PreparedTrial, values: dict[str, float]) -> SwaySummary:
    """The clinically named measures of a prepared trial, from its descriptor ``values``: mean
    velocity over the true duration ((n-1)/rate) and the spectral power integrated over frequency
    (the bin sum times the bin width, rate/n, of the zero-padded Welch spectrum)."""
    duration = (len(trial) - 1) / trial.rate_hz
    bin_width_hz = trial.rate_hz / len(trial)
    return SwaySummary(
        duration_s=float(len(trial) / trial.rate_hz),
        path_length_cm=values["sway_length_ML_AND_AP"],
        mean_velocity_cm_s=values["sway_length_ML_AND_AP"] / duration,
        mean_velocity_ap_cm_s=values["sway_length_AP"] / duration,
        mean_velocity_ml_cm_s=values["sway_length_ML"] / duration,
        ellipse_area_95_cm2=values["confidence_ellipse_area_ML_AND_AP"],
        rms_ap_cm=values["rms_AP"],
        rms_ml_cm=values["rms_ML"],
        range_ap_cm=values["range_AP"],
        range_ml_cm=values["range_ML"],
        total_power_ap_cm2=values["total_power_Power_Spectrum_Density_AP"] * bin_width_hz,
        total_power_ml_cm2=values["total_power_Power_Spectrum_Density_ML"] * bin_width_hz,
    )


def analyze_cop(recording: CopRecording, preset: Preset = "quijoux2021", *, condition: Condition | None = None,
                height_cm: float | None = None,
                sway_density_radius_cm: float = SWAY_DENSITY_RADIUS_CM) -> BalanceResult:
    """All COP descriptors of one trial under ``preset``; RecordingError when it cannot be analysed.

    With the patient's ``height_cm`` the result adds an SOT-style equilibrium score; a dual-plate
    recording adds each foot's share of the weight."""
    trial, notes = prepare(recording, preset)
    values = quijoux_values(trial, sway_density_radius_cm=sway_density_radius_cm)
    descriptors = []
    for key, value in values.items():
        info: DescriptorInfo = describe(key)
        descriptors.append(Descriptor(info.name, key, info.domain, value, info.unit))
    undefined = [d.name for d in descriptors if not np.isfinite(d.value)]
    if undefined:
        notes.append(f"not defined for this trial (too few velocity or density peaks): {', '.join(undefined)}.")
    return BalanceResult(
        preset=preset, source=recording.source, recording_rate_hz=recording.sampling_rate_hz,
        sampling_rate_hz=trial.rate_hz, n_samples=len(trial), descriptors=tuple(descriptors),
        sway=sway_summary(trial, values), warnings=tuple(recording.warnings) + tuple(notes),
        methods=_METHODS[preset], sway_density_radius_cm=sway_density_radius_cm, condition=condition,
        equilibrium_score=equilibrium_score(trial.xy_cm[:, AP], height_cm) if height_cm else None,
        weight_bearing=weight_bearing(recording.feet) if recording.feet is not None else None,
    )
